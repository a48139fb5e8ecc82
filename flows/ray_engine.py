"""The Ray engine (`execution: {engine: ray}`): Prefect stays the control plane on this process,
Ray runs the shards' work.

Every shard is still one Prefect task here (same name, tag and retries as on the local engine);
its body, making the records and committing them to the run store, runs in a `ShardWorker`:
one async Ray actor per node (`workers_per_node` of them), pinned to that node, that builds the
run's LLM clients inside the worker from the config on its first shard and keeps them for the
run, so a client's concurrency limit and connection pool outlive single shards. The executor's
per-lane window bounds how many shards are in flight; a shard goes to the least busy worker
and only its marker (the ShardSummary) comes back, never its records.

A worker that dies mid-shard (its node removed, its process killed) raises WorkerLostError,
which the shard task retries like an I/O error; the retry goes to a live worker, and answers
the lost worker's marker instead when that one committed before dying, so a shard commits once.
"""

import asyncio
import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import AsyncExitStack, contextmanager
from types import ModuleType
from typing import Any

from babelforge.flows.clients import run_clients
from babelforge.flows.executor import Engine, Lane, commit_shard
from babelforge.flows.store import RunStore
from babelforge.flows.worker import WorkerLostError
from babelforge.generators.client import ChatClient
from babelforge.generators.errors import MissingExtraError
from babelforge.recipes.catalog import configured
from babelforge.recipes.stage import LLMUse
from babelforge.schemas.config import LLMConfig, RunConfig
from babelforge.schemas.errors import BabelforgeError
from babelforge.schemas.outcome import ShardSummary

log = logging.getLogger(__name__)
RAY_EXTRA = "pip install 'babelforge[ray]'"
READY_TIMEOUT_S = 120.0


