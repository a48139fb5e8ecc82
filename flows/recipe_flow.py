"""The one generic recipe flow: every configured recipe of a run, on one set of LLM
endpoints and one run directory (each shard keeps its replies in its own cache segment).

    snapshot the user's config -> preflight checks -> start the endpoints
    -> run every stage of every recipe and language (flows/executor.py) -> recipe metrics
    -> the report
"""

import asyncio
import uuid
from collections.abc import Mapping
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.context import AsyncClientContext

from babelforge.flows.clients import endpoints, run_clients
from babelforge.flows.executor import Engine, execute, lanes
from babelforge.flows.fingerprint import expectations
from babelforge.flows.lease import LEASE, held
from babelforge.flows.progress import report_progress
from babelforge.flows.ray_engine import remote_shards
from babelforge.flows.report import Report, build_report
from babelforge.flows.report_endpoints import record_endpoints
from babelforge.flows.store import RunStore
from babelforge.recipes.catalog import configured
from babelforge.recipes.stage import LLMUse, Recipe
from babelforge.schemas.config import LLMConfig, RunConfig


@flow(name="run")
def run_recipes(config: RunConfig, fresh: bool = False, retry_failed: bool = False) -> Report:
    """Run every configured recipe (streaming unless `execution: sequential`), write each
    recipe's metrics, then the report; resumes where an earlier run of the run_dir stopped,
    re-making the shards whose fingerprint changed (flows/fingerprint.py), holding the run
    directory's lease throughout (flows/lease.py). `fresh` deletes the run directory first;
    `retry_failed` re-makes committed shards holding `llm.*` failures."""
    store = RunStore(config.run_dir)
    with held(store, run_id=f"{config.name}-{uuid.uuid4().hex[:8]}"):
        if fresh:
            store.clear(keep=(LEASE,))
        return _run(config, store, retry_failed)


def _run(config: RunConfig, store: RunStore, retry_failed: bool) -> Report:
    store.snapshot_config(config)
    recipes = configured(config)
    for recipe in recipes:
        if recipe.preflight is not None:
            recipe.preflight(config)
    chains = lanes(config, recipes)
    store.follow(expectations(config, store, chains, get_run_logger(), retry_failed=retry_failed))
    with endpoints(config, recipes, Path(store.local_dir("logs"))) as (running, llms):
        asyncio.run(_execute(running, store, recipes, llms))
    for recipe in recipes:
        if recipe.metrics is not None:
            store.write_json(f"metrics/{recipe.name}.json", recipe.metrics(running, store))
    get_run_logger().info("run %s: %d recipes done", config.name, len(recipes))
    return build_report(store)


async def _execute(
    config: RunConfig,
    store: RunStore,
    recipes: tuple[Recipe, ...],
    llms: Mapping[LLMUse, LLMConfig],
) -> None:
    """The run's clients, built once in this event loop, then every lane of the run. One
    Prefect API client for every shard task too: without the context each task opened its own
    (a TLS context and a version check per shard)."""
    async with AsyncClientContext(), run_clients(llms) as clients:
        with remote_shards(config, store, llms) as remote:  # None on the local engine
            engine = Engine(config=config, store=store, clients=clients, remote=remote)
            streaming = config.execution.mode == "streaming"
            ticker = asyncio.create_task(report_progress(engine))
            try:
                await execute(engine, lanes(config, recipes), streaming=streaming)
            finally:
                ticker.cancel()
                record_endpoints(store, clients.values())
