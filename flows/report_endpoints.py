"""The report's table of endpoints (`llm.endpoints`): how the requests were split, how many
failed at each endpoint and how often it was ejected. The pools' counters are added to
`endpoints.json` in the run directory when the run's clients close, so a resumed run reports
the split over all its attempts."""

import json
from collections.abc import Iterable

from babelforge.flows.store import RunStore
from babelforge.generators.cache import CachedClient
from babelforge.generators.client import ChatClient
from babelforge.generators.endpoint_pool import EndpointPool, EndpointStats

ENDPOINTS_FILE = "endpoints.json"


def pools(clients: Iterable[ChatClient]) -> list[EndpointPool]:
    """The endpoint pools under the run's clients (each once, cache layers looked through)."""
    found: list[EndpointPool] = []
    for client in clients:
        while isinstance(client, CachedClient):
            client = client.inner
        if isinstance(client, EndpointPool) and all(client is not p for p in found):
            found.append(client)
    return found


def record_endpoints(store: RunStore, clients: Iterable[ChatClient]) -> None:
    """Add the pools' counters to the run directory's `endpoints.json` (nothing without a pool)."""
    now = [row for pool in pools(clients) for row in pool.stats()]
    if not now:
        return
    merged = {row.endpoint: row for row in endpoint_rows(store)}
    for row in now:
        old = merged.get(row.endpoint)
        if old is not None:
            row = row.model_copy(
                update={
                    "requests": old.requests + row.requests,
                    "failures": old.failures + row.failures,
                    "ejections": old.ejections + row.ejections,
                }
            )
        merged[row.endpoint] = row
    store.write_json(ENDPOINTS_FILE, [row.model_dump(mode="json") for row in merged.values()])


def endpoint_rows(store: RunStore) -> tuple[EndpointStats, ...]:
    """The endpoints' counters of every run of this run directory; none without a pool."""
    if not store.exists(ENDPOINTS_FILE):
        return ()
    return tuple(
        EndpointStats.model_validate(r) for r in json.loads(store.read_text(ENDPOINTS_FILE))
    )


def endpoint_section(rows: tuple[EndpointStats, ...]) -> list[str]:
    """The Markdown lines of the endpoints table (none for a run without `llm.endpoints`)."""
    if not rows:
        return []
    total = sum(r.requests for r in rows) or 1
    lines = [
        "",
        "## Endpoints",
        "",
        "| endpoint | weight | requests | share | failures | ejections |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.endpoint} | {r.weight:g} | {r.requests} | {r.requests / total:.0%} "
            f"| {r.failures} | {r.ejections} |"
        )
    return lines
