"""Run the declared stages of a run: every recipe and language in flight at once, a stage
starting on an upstream shard the moment that shard is committed.

Each (recipe, language, stage) is a lane. A source lane cuts its reader into shards; a
downstream lane waits for the indices its upstream lane commits and turns upstream shard i into
its own shard i, so a stage never reads more than one upstream shard at a time. Every shard is
one Prefect task (named `syndarin.translate-de-00003`), committed to the store records first and
marker last; a committed shard is skipped, so a killed run resumes where it stopped and the
replies of an unfinished shard come back from its cache segment (flows/clients.py).

All lanes share the run's clients (one per LLM endpoint, see flows/clients.py): the client's
single in-flight budget, `llm.max_concurrency`, is what bounds the requests, so the endpoint has
work while any stage has. `execution: sequential` runs the same lanes one after another, one
shard at a time (for debugging); it writes the same records.
"""

import asyncio
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Protocol

import httpx
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun
from prefect.states import State
from prefect.tasks import Task
from prefect.utilities.annotations import quote

from babelforge.flows.clients import segment_path, shard_client
from babelforge.flows.corpus_dedup import run_dedup_lane
from babelforge.flows.make_shard import make_shard
from babelforge.flows.store import RunStore
from babelforge.flows.worker import WorkerLostError
from babelforge.generators.client import ChatClient
from babelforge.generators.errors import OutageError, unavailable
from babelforge.recipes.stage import LLMUse, Recipe, Stage, StageContext
from babelforge.schemas.config import RunConfig
from babelforge.schemas.outcome import ShardSummary

LLM_TAG = "babelforge-llm"


@dataclass(frozen=True)
class Lane:
    """One stage of one recipe for one language."""

    recipe: Recipe
    stage: Stage
    language: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.recipe.name, self.stage.name, self.language)


@dataclass(frozen=True)
class Engine:
    """What every shard of a run shares: config, store and the clients by LLM use."""

    config: RunConfig
    store: RunStore
    clients: Mapping[LLMUse, ChatClient]
    remote: "RemoteShards | None" = None  # `execution.engine: ray` (flows/ray_engine.py)
    paused: list[OutageError] = field(default_factory=list)  # shards an outage left uncommitted
    done: list[int] = field(default_factory=lambda: [0])  # shards committed (or found) so far
    incomplete: set[tuple[str, str, str]] = field(default_factory=set)  # lanes missing a shard


class RemoteShards(Protocol):
    """Where a shard's work runs when not in this process: makes and commits it, returns
    its marker."""

    async def run(self, lane: Lane, index: int, offset: int, batch: list[Any]) -> ShardSummary: ...


def lanes(config: RunConfig, recipes: Iterable[Recipe]) -> list[list[Lane]]:
    """The enabled stages of every configured recipe and language, as chains in run order;
    a stage whose upstream is disabled is disabled too."""
    chains = []
    for recipe in recipes:
        for language in config.languages:
            chain: list[Lane] = []
            for stage in recipe.stages:
                upstream_on = stage.upstream is None or any(
                    lane.stage.name == stage.upstream for lane in chain
                )
                if upstream_on and stage.enabled(config, language):
                    chain.append(Lane(recipe, stage, language))
            chains.append(chain)
    return chains


async def execute(engine: Engine, chains: list[list[Lane]], *, streaming: bool) -> None:
    """Run every lane: all at once (streaming) or one after another (sequential). A shard an
    outage left uncommitted does not stop the others; at the end one OutageError names them."""
    await _lanes(engine, chains, streaming=streaming)
    if engine.paused:
        first = engine.paused[0]
        more = f" (and {len(engine.paused) - 1} more shard(s))" if len(engine.paused) > 1 else ""
        raise OutageError(f"{first}{more}; the run is resumable: rerun once the endpoint is back")


async def _lanes(engine: Engine, chains: list[list[Lane]], *, streaming: bool) -> None:
    if not streaming:
        for chain in chains:
            committed: dict[str, list[int]] = {}
            for lane in chain:
                upstream = committed.get(lane.stage.upstream or "", [])
                done: list[int] = []
                await run_lane(engine, lane, _replay(upstream), done.append, window=1)
                committed[lane.stage.name] = done
        return
    window = max(2, math.ceil(engine.config.llm.total_concurrency / engine.config.shard_size) + 1)
    async with asyncio.TaskGroup() as group:
        for chain in chains:
            queues = {lane.stage.name: asyncio.Queue[int | None]() for lane in chain}
            for lane in chain:
                subscribers = [
                    queues[d.stage.name] for d in chain if d.stage.upstream == lane.stage.name
                ]
                inbox = _drain(queues[lane.stage.name])
                group.create_task(
                    _streamed(engine, lane, inbox, subscribers, window),
                    name=f"{lane.stage.name}-{lane.language}",
                )


async def _streamed(
    engine: Engine,
    lane: Lane,
    inbox: AsyncIterator[int],
    subscribers: list[asyncio.Queue[int | None]],
    window: int,
) -> None:
    def publish(index: int) -> None:
        for queue in subscribers:
            queue.put_nowait(index)

    try:
        await run_lane(engine, lane, inbox, publish, window=window)
    finally:
        for queue in subscribers:
            queue.put_nowait(None)


