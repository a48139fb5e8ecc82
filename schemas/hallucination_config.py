"""Config of the hallucination-detection recipe."""

from pydantic import Field

from schemas.base import Record


class HallucinationConfig(Record):
    """Queries from references, injected hallucinations, and translated tagged data."""

    article_paths: dict[str, tuple[str, ...]] = {}
    tagged_paths: tuple[str, ...] = ()
    max_articles: int | None = Field(default=None, ge=1)
