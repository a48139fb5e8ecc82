"""Config of the hallucination-detection recipe."""

from typing import Literal

from pydantic import Field, model_validator

from babelforge.schemas.base import Record
from babelforge.schemas.judge_config import JudgeSettings
from babelforge.schemas.languages import LanguageCode
from babelforge.schemas.provenance import SamplingParams
from babelforge.schemas.records import SpanType
from babelforge.schemas.validator_config import TranslationCheckSettings

HallucinationStage = Literal["queries", "answers", "inject", "translate"]
QueryCheck = Literal["halluc_query", "langid", "halluc_query_dup", "near_duplicate"]
AnswerCheck = Literal["halluc_answer"]
TextCheck = Literal["halluc_tags", "spans", "halluc_inject", "langid", "mqm_judge"]
# Thresholds that earlier releases read from the top of `hallucination:`.
_MOVED_TO_VALIDATORS = (
    "query_min_chars",
    "inject_min_context_similarity",
    "langid_min_confidence",
    "langid_min_letters",
)


class HallucinationValidatorSettings(TranslationCheckSettings):
    """Which checks each hallucination stage runs, in this order, and their thresholds."""

    queries: tuple[QueryCheck, ...] = ("halluc_query", "langid", "halluc_query_dup")
    answers: tuple[AnswerCheck, ...] = ("halluc_answer",)
    inject: tuple[TextCheck, ...] = ("halluc_tags", "spans", "halluc_inject", "langid")
    translate: tuple[TextCheck, ...] = ("halluc_tags", "spans", "langid")
    langid_min_confidence: float = Field(default=0.5, ge=0, le=1)
    query_min_chars: int = Field(default=8, ge=1)
    inject_min_context_similarity: float = Field(default=0.6, ge=0, le=1)
    judges: JudgeSettings = JudgeSettings()


class ModelUnderStudy(Record):
    """The model whose answers are measured; every field left unset is the run's `llm` one.

    So `model: other-model` asks another model on the same endpoint, and `backend`,
    `base_url` and `api_key_env` point at another endpoint altogether.
    """

    backend: Literal["embedded", "openai", "vllm-engine"] | None = None
    base_url: str | None = None
    model: str | None = None
    api_key_env: str | None = None
    max_concurrency: int | None = Field(default=None, ge=1, le=1024)
    sampling: SamplingParams | None = None


class HallucinationConfig(Record):
    """Queries from references, injected hallucinations, and translated tagged data."""

    stages: tuple[HallucinationStage, ...] = ("queries", "answers", "inject", "translate")
    article_paths: dict[LanguageCode, tuple[str, ...]] = Field(
        default={}, description="per target language, Wikipedia-layout parquet or JSONL files"
    )
    tagged_paths: tuple[str, ...] = Field(
        default=(), description='English FAVA-tagged JSONL files ({"id", "tagged"} per line)'
    )
    mushroom_paths: dict[LanguageCode, tuple[str, ...]] = Field(
        default={}, description="per language, labeled Mu-SHROOM JSONL files to import"
    )
    max_articles: int | None = Field(
        default=None, ge=1, description="per language, among the articles long enough"
    )
    max_tagged: int | None = Field(default=None, ge=1, description="tagged texts to translate")
    min_article_length: int = Field(
        default=100,
        ge=0,
        description="words, or letters in languages written without spaces (zh, ja, th, ...)",
    )
    max_references: int = Field(default=5, ge=1, le=5)
    max_reference_sentences: int = Field(default=3, ge=1, le=3)
    max_reference_chars: int = Field(default=600, ge=50)
    queries_per_article: int = Field(default=2, ge=1, le=20)
    sampling: SamplingParams | None = Field(
        default=None, description="of the query writer, injector and translator; default llm's"
    )
    answer_model: ModelUnderStudy = ModelUnderStudy()
    inject_types: tuple[SpanType, ...] = Field(default=tuple(SpanType), min_length=1)
    inject_per_article: int = Field(
        default=1, ge=1, le=5, description="references of each article that get hallucinations"
    )
    validators: HallucinationValidatorSettings = HallucinationValidatorSettings()

    @model_validator(mode="before")
    @classmethod
    def _moved(cls, data: object) -> object:
        """Read the thresholds earlier releases kept at the top into `validators`."""
        if not isinstance(data, dict) or not any(k in data for k in _MOVED_TO_VALIDATORS):
            return data
        data = dict(data)
        checks = dict(data.get("validators") or {})
        for key in _MOVED_TO_VALIDATORS:
            if key in data:
                checks.setdefault(key, data.pop(key))
        data["validators"] = checks
        return data
