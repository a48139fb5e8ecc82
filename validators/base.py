"""What a validator is: a named callable from a record to a Verdict, and verdict helpers.

Three shapes exist, all frozen dataclasses with a `name`:

- `Validator`: `__call__(record) -> Verdict`, pure and per record (most filters);
- `BatchValidator`: `check_batch(records) -> list[Verdict]`, for checks that need the whole
  shard (near-duplicates); one verdict per record, in order;
- `AsyncValidator`: `async check(record) -> Verdict | Failed`, for the one filter that calls a
  service (the LLM judge); `Failed` means the service could not answer, not that the record
  is bad.
"""

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Protocol, runtime_checkable

from babelforge.schemas.verdict import Failed, Verdict


@runtime_checkable
class Validator(Protocol):
    """A pure per-record check; never mutates the record."""

    @property
    def name(self) -> str: ...

    def __call__(self, record: Any) -> Verdict: ...


@runtime_checkable
class BatchValidator(Protocol):
    """A check that needs every record of the shard; returns one verdict per record, in order."""

    @property
    def name(self) -> str: ...

    def check_batch(self, records: Sequence[Any]) -> list[Verdict]: ...


@runtime_checkable
class AsyncValidator(Protocol):
    """A check that awaits a service; `Failed` when the service gave no usable answer."""

    @property
    def name(self) -> str: ...

    async def check(self, record: Any) -> Verdict | Failed: ...


AnyValidator = Validator | BatchValidator | AsyncValidator
# What a suite holds: any of the three shapes (the LLM judges are async ones).
Check = AnyValidator


# Distinct verdicts remembered: verdicts are frozen, and most records of a shard get the
# same few plain ones ("options" kept, no protected span), which are then made once.
SHARED_VERDICTS = 1024


def keep(validator: str, score: float | None = None, detail: str | None = None) -> Verdict:
    """Return a keeping verdict of `validator` (an equal earlier one when remembered)."""
    return _verdict(validator, True, None, score, detail)


def drop(
    validator: str, cause: str, score: float | None = None, detail: str | None = None
) -> Verdict:
    """Return a dropping verdict whose reason reads `<validator>.<cause>` (an equal earlier
    one when remembered)."""
    return _verdict(validator, False, f"{validator}.{cause}", score, detail)


def _verdict(
    validator: str, kept: bool, reason: str | None, score: float | None, detail: str | None
) -> Verdict:
    if score == 0 and math.copysign(1.0, score) < 0:  # -0.0 equals 0.0 as a cache key
        return Verdict(validator=validator, keep=kept, reason=reason, score=score, detail=detail)
    return _shared(validator, kept, reason, score, detail)


@lru_cache(maxsize=SHARED_VERDICTS, typed=True)
def _shared(
    validator: str, kept: bool, reason: str | None, score: float | None, detail: str | None
) -> Verdict:
    return Verdict(validator=validator, keep=kept, reason=reason, score=score, detail=detail)
