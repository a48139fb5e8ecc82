"""What one stage made of one shard: accepted, rejected and failed records, balanced."""

from collections import Counter
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, model_validator

from babelforge.schemas.base import Record
from babelforge.schemas.errors import AccountingError
from babelforge.schemas.provenance import Usage
from babelforge.schemas.verdict import Failed, Rejected

OutT = TypeVar("OutT", bound=BaseModel)


class ValidatorStats(Record):
    """Pass count and score summary of one validator over a shard."""

    passed: int = 0
    total: int = 0
    scores: tuple[float, ...] = ()


class ShardOutcome(BaseModel, Generic[OutT]):
    """The result of one shard; `n_input` counts the inputs the outputs account for.

    Stages that turn one input into several outputs (k questions per paragraph) set
    `n_input` to the number of candidate outputs they produced, so the invariant
    accepted + rejected + failed == input always holds.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    n_input: int
    accepted: tuple[OutT, ...] = ()
    rejected: tuple[Rejected[OutT], ...] = ()
    failed: tuple[Failed, ...] = ()
    validators: dict[str, ValidatorStats] = {}
    usage: Usage = Usage()

    @model_validator(mode="after")
    def _balanced(self) -> "ShardOutcome[OutT]":
        total = len(self.accepted) + len(self.rejected) + len(self.failed)
        if total != self.n_input:
            raise AccountingError(
                f"accounting broken: accepted {len(self.accepted)} + rejected "
                f"{len(self.rejected)} + failed {len(self.failed)} != input {self.n_input}"
            )
        return self

    def reason_counts(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for r in self.rejected:
            counts.update(r.reasons[:1])
        for f in self.failed:
            counts[f.reason] += 1
        return dict(counts)


class Worker(Record):
    """The process that committed a shard: host, the execution engine's node id (None on the
    local engine) and process id."""

    host: str
    node_id: str | None = None
    pid: int


class Fingerprint(Record):
    """What a stage's shards were made from: `digest` hashes `parts` (config, llm, inputs,
    prompts, schema, upstream), each a hash itself, so a changed part can be named."""

    digest: str
    parts: dict[str, str] = {}

    def changed(self, other: "Fingerprint | None") -> list[str]:
        """The parts that differ from `other` (every part when there is no other)."""
        if other is None:
            return sorted(self.parts)
        keys = set(self.parts) | set(other.parts)
        return sorted(k for k in keys if self.parts.get(k) != other.parts.get(k))


class ShardSummary(Record):
    """The commit marker of a finished shard, written last; `output` names the record type
    of its accepted and rejected records (the stage's declared output).

    `attempt` is the unique id of the commit and `files` the record files it made (readers
    open these only); `fingerprint` is what the stage was made from and `upstream_attempt`
    the upstream shard's commit it read, so a changed config or a re-made upstream shard
    makes the marker stale. Markers of earlier releases lack these and count as stale.
    """

    stage: str
    language: str
    index: int
    output: str = ""
    n_input: int
    accepted: int
    rejected: int
    failed: int
    reasons: dict[str, int] = {}
    validators: dict[str, ValidatorStats] = {}
    usage: Usage = Usage()
    attempt: str = ""
    files: dict[str, str] = {}
    fingerprint: Fingerprint | None = None
    upstream_attempt: str | None = None
    worker: Worker | None = None
