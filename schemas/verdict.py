"""Validator verdicts and the wrappers for rejected and failed records."""

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from babelforge.schemas.base import Record


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
    """An input a stage could not process: the error and, for LLM replies, the raw text."""

    stage: str
    input_id: str
    reason: str
    error: str
    raw_text: str | None = None
