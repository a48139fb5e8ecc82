"""instr_suite: the enabled validators, copy first; the runner accounts for every record."""

from babelforge.schemas.instructions_config import InstructionValidatorSettings
from babelforge.validators.instr_suite import instruction_validators
from babelforge.validators.runner import apply_validators
from tests.validators.instr_items import RESET_EN, greet, reset


def test_every_validator_is_built_in_order() -> None:
    names = [v.name for v in instruction_validators(InstructionValidatorSettings())]
    assert names == [
        "instr_copy",
        "instr_protected",
        "instr_markdown",
        "instr_langid",
        "instr_length",
        "instr_roundtrip",
    ]


def test_disabled_validators_are_left_out() -> None:
    settings = InstructionValidatorSettings(enabled=("roundtrip", "copy"))
    assert [v.name for v in instruction_validators(settings)] == ["instr_copy", "instr_roundtrip"]


def test_a_copy_is_counted_under_instr_copy_first() -> None:
    validators = instruction_validators(InstructionValidatorSettings())
    records = [greet("hy"), reset("sw", instruction=RESET_EN[0], output=RESET_EN[1]), reset("hi")]
    outcome = apply_validators(records, validators, stage="instructions.validate")
    assert len(outcome.accepted) == 2
    assert outcome.reason_counts() == {"instr_copy.untranslated": 1}
    assert all(len(r.verdicts) == 6 for r in outcome.accepted)
