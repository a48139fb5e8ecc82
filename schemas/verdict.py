"""Validator verdicts and the wrappers for rejected and failed records."""

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from babelforge.schemas.base import Record
from babelforge.schemas.secrets import scrub


class Verdict(Record):
    """One validator's decision on one record; `reason` reads `<validator>.<cause>` on a drop."""

    validator: str
    keep: bool
    reason: str | None = None
    score: float | None = None
    detail: str | None = None


RecordT = TypeVar("RecordT", bound=BaseModel)


class Rejected(BaseModel, Generic[RecordT]):
    """A record a stage decided not to keep, with every verdict that explains why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stage: str
    record: RecordT
    verdicts: tuple[Verdict, ...] = Field(min_length=1)

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(v.reason for v in self.verdicts if not v.keep and v.reason)


class Failed(Record):
    """An input a stage could not process: the error and, for LLM replies, the raw text.

    Both texts come from upstream (an endpoint's error body may quote the API key it was
    sent), so they are scrubbed of the run's secret values when the record is made."""

    stage: str
    input_id: str
    reason: str
    error: str
    raw_text: str | None = None

    @field_validator("error", "raw_text")
    @classmethod
    def _scrubbed(cls, text: str | None) -> str | None:
        return None if text is None else scrub(text)
