"""One line on the console every PROGRESS_EVERY_S seconds while a run's lanes execute: shards
done and paused, requests paid and answered from the cache, retries, and each endpoint's share of
failed attempts, so a run against a failing endpoint says so long before it ends."""

import asyncio
import logging
from collections.abc import Iterator

from babelforge.flows.executor import Engine
from babelforge.generators.accounting import Accounting
from babelforge.generators.breaker import Breaker

PROGRESS_EVERY_S = 15.0
log = logging.getLogger(__name__)


async def report_progress(engine: Engine, every_s: float = PROGRESS_EVERY_S) -> None:
    """Log the run's progress every `every_s` seconds until cancelled."""
    while True:
        await asyncio.sleep(every_s)
        log.info("%s", progress_line(engine))


def progress_line(engine: Engine) -> str:
    usage = _usage(engine)
    parts = [
        f"progress: {engine.done[0]} shard(s) done",
        *([f"{len(engine.paused)} paused by an outage"] if engine.paused else []),
        f"{usage[0]} request(s) paid, {usage[1]} from the cache, {usage[2]} retried",
    ]
    for breaker in _breakers(engine):
        failed, attempts = breaker.recent_failures
        if attempts:
            parts.append(f"{breaker.endpoint}: {failed} of the last {attempts} attempts failed")
    return "; ".join(parts)


def _usage(engine: Engine) -> tuple[int, int, int]:
    paid = cached = retries = 0
    books = (getattr(c, "accounting", None) for c in engine.clients.values())
    for accounting in {id(a): a for a in books if isinstance(a, Accounting)}.values():
        total = accounting.total()
        paid, cached = paid + total.requests, cached + total.cached_requests
        retries += accounting.retries
    return paid, cached, retries


def _breakers(engine: Engine) -> Iterator[Breaker]:
    """The breakers of the run's HTTP endpoints (behind the run-wide cache, in a pool)."""
    seen: set[int] = set()
    for client in engine.clients.values():
        inner = getattr(client, "inner", client)
        for member in getattr(inner, "clients", (inner,)):
            breaker = getattr(member, "breaker", None)
            if isinstance(breaker, Breaker) and id(breaker) not in seen:
                seen.add(id(breaker))
                yield breaker
