"""Each recipe's suite: the checks its settings name, in their order, judges by name."""

from dataclasses import dataclass

import pytest
from pydantic import ValidationError

from babelforge.schemas.config import ValidatorSettings
from babelforge.schemas.errors import ConfigError
from babelforge.schemas.hallucination_config import HallucinationConfig
from babelforge.schemas.instructions_config import InstructionValidatorSettings
from babelforge.schemas.records import TranslatedMCQ
from babelforge.schemas.verdict import Verdict
from babelforge.validators.answer_match import AnswerMatchValidator
from babelforge.validators.base import keep
from babelforge.validators.runner import apply_validators
from babelforge.validators.suites import (
    halluc_inject_suite,
    halluc_query_suite,
    halluc_translate_suite,
    instructions_suite,
    mcq_suite,
)
from tests.validators.instr_items import RESET, greet, reset
from tests.validators.items import armenian_item, german_item, hindi_item


@dataclass(frozen=True)
class AlwaysKeeps:
    """A stand-in judge: an async check that keeps every record (no service involved)."""

    name: str = "qa_judge"

    async def check(self, record: TranslatedMCQ) -> Verdict:
        return keep(self.name)


def test_the_mcq_suite_follows_the_order_of_the_list() -> None:
    settings = ValidatorSettings(enabled=("numbers", "answer_match", "langid", "options"))
    assert [c.name for c in mcq_suite(settings, {})] == [
        "numbers",
        "answer_match",
        "langid",
        "options",
    ]


def test_thresholds_reach_the_checks() -> None:
    settings = ValidatorSettings(enabled=("answer_match",), answer_match_threshold=85)
    assert mcq_suite(settings, {}) == [AnswerMatchValidator(threshold=85)]


def test_the_default_mcq_suite_keeps_clean_items_in_three_languages() -> None:
    outcome = apply_validators(
        [armenian_item(), german_item(), hindi_item()],
        mcq_suite(ValidatorSettings(), {}),
        stage="v",
    )
    assert len(outcome.accepted) == 3, outcome.reason_counts()


def test_the_numbers_check_is_on_by_default() -> None:
    assert "numbers" in ValidatorSettings().enabled
    assert "numbers" in InstructionValidatorSettings().enabled


def test_a_judge_named_but_not_given_is_a_config_error_naming_it() -> None:
    settings = ValidatorSettings(enabled=("options", "qa_judge"))
    with pytest.raises(ConfigError, match="qa_judge"):
        mcq_suite(settings, {})


def test_a_judge_named_in_the_list_takes_its_place() -> None:
    judge = AlwaysKeeps()
    built = mcq_suite(ValidatorSettings(enabled=("qa_judge", "options")), {"qa_judge": judge})
    assert [c.name for c in built] == ["qa_judge", "options"]


def test_a_judge_given_but_not_named_runs_after_the_list() -> None:
    judge = AlwaysKeeps(name="mqm_judge")
    built = mcq_suite(ValidatorSettings(enabled=("options",)), {"mqm_judge": judge})
    assert [c.name for c in built] == ["options", "mqm_judge"]


def test_the_old_name_llm_judge_reads_as_qa_judge() -> None:
    assert ValidatorSettings.model_validate({"enabled": ["llm_judge"]}).enabled == ("qa_judge",)


def test_unknown_check_name_is_refused_when_the_config_is_read() -> None:
    with pytest.raises(ValidationError):
        ValidatorSettings.model_validate({"enabled": ["options", "langdetect"]})


def test_old_instruction_check_names_read_as_the_shared_ones() -> None:
    settings = InstructionValidatorSettings.model_validate(
        {"enabled": ["protected", "length", "roundtrip"]}
    )
    assert [c.name for c in instructions_suite(settings, {})] == [
        "protected_spans",
        "length_ratio",
        "roundtrip_chrf",
    ]


def test_the_instruction_suite_reports_the_first_failing_check_first() -> None:
    outcome = apply_validators(
        [greet("de"), reset("sw", instruction=RESET["de"][0], output=RESET["de"][1])],
        instructions_suite(InstructionValidatorSettings(), {}),
        stage="instructions.validate",
    )
    assert [r.id for r in outcome.accepted] == ["instr-de"]
    assert outcome.rejected[0].reasons[0] == "langid.wrong_language"


def test_hallucination_stages_build_their_own_lists() -> None:
    settings = HallucinationConfig().validators
    assert [c.name for c in halluc_query_suite(settings, {})] == [
        "halluc_query",
        "langid",
        "halluc_query_dup",
    ]
    assert [c.name for c in halluc_inject_suite(settings, {})][-1] == "langid"
    assert [c.name for c in halluc_translate_suite(settings, {})] == [
        "halluc_tags",
        "spans",
        "langid",
    ]


def test_old_top_level_hallucination_thresholds_move_into_validators() -> None:
    config = HallucinationConfig.model_validate({"query_min_chars": 20, "langid_min_letters": 5})
    assert config.validators.query_min_chars == 20
    assert config.validators.langid_min_letters == 5
