"""What `babelforge validate` writes: the three JSONL files and the summary, balanced."""

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from babelforge.flows.store import RunStore
from babelforge.schemas.base import Record
from babelforge.schemas.errors import AccountingError
from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.verdict import Failed, Verdict


class InputLine(Protocol):
    """An input line as read: the object, and the id of the record made of it."""

    @property
    def raw(self) -> Mapping[str, object]: ...

    @property
    def record_id(self) -> str: ...


class ValidateSummary(Record):
    """What `babelforge validate` did: counts, drop reasons, failure reasons, checks run."""

    input: int
    accepted: int
    rejected: int
    failed: int
    reasons: dict[str, int]
    failures: dict[str, int] = {}
    checks: tuple[str, ...]
    skipped: tuple[str, ...] = ()
    model: str | None = None
    out_dir: str

    @property
    def balanced(self) -> bool:
        return self.accepted + self.rejected + self.failed == self.input


def write_outputs(
    store: RunStore,
    input_path: str,
    lines: Sequence[InputLine],
    outcomes: list[ShardOutcome[Any]],
    names: tuple[str, ...],
    model: str | None,
    skipped: tuple[str, ...],
) -> ValidateSummary:
    verdicts: dict[str, tuple[Verdict, ...]] = {}
    for outcome in outcomes:
        verdicts |= {r.id: r.verdicts for r in outcome.accepted}
        verdicts |= {r.record.id: r.verdicts for r in outcome.rejected}
    failures: dict[str, Failed] = {f.input_id: f for o in outcomes for f in o.failed}
    accepted, rejected, failed = [], [], []
    reasons: Counter[str] = Counter()
    for line in lines:
        rid = line.record_id
        if rid in failures:
            f = failures[rid]
            failure = {"reason": f.reason, "error": f.error, "raw_text": f.raw_text}
            failed.append({**line.raw, "failure": failure})
            continue
        found = verdicts[rid]
        row = {**line.raw, "verdicts": [v.model_dump() for v in found]}
        if all(v.keep for v in found):
            accepted.append(row)
        else:
            rejected.append(row)
            reasons.update(v.reason for v in found if not v.keep and v.reason)
    summary = ValidateSummary(
        input=len(lines),
        accepted=len(accepted),
        rejected=len(rejected),
        failed=len(failed),
        reasons=dict(reasons.most_common()),
        failures=dict(Counter(f.reason for f in failures.values()).most_common()),
        checks=names,
        skipped=skipped,
        model=model,
        out_dir=store.root,
    )
    if not summary.balanced:
        raise AccountingError(f"validate lost records of {input_path}: {summary}")
    for name, rows in (("accepted", accepted), ("rejected", rejected), ("failed", failed)):
        store.write_text(f"{name}.jsonl", "".join(_jsonl(r) for r in rows))
    store.write_text(
        "summary.json",
        json.dumps({"input_path": input_path, **summary.model_dump()}, indent=2, ensure_ascii=False)
        + "\n",
    )
    return summary


def _jsonl(row: Mapping[str, object]) -> str:
    return json.dumps(row, ensure_ascii=False) + "\n"
