"""Each recipe's suite of checks: a declared list, built from its validator settings.

`mcq_suite`, `instructions_suite` and the hallucination suites return the checks named in
their settings' `enabled` list (per stage for hallucination), in that order. The shared
translation checks (langid, length_ratio, roundtrip_chrf, protected_spans, copy, numbers,
near_duplicate) are built once here with the recipe's view function; recipe-specific checks
are separate files. LLM judges (`qa_judge`, `mqm_judge`) are built elsewhere (validators/
never calls a service) and handed in by name: a judge named in `enabled` takes that place
and raises ConfigError naming it when not given; a judge given but not named is appended.
The runner runs judges last, on the records every cheap check kept, whatever their place.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from babelforge.schemas.config import ValidatorSettings
from babelforge.schemas.errors import ConfigError
from babelforge.schemas.hallucination_config import HallucinationValidatorSettings
from babelforge.schemas.instructions_config import InstructionValidatorSettings
from babelforge.schemas.validator_config import TranslationCheckSettings
from babelforge.validators.answer_match import AnswerMatchValidator
from babelforge.validators.base import Check
from babelforge.validators.copy import CopyCheck
from babelforge.validators.halluc_answer import AnswerValidator
from babelforge.validators.halluc_inject import InjectionValidator
from babelforge.validators.halluc_query import QueryDuplicateValidator, QueryValidator
from babelforge.validators.halluc_tags import TagsValidator
from babelforge.validators.instr_markdown import MarkdownStructureValidator
from babelforge.validators.langid import LangidCheck
from babelforge.validators.length_ratio import LengthRatioCheck
from babelforge.validators.near_duplicate import NearDuplicateCheck
from babelforge.validators.numbers import NumbersCheck
from babelforge.validators.options import OptionsValidator
from babelforge.validators.protected_spans import ProtectedSpansCheck
from babelforge.validators.roundtrip_chrf import RoundtripChrfCheck
from babelforge.validators.spans import SpansValidator
from babelforge.validators.view import ItemView
from babelforge.validators.views import (
    halluc_query_view,
    halluc_text_view,
    instruction_view,
    mcq_view,
)

JUDGES: frozenset[str] = frozenset({"qa_judge", "mqm_judge"})
View = Callable[[Any], ItemView]


def translation_check(
    name: str, settings: TranslationCheckSettings, view: View, dedup_fields: tuple[str, ...] = ()
) -> Check | None:
    """Return the shared translation check `name` on `view`, or None for another name."""
    match name:
        case "langid":
            return LangidCheck(
                view,
                min_confidence=settings.langid_min_confidence,
                min_letters=settings.langid_min_letters,
                min_field_letters=settings.langid_min_field_letters,
                min_script_share=settings.script_min_share,
            )
        case "length_ratio":
            return LengthRatioCheck(
                view,
                overrides={
                    s: (b.min_ratio, b.max_ratio) for s, b in settings.length_bounds.items()
                },
                default=(settings.min_length_ratio, settings.max_length_ratio),
                min_source_chars=settings.min_source_chars,
            )
        case "roundtrip_chrf":
            return RoundtripChrfCheck(view, threshold=settings.chrf_threshold)
        case "protected_spans":
            return ProtectedSpansCheck(view)
        case "copy":
            return CopyCheck(
                view, similarity=settings.copy_similarity, min_prose_chars=settings.min_prose_chars
            )
        case "numbers":
            return NumbersCheck(view)
        case "near_duplicate":
            return NearDuplicateCheck(
                view,
                fields=dedup_fields,
                threshold=settings.near_duplicate_threshold,
                num_perm=settings.near_duplicate_num_perm,
            )
    return None


def _judge(name: str, judges: Mapping[str, Check], where: str) -> Check:
    if name not in judges:
        raise ConfigError(
            f"{where} enables '{name}' but this run gives no {name} (an LLM judge): "
            f"remove '{name}' from {where}, or run with an LLM backend that provides it"
        )
    return judges[name]


def _build(
    names: Sequence[str],
    specific: Mapping[str, Check],
    settings: TranslationCheckSettings,
    view: View,
    judges: Mapping[str, Check],
    where: str,
    dedup_fields: tuple[str, ...] = (),
) -> list[Check]:
    built: list[Check] = []
    for name in names:
        if name in JUDGES:
            built.append(_judge(name, judges, where))
        elif name in specific:
            built.append(specific[name])
        else:
            check = translation_check(name, settings, view, dedup_fields)
            if check is None:
                raise ConfigError(f"{where}: unknown check '{name}'")
            built.append(check)
    built += [judge for name, judge in judges.items() if name not in names]
    return built


def mcq_suite(settings: ValidatorSettings, judges: Mapping[str, Check]) -> list[Check]:
    """The SynDARin validate stage's checks (`syndarin.validators.enabled`), in order."""
    specific: dict[str, Check] = {
        "options": OptionsValidator(),
        "answer_match": AnswerMatchValidator(threshold=settings.answer_match_threshold),
    }
    return _build(
        settings.enabled,
        specific,
        settings,
        mcq_view,
        judges,
        "syndarin.validators.enabled",
        dedup_fields=("question",),
    )


def instructions_suite(
    settings: InstructionValidatorSettings, judges: Mapping[str, Check]
) -> list[Check]:
    """The instruction recipe's checks (`instructions.validators.enabled`), in order."""
    specific: dict[str, Check] = {"markdown": MarkdownStructureValidator()}
    return _build(
        settings.enabled,
        specific,
        settings,
        instruction_view,
        judges,
        "instructions.validators.enabled",
        dedup_fields=("instruction", "input"),
    )


def halluc_query_suite(
    settings: HallucinationValidatorSettings, judges: Mapping[str, Check]
) -> list[Check]:
    """A written query: long enough, in the target language, not asked twice per article."""
    specific: dict[str, Check] = {
        "halluc_query": QueryValidator(min_chars=settings.query_min_chars),
        "halluc_query_dup": QueryDuplicateValidator(),
    }
    where = "hallucination.validators.queries"
    return _build(settings.queries, specific, settings, halluc_query_view, judges, where)


def halluc_answer_suite(
    settings: HallucinationValidatorSettings, judges: Mapping[str, Check]
) -> list[Check]:
    """An answer of the model under study: present (its language is a finding, not a filter)."""
    specific: dict[str, Check] = {"halluc_answer": AnswerValidator()}
    where = "hallucination.validators.answers"
    return _build(settings.answers, specific, settings, halluc_text_view, judges, where)


def halluc_inject_suite(
    settings: HallucinationValidatorSettings, judges: Mapping[str, Check]
) -> list[Check]:
    """Injected text: sound markup, at least one span, changed only there, target language."""
    specific: dict[str, Check] = {
        "halluc_tags": TagsValidator(),
        "spans": SpansValidator(require_spans=True),
        "halluc_inject": InjectionValidator(
            min_context_similarity=settings.inject_min_context_similarity
        ),
    }
    where = "hallucination.validators.inject"
    return _build(settings.inject, specific, settings, halluc_text_view, judges, where)


def halluc_translate_suite(
    settings: HallucinationValidatorSettings, judges: Mapping[str, Check]
) -> list[Check]:
    """Translated tagged text: every tag back in order, spans usable, target language."""
    specific: dict[str, Check] = {
        "halluc_tags": TagsValidator(),
        "spans": SpansValidator(require_spans=False),
    }
    where = "hallucination.validators.translate"
    return _build(settings.translate, specific, settings, halluc_text_view, judges, where)
