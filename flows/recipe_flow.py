"""The one generic recipe flow: every configured recipe of a run, on one set of LLM
endpoints, one response cache and one run directory.

    snapshot the user's config -> preflight checks -> start the endpoints -> open the cache
    -> run every stage of every recipe and language (flows/executor.py) -> recipe metrics
    -> the report
"""

import asyncio
from collections.abc import Mapping
from pathlib import Path

from prefect import flow, get_run_logger

from babelforge.flows.clients import endpoints, run_clients
from babelforge.flows.executor import Engine, execute, lanes
from babelforge.flows.report import Report, build_report
from babelforge.flows.store import RunStore
from babelforge.generators.cache import ResponseCache
from babelforge.recipes.catalog import configured
from babelforge.recipes.stage import LLMUse, Recipe
from babelforge.schemas.config import LLMConfig, RunConfig


@flow(name="run")
def run_recipes(config: RunConfig) -> Report:
    """Run every configured recipe (streaming unless `execution: sequential`), write each
    recipe's metrics, then the report; resumes where an earlier run of the run_dir stopped."""
    store = RunStore(config.run_dir)
    store.snapshot_config(config)
    recipes = configured(config)
    for recipe in recipes:
        if recipe.preflight is not None:
            recipe.preflight(config)
    with endpoints(config, recipes, Path(store.local_dir("logs"))) as (running, llms):
        cache = ResponseCache(store.local_dir("cache") / "responses.sqlite")
        try:
            asyncio.run(_execute(running, store, recipes, llms, cache))
        finally:
            cache.close()
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
    cache: ResponseCache,
) -> None:
    """The run's clients, built once in this event loop, then every lane of the run."""
    async with run_clients(llms, cache) as clients:
        engine = Engine(config=config, store=store, clients=clients)
        await execute(engine, lanes(config, recipes), streaming=config.execution == "streaming")
