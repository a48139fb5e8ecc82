"""What a validator is: a named callable from a record to a Verdict, and verdict helpers.

Three shapes exist, all frozen dataclasses with a `name`:

- `Validator`: `__call__(record) -> Verdict`, pure and per record (most filters);
- `BatchValidator`: `check_batch(records) -> list[Verdict]`, for checks that need the whole
  shard (near-duplicates); one verdict per record, in order;
- `AsyncValidator`: `async check(record) -> Verdict | Failed`, for the one filter that calls a
  service (the LLM judge); `Failed` means the service could not answer, not that the record
  is bad.
"""

from collections.abc import Sequence
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


def keep(validator: str, score: float | None = None, detail: str | None = None) -> Verdict:
    """Return a keeping verdict of `validator`."""
    return Verdict(validator=validator, keep=True, score=score, detail=detail)


def drop(
    validator: str, cause: str, score: float | None = None, detail: str | None = None
) -> Verdict:
    """Return a dropping verdict whose reason reads `<validator>.<cause>`."""
    return Verdict(
        validator=validator, keep=False, reason=f"{validator}.{cause}", score=score, detail=detail
    )
