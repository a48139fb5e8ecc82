"""The validators of each hallucination stage, built from the recipe's config."""

from babelforge.schemas.hallucination_config import HallucinationConfig
from babelforge.validators.base import BatchValidator, Validator
from babelforge.validators.halluc_answer import AnswerValidator
from babelforge.validators.halluc_inject import InjectionValidator
from babelforge.validators.halluc_langid import HallucinationLangidValidator
from babelforge.validators.halluc_query import QueryDuplicateValidator, QueryValidator
from babelforge.validators.halluc_tags import TagsValidator
from babelforge.validators.spans import SpansValidator

Suite = list[Validator | BatchValidator]


def _langid(settings: HallucinationConfig, fields: tuple[str, ...]) -> Validator:
    return HallucinationLangidValidator(
        fields=fields,
        min_confidence=settings.langid_min_confidence,
        min_letters=settings.langid_min_letters,
    )


def query_validators(settings: HallucinationConfig) -> Suite:
    """A query: long enough, in the target language, not asked twice about one article."""
    return [
        QueryValidator(min_chars=settings.query_min_chars),
        _langid(settings, ("query",)),
        QueryDuplicateValidator(),
    ]


def answer_validators(settings: HallucinationConfig) -> Suite:
    """An answer: present (its language is a finding of the study, not a filter)."""
    return [AnswerValidator()]


def injection_validators(settings: HallucinationConfig) -> Suite:
    """Injected text: sound markup, at least one span, changed only there, target language."""
    return [
        TagsValidator(),
        SpansValidator(require_spans=True),
        InjectionValidator(min_context_similarity=settings.inject_min_context_similarity),
        _langid(settings, ("text",)),
    ]


def translation_validators(settings: HallucinationConfig) -> Suite:
    """Translated tagged text: every tag back in order, spans usable, target language."""
    return [
        TagsValidator(),
        SpansValidator(require_spans=False),
        _langid(settings, ("text",)),
    ]
