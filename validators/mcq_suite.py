"""Build the configured list of MCQ translation-validation filters from the run config."""

from babelforge.generators.client import ChatClient
from babelforge.schemas.config import ValidatorSettings
from babelforge.schemas.errors import ConfigError
from babelforge.validators.answer_match import AnswerMatchValidator
from babelforge.validators.base import AnyValidator
from babelforge.validators.langid import LangidValidator
from babelforge.validators.length_ratio import LengthRatioValidator
from babelforge.validators.llm_judge import LLMJudge
from babelforge.validators.near_duplicate import NearDuplicateValidator
from babelforge.validators.numbers import NumbersValidator
from babelforge.validators.options import OptionsValidator
from babelforge.validators.protected_spans import ProtectedSpansValidator
from babelforge.validators.roundtrip_chrf import RoundtripChrfValidator


def mcq_validators(
    settings: ValidatorSettings,
    *,
    judge_client: ChatClient | None = None,
    parse_retries: int = 2,
) -> list[AnyValidator]:
    """Return the validators named in `settings.enabled`, in that order.

    `llm_judge` needs `judge_client`; asking for it without one raises ConfigError. Run the
    list with `apply_validators_async` when it holds the judge, `apply_validators` otherwise.
    """
    built: list[AnyValidator] = []
    for name in settings.enabled:
        match name:
            case "options":
                built.append(OptionsValidator())
            case "langid":
                built.append(
                    LangidValidator(
                        min_confidence=settings.langid_min_confidence,
                        min_letters=settings.langid_min_letters,
                        min_script_share=settings.script_min_share,
                    )
                )
            case "answer_match":
                built.append(
                    AnswerMatchValidator(
                        threshold=settings.answer_match_threshold, margin=settings.answer_margin
                    )
                )
            case "roundtrip_chrf":
                built.append(RoundtripChrfValidator(threshold=settings.chrf_threshold))
            case "length_ratio":
                built.append(
                    LengthRatioValidator(
                        min_ratio=settings.min_length_ratio, max_ratio=settings.max_length_ratio
                    )
                )
            case "near_duplicate":
                built.append(
                    NearDuplicateValidator(
                        threshold=settings.near_duplicate_threshold,
                        num_perm=settings.near_duplicate_num_perm,
                    )
                )
            case "numbers":
                built.append(NumbersValidator())
            case "protected_spans":
                built.append(ProtectedSpansValidator())
            case "llm_judge":
                if judge_client is None:
                    raise ConfigError(
                        "validator 'llm_judge' is enabled but no LLM client was given: "
                        "pass judge_client, or remove llm_judge from validators.enabled"
                    )
                built.append(
                    LLMJudge(
                        judge_client,
                        parse_retries=parse_retries,
                        max_paragraph_chars=settings.judge_max_paragraph_chars,
                    )
                )
    return built