def import_ray() -> ModuleType:
    """Ray, with its usage statistics off unless the user's environment says otherwise."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        import ray
    except ImportError as e:
        raise MissingExtraError(f"execution.engine 'ray' needs Ray: {RAY_EXTRA}") from e
    return ray


class ShardWorker:
    """The body of a Ray actor (wrapped by `ray.remote` when the engine starts): makes and
    commits shards with the run's LLM clients, built once, in this worker's event loop."""

    def __init__(self, config_json: str, llms_json: Mapping[str, str]) -> None:
        self.config = RunConfig.model_validate_json(config_json)
        self.llms: dict[LLMUse, LLMConfig] = {
            use: LLMConfig.model_validate_json(text)  # type: ignore[misc]
            for use, text in llms_json.items()
        }
        self.recipes = {recipe.name: recipe for recipe in configured(self.config)}
        self.stack = AsyncExitStack()
        self.clients: Mapping[LLMUse, ChatClient] | None = None
        self.opening = asyncio.Lock()

    def node(self) -> str:
        return str(import_ray().get_runtime_context().get_node_id())

    async def run(
        self,
        store: RunStore,
        where: tuple[str, str, str],
        index: int,
        offset: int,
        batch: list[Any],
    ) -> ShardSummary:
        """Make shard `index` of (recipe, stage, language) `where` and commit it to `store`
        (the head's, with its expectations of the markers); returns the marker."""
        recipe, stage, language = where
        async with self.opening:
            if self.clients is None:
                self.clients = await self.stack.enter_async_context(run_clients(self.llms))
        clients = self.clients
        lane = Lane(self.recipes[recipe], self.recipes[recipe].stage(stage), language)
        engine = Engine(config=self.config, store=store, clients=clients)
        return await commit_shard(engine, lane, index, offset, batch)

    async def close(self) -> None:
        await self.stack.aclose()


class RayShards:
    """The head's view of the cluster's shard workers: sends a shard to the least busy live
    worker, turns a lost worker into WorkerLostError and replaces workers of new nodes."""

    def __init__(
        self, ray: ModuleType, config: RunConfig, store: RunStore, llms_json: dict[str, str]
    ) -> None:
        self.ray = ray
        self.store = store
        self.actor = ray.remote(ShardWorker)
        self.args = (config.model_dump_json(), llms_json)
        self.per_node = config.execution.workers_per_node
        self.workers: dict[Any, str] = {}  # handle -> node id
        self.busy: dict[Any, int] = {}

    def grow(self) -> None:
        """Start the workers of every live node that has none; wait until they answer."""
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        served = set(self.workers.values())
        started = []
        for node in self.ray.nodes():
            if not node["Alive"] or node["NodeID"] in served:
                continue
            strategy = NodeAffinitySchedulingStrategy(node["NodeID"], soft=False)
            for _ in range(self.per_node):
                handle = self.actor.options(
                    num_cpus=0, max_restarts=0, scheduling_strategy=strategy
                ).remote(*self.args)
                started.append((handle, node["NodeID"]))
        ready = self.ray.get([h.node.remote() for h, _ in started], timeout=READY_TIMEOUT_S)
        for (handle, wanted), node_id in zip(started, ready, strict=True):
            assert node_id == wanted, f"worker for node {wanted} started on {node_id}"
            self.workers[handle] = node_id
            self.busy[handle] = 0

    async def run(self, lane: Lane, index: int, offset: int, batch: list[Any]) -> ShardSummary:
        """Run one shard on a worker; a marker already committed (by a worker lost after
        its commit) is the answer instead."""
        committed = self.store.committed(lane.stage.name, lane.language, index)
        if committed is not None:
            return committed
        if not self.workers:
            await asyncio.to_thread(self.grow)
        if not self.workers:
            raise WorkerLostError("no live Ray node has a shard worker")
        handle = min(self.workers, key=lambda h: self.busy[h])
        node = self.workers[handle]
        name = f"{lane.stage.name}-{lane.language}-{index:05d}"
        log.info("shard %s dispatched to node %s", name, node)
        where = (lane.recipe.name, lane.stage.name, lane.language)
        self.busy[handle] += 1
        try:
            summary: ShardSummary = await handle.run.remote(self.store, where, index, offset, batch)
        except self._lost as e:
            self.workers.pop(handle, None)
            log.warning("shard %s: the worker on node %s was lost (%s)", name, node, type(e))
            raise WorkerLostError(f"shard {name}: worker on node {node} lost: {e}") from None
        except self.ray.exceptions.RayTaskError as e:
            if isinstance(e.cause, BabelforgeError):  # an outage, a stopped endpoint: as is,
                raise e.cause from None  # without the worker's traceback in its one line
            raise
        finally:
            self.busy[handle] = self.busy.get(handle, 1) - 1
        return summary

    @property
    def _lost(self) -> tuple[type[BaseException], ...]:
        errors = self.ray.exceptions
        return (
            errors.RayActorError,
            errors.WorkerCrashedError,
            errors.NodeDiedError,
            errors.ObjectLostError,
            errors.LocalRayletDiedError,
        )

    def close(self) -> None:
        handles = list(self.workers)
        try:
            self.ray.get([h.close.remote() for h in handles], timeout=30)
        except (*self._lost, self.ray.exceptions.GetTimeoutError):
            log.warning("some Ray shard workers did not close cleanly")
        for handle in handles:
            self.ray.kill(handle)
        self.workers.clear()


@contextmanager
def ray_shards(
    config: RunConfig, store: RunStore, llms: Mapping[LLMUse, LLMConfig]
) -> Iterator[RayShards]:
    """Join the cluster at `execution.address`, start a shard worker on every node, yield
    the dispatcher; the workers end (and this process leaves the cluster) on exit."""
    ray = import_ray()
    address = config.execution.address
    ray.init(
        address=address,
        namespace=f"babelforge-{config.name}",
        logging_level=logging.WARNING,
        log_to_driver=False,
        configure_logging=False,
    )
    try:
        shards = RayShards(ray, config, store, {u: c.model_dump_json() for u, c in llms.items()})
        try:
            shards.grow()
            log.info("Ray engine at %s: %d shard workers", address, len(shards.workers))
            yield shards
        finally:
            shards.close()
    finally:
        ray.shutdown()


@contextmanager
def remote_shards(
    config: RunConfig, store: RunStore, llms: Mapping[LLMUse, LLMConfig]
) -> Iterator[RayShards | None]:
    """The Ray engine's dispatcher when the config names it, else None (the local engine)."""
    if config.execution.engine != "ray":
        yield None
        return
    with ray_shards(config, store, llms) as shards:
        yield shards
