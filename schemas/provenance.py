"""Where a record came from: sources, model, prompt version, sampling, usage, time."""

from datetime import datetime

from pydantic import Field

from babelforge.schemas.base import Record
from babelforge.schemas.languages import LanguageCode


class Usage(Record):
    """Tokens and requests spent; `cached_requests` were served from the response cache."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    requests: int = 0
    cached_requests: int = 0

    def __add__(self, other: "Usage") -> "Usage":
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            requests=self.requests + other.requests,
            cached_requests=self.cached_requests + other.cached_requests,
        )


class SamplingParams(Record):
    """Sampling parameters sent with every request."""

    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    top_p: float = Field(default=0.95, gt=0.0, le=1.0)
    max_tokens: int = Field(default=512, gt=0)
    seed: int | None = 0


class Provenance(Record):
    """Sources, model, backend, prompt id and version hash, sampling, usage and timestamps."""

    source_ids: tuple[str, ...] = ()
    source_urls: tuple[str, ...] = ()
    source_language: LanguageCode | None = None
    model: str | None = None
    backend: str | None = None
    prompt_id: str | None = None
    prompt_version: str | None = None
    sampling: SamplingParams | None = None
    seed: int | None = None
    usage: Usage = Usage()
    generated_at: datetime | None = None
