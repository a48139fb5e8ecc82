"""Building the configured validator list from the run config."""

import pytest
from pydantic import ValidationError

from babelforge.schemas.config import ValidatorSettings
from babelforge.schemas.errors import ConfigError
from babelforge.validators.answer_match import AnswerMatchValidator
from babelforge.validators.mcq_suite import mcq_validators
from tests.validators.scripted_client import ScriptedClient


def test_default_settings_build_the_default_filters_in_order() -> None:
    built = mcq_validators(ValidatorSettings())
    assert [v.name for v in built] == list(ValidatorSettings().enabled)


def test_thresholds_reach_the_validators() -> None:
    settings = ValidatorSettings(
        enabled=("answer_match",), answer_match_threshold=85, answer_margin=10
    )
    assert mcq_validators(settings) == [AnswerMatchValidator(threshold=85, margin=10)]


def test_llm_judge_without_a_client_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="judge_client"):
        mcq_validators(ValidatorSettings(enabled=("options", "llm_judge")))


def test_llm_judge_is_built_with_the_client_given() -> None:
    built = mcq_validators(
        ValidatorSettings(enabled=("llm_judge",)), judge_client=ScriptedClient(None)
    )
    assert built[0].name == "llm_judge"


def test_unknown_validator_name_is_refused_when_the_config_is_read() -> None:
    with pytest.raises(ValidationError):
        ValidatorSettings.model_validate({"enabled": ["options", "langdetect"]})
