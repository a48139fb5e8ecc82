"""Apply a configured list of validators to a shard and account for every record.

Order of work, whatever the order of the list:

1. per-record validators run on every record (cheap, pure), so every record carries all
   their verdicts;
2. batch validators (near-duplicates) run on the records that survived step 1, so a
   duplicate is never dropped in favour of an original that is itself rejected;
3. async validators (the LLM judge) run on the records that survived steps 1-2, so no
   tokens are paid for records already dropped; one that cannot get an answer from its
   service turns the record into `Failed`, not into a rejection.

Verdicts are appended to the record's `verdicts` field when it has one. A record is accepted
when every verdict keeps it; otherwise it becomes `Rejected` with the failing verdicts first.
"""

import asyncio
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from babelforge.schemas.outcome import ShardOutcome, ValidatorStats
from babelforge.schemas.verdict import Failed, Rejected, Verdict
from babelforge.validators.base import AnyValidator, AsyncValidator, BatchValidator, Validator

R = TypeVar("R", bound=BaseModel)


def apply_validators(
    records: Sequence[R],
    validators: Sequence[AnyValidator],
    *,
    stage: str,
) -> ShardOutcome[R]:
    """Run per-record and batch validators over a shard; returns the balanced outcome.

    Raises TypeError when given an async validator: use `apply_validators_async` for those.
    """
    asyncs = [v.name for v in validators if _is_async(v)]
    if asyncs:
        raise TypeError(f"validators {asyncs} are async: call apply_validators_async instead")
    sync = [v for v in validators if isinstance(v, Validator | BatchValidator)]
    verdicts = _run_sync(records, sync)
    return _outcome(records, verdicts, {}, [v.name for v in validators], stage)


async def apply_validators_async(
    records: Sequence[R],
    validators: Sequence[AnyValidator],
    *,
    stage: str,
) -> ShardOutcome[R]:
    """Like `apply_validators`, and await async validators on the survivors, every record's
    chain at once: the client's limiter is what bounds requests per endpoint (a cap here
    would leave the endpoint's slots idle while records wait)."""
    sync: list[Validator | BatchValidator] = []
    asyncs: list[AsyncValidator] = []
    for validator in validators:
        if isinstance(validator, BatchValidator) or not isinstance(validator, AsyncValidator):
            sync.append(validator)
        else:
            asyncs.append(validator)
    verdicts = _run_sync(records, sync)
    failures: dict[int, Failed] = {}
    survivors = [i for i, vs in enumerate(verdicts) if all(v.keep for v in vs)]

    async def judge(i: int) -> None:
        for validator in asyncs:
            result = await validator.check(records[i])
            if isinstance(result, Failed):
                failures[i] = result
                return
            verdicts[i].append(result)
            if not result.keep:
                return

    await asyncio.gather(*(judge(i) for i in survivors))
    return _outcome(records, verdicts, failures, [v.name for v in validators], stage)


def _is_async(validator: object) -> bool:
    return isinstance(validator, AsyncValidator) and not isinstance(validator, BatchValidator)


def _run_sync(
    records: Sequence[Any], validators: Sequence[Validator | BatchValidator]
) -> list[list[Verdict]]:
    per_record = [v for v in validators if not isinstance(v, BatchValidator)]
    batch = [v for v in validators if isinstance(v, BatchValidator)]
    verdicts = [[validate(record) for validate in per_record] for record in records]
    for validator in batch:
        survivors = [i for i, vs in enumerate(verdicts) if all(v.keep for v in vs)]
        found = validator.check_batch([records[i] for i in survivors])
        if len(found) != len(survivors):
            raise ValueError(
                f"{validator.name} returned {len(found)} verdicts for {len(survivors)} records"
            )
        for i, verdict in zip(survivors, found, strict=True):
            verdicts[i].append(verdict)
    return verdicts


def _outcome(
    records: Sequence[R],
    verdicts: list[list[Verdict]],
    failures: dict[int, Failed],
    names: list[str],
    stage: str,
) -> ShardOutcome[R]:
    record_type: type[BaseModel] = type(records[0]) if records else BaseModel
    accepted: list[BaseModel] = []
    rejected: list[Rejected[Any]] = []
    failed: list[Failed] = []
    for i, (record, found) in enumerate(zip(records, verdicts, strict=True)):
        marked = _with_verdicts(record, found)
        if i in failures:
            failed.append(failures[i])
        elif all(v.keep for v in found):
            accepted.append(marked)
        else:
            ordered = tuple(v for v in found if not v.keep) + tuple(v for v in found if v.keep)
            rejected.append(Rejected[record_type](stage=stage, record=marked, verdicts=ordered))  # type: ignore[valid-type]
    outcome_type: Any = ShardOutcome[record_type]  # type: ignore[valid-type]
    result: ShardOutcome[R] = outcome_type(
        n_input=len(records),
        accepted=tuple(accepted),
        rejected=tuple(rejected),
        failed=tuple(failed),
        validators=validator_stats(verdicts, names),
    )
    return result


def _with_verdicts(record: R, found: list[Verdict]) -> R:
    if "verdicts" not in type(record).model_fields:
        return record
    previous: tuple[Verdict, ...] = getattr(record, "verdicts", ())
    return record.model_copy(update={"verdicts": (*previous, *found)})


def validator_stats(
    verdicts: Sequence[Sequence[Verdict]], names: Sequence[str]
) -> dict[str, ValidatorStats]:
    """Return, per validator name, how many records it passed and judged and its scores."""
    passed = dict.fromkeys(names, 0)
    total = dict.fromkeys(names, 0)
    scores: dict[str, list[float]] = {n: [] for n in names}
    for found in verdicts:
        for v in found:
            total[v.validator] = total.get(v.validator, 0) + 1
            passed[v.validator] = passed.get(v.validator, 0) + int(v.keep)
            if v.score is not None:
                scores.setdefault(v.validator, []).append(v.score)
    return {
        n: ValidatorStats(passed=passed[n], total=total[n], scores=tuple(scores.get(n, ())))
        for n in total
    }
