"""instr_roundtrip: per-record chrF of the back-translation against the English."""

import pytest

from babelforge.validators.instr_roundtrip import InstructionRoundTripValidator, record_chrf
from tests.validators.instr_items import GREET_EN, greet, reset

check = InstructionRoundTripValidator(threshold=25.0)


@pytest.mark.parametrize("language", ["de", "hy", "hi", "sw"])
def test_a_faithful_back_translation_passes(language: str) -> None:
    verdict = check(reset(language))
    assert verdict.keep and verdict.score == pytest.approx(100.0)


def test_a_record_without_back_translation_is_missing() -> None:
    record = greet("hy").model_copy(update={"back_translation": None})
    assert check(record).reason == "instr_roundtrip.missing"


def test_an_unrelated_back_translation_has_low_chrf() -> None:
    record = greet("sw")
    assert record.back_translation is not None
    drifted = record.back_translation.model_copy(
        update={"instruction": "Tell me a joke.", "output": "Why did the chicken cross the road?"}
    )
    verdict = check(record.model_copy(update={"back_translation": drifted}))
    assert verdict.reason == "instr_roundtrip.low_chrf"
    assert verdict.score is not None and verdict.score < 25


def test_protected_spans_do_not_lift_the_score() -> None:
    record = greet("de")
    assert record.back_translation is not None
    code_only = record.back_translation.model_copy(
        update={"instruction": "{name} 2", "output": GREET_EN[1].split("\n\n")[1]}
    )
    score = record_chrf(record.model_copy(update={"back_translation": code_only}))
    assert score is not None and score < 10