async def run_lane(
    engine: Engine,
    lane: Lane,
    upstream: AsyncIterator[int],
    publish: Callable[[int], None],
    *,
    window: int,
) -> None:
    """Run one lane's shards, at most `window` at once; publish each index once committed."""
    if lane.stage.dedup is not None:  # shard i once upstream 0..i committed: flows/corpus_dedup.py
        args = (engine.config, engine.store, lane.recipe, lane.stage, lane.language)
        await run_dedup_lane(*args, upstream, publish)
        if not _upstream_complete(engine, lane):
            engine.incomplete.add(lane.key)
        return
    gate = asyncio.Semaphore(window)
    async with asyncio.TaskGroup() as group:

        async def one(index: int, inputs: list[Any] | None, offset: int) -> None:
            try:
                summary = engine.store.committed(lane.stage.name, lane.language, index)
                if summary is None:
                    batch = inputs if inputs is not None else _upstream_shard(engine, lane, index)
                    task = _shard_task(lane, index)  # quoted: Prefect walks no records
                    await task(quote(engine), lane, index, offset, quote(batch))
                engine.done[0] += 1
                publish(index)
            except OutageError as e:
                engine.paused.append(e)
                engine.incomplete.add(lane.key)
            finally:
                gate.release()

        async for index, inputs, offset in _shards(engine, lane, upstream):
            await gate.acquire()
            group.create_task(one(index, inputs, offset))
    if not _upstream_complete(engine, lane):
        engine.incomplete.add(lane.key)


def _upstream_complete(engine: Engine, lane: Lane) -> bool:
    """Whether the lane's upstream lane (once ended) committed every shard it was given."""
    upstream = (lane.recipe.name, lane.stage.upstream or "", lane.language)
    return upstream not in engine.incomplete


async def _shards(
    engine: Engine, lane: Lane, upstream: AsyncIterator[int]
) -> AsyncIterator[tuple[int, list[Any] | None, int]]:
    """(index, inputs, offset) of every shard of the lane; a downstream lane's inputs are
    read when its shard runs (None here), a committed source shard's are not needed."""
    stage = lane.stage
    if stage.upstream is not None:
        async for index in upstream:
            yield index, None, 0
        return
    assert not isinstance(stage.reads, str)
    size = stage.shard_size(engine.config)
    source: Iterator[Any] = iter(stage.reads(engine.config, lane.language))
    index = 0
    while True:
        batch = await asyncio.to_thread(lambda: list(islice(source, size)))
        if not batch and index > 0:
            return
        yield index, batch, index * size
        if not batch:  # an empty source still commits one empty shard, shown in the report
            return
        index += 1


def _upstream_shard(engine: Engine, lane: Lane, index: int) -> list[Any]:
    upstream = lane.recipe.stage(lane.stage.upstream or "")
    return engine.store.shard_accepted(upstream.name, lane.language, index, upstream.output)


def _shard_task(lane: Lane, index: int) -> Callable[..., Awaitable[ShardSummary]]:
    options: dict[str, Any] = {"task_run_name": f"{lane.stage.name}-{lane.language}-{index:05d}"}
    if lane.stage.llm != "none":
        options["tags"] = {LLM_TAG}
    return shard_task.with_options(**options)


def _retry_on_io(task: Task[..., Any], task_run: TaskRun, state: State[Any]) -> bool:
    """Retry a shard only when it failed on I/O (store, network, a lost Ray worker); a bug
    will not heal. The exception is read from the state: `state.result()` in the running event
    loop (the shard task is async) returns a coroutine instead of raising."""
    error = state.data
    return isinstance(error, OSError | httpx.TransportError | WorkerLostError)


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5, retry_condition_fn=_retry_on_io)
async def shard_task(
    engine: Engine, lane: Lane, index: int, offset: int, batch: list[Any]
) -> ShardSummary:
    """Make one shard's records, apply the stage's checks, commit it (records, then marker),
    here or on the remote engine's workers."""
    if engine.remote is not None:
        summary = await engine.remote.run(lane, index, offset, batch)
    else:
        summary = await commit_shard(engine, lane, index, offset, batch)
    get_run_logger().info(
        "%s/%s shard %d: %d in, %d accepted, %d rejected, %d failed",
        lane.stage.name,
        lane.language,
        index,
        summary.n_input,
        summary.accepted,
        summary.rejected,
        summary.failed,
    )
    return summary


async def commit_shard(
    engine: Engine, lane: Lane, index: int, offset: int, batch: list[Any]
) -> ShardSummary:
    """The work of a shard task, in whichever process runs it; returns the marker."""
    stage = lane.stage
    inner = engine.clients[stage.llm] if stage.llm != "none" else None
    segment = segment_path(stage.name, lane.language, index)
    async with shard_client(inner, engine.store, engine.config.cache, segment) as client:
        context = StageContext(
            config=engine.config,
            language=lane.language,
            index=index,
            offset=offset,
            client=client,
            store=engine.store,
        )
        outcome = await make_shard(stage, context, batch)
    lost = [f for f in outcome.failed if unavailable(f.reason)]
    if lost:  # an outage, not a verdict: leave the shard for the next run (its replies kept)
        raise OutageError(
            f"{stage.name}/{lane.language} shard {index}: {len(lost)} record(s) could not get "
            f"a reply ({lost[0].reason}: {lost[0].error}), left uncommitted"
        )
    if client is not None:
        outcome = outcome.model_copy(update={"usage": client.usage})
    return engine.store.write_shard(stage.name, lane.language, index, outcome, stage.output)


async def _replay(indices: list[int]) -> AsyncIterator[int]:
    for index in indices:
        yield index


async def _drain(queue: asyncio.Queue[int | None]) -> AsyncIterator[int]:
    while (index := await queue.get()) is not None:
        yield index
