"""The report's table of workers: which process committed how many shards and paid how many
requests (from the `worker` of every commit marker; node is Ray's node id on the Ray engine)."""

from collections import defaultdict
from collections.abc import Iterable

from babelforge.schemas.base import Record
from babelforge.schemas.outcome import ShardSummary
from babelforge.schemas.provenance import Usage


class WorkerRow(Record):
    """One worker: host, engine node id (None on the local engine), process id."""

    host: str
    node_id: str | None
    pid: int
    shards: int
    usage: Usage


def worker_rows(summaries: Iterable[ShardSummary]) -> tuple[WorkerRow, ...]:
    """Shards and usage per worker; markers of earlier releases (no worker) are left out."""
    groups: dict[tuple[str, str | None, int], list[ShardSummary]] = defaultdict(list)
    for s in summaries:
        if s.worker is not None:
            groups[(s.worker.host, s.worker.node_id, s.worker.pid)].append(s)
    return tuple(
        WorkerRow(
            host=host,
            node_id=node,
            pid=pid,
            shards=len(shards),
            usage=sum((s.usage for s in shards), Usage()),
        )
        for (host, node, pid), shards in sorted(groups.items(), key=lambda kv: str(kv[0]))
    )


def worker_section(rows: tuple[WorkerRow, ...]) -> list[str]:
    """The Markdown lines of the workers table (none when no marker names its worker)."""
    if not rows:
        return []
    lines = [
        "",
        "## Workers",
        "",
        "| host | node | pid | shards | requests | cached |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        node = r.node_id[:12] if r.node_id else "local"
        lines.append(
            f"| {r.host} | {node} | {r.pid} | {r.shards} | {r.usage.requests} "
            f"| {r.usage.cached_requests} |"
        )
    return lines
