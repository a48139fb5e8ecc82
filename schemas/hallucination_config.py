"""Config of the hallucination-detection recipe."""

from typing import Literal

from pydantic import Field

from babelforge.schemas.base import Record
from babelforge.schemas.languages import LanguageCode
from babelforge.schemas.provenance import SamplingParams
from babelforge.schemas.records import SpanType

HallucinationStage = Literal["queries", "answers", "inject", "translate"]


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
    query_min_chars: int = Field(default=8, ge=1)
    sampling: SamplingParams | None = Field(
        default=None, description="of the query writer, injector and translator; default llm's"
    )
    answer_model: ModelUnderStudy = ModelUnderStudy()
    inject_types: tuple[SpanType, ...] = Field(default=tuple(SpanType), min_length=1)
    inject_per_article: int = Field(
        default=1, ge=1, le=5, description="references of each article that get hallucinations"
    )
    inject_min_context_similarity: float = Field(default=0.6, ge=0, le=1)
    langid_min_confidence: float = Field(default=0.5, ge=0, le=1)
    langid_min_letters: int = Field(default=12, ge=0)
