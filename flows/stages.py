"""Run one stage over its inputs in shards: a Prefect task per shard, resumable, accounted.

A shard whose commit marker exists is skipped, so a killed run resumes from the last complete
shard; LLM replies of an unfinished shard come back from the response cache.
"""

import asyncio
import sys
from collections.abc import Callable, Coroutine, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from typing_extensions import TypeAliasType

from babelforge.flows.context import RunContext
from babelforge.flows.store import RunStore
from babelforge.generators.accounting import Accounting
from babelforge.generators.backends import chat_client
from babelforge.generators.client import ChatClient
from babelforge.schemas.outcome import ShardOutcome, ShardSummary

In = TypeVar("In")
Out = TypeVar("Out", bound=BaseModel)

ShardFn = TypeAliasType(
    "ShardFn", Callable[[list[In]], Coroutine[Any, Any, ShardOutcome[Out]]], type_params=(In, Out)
)


def chunked(items: Iterable[In], size: int) -> Iterator[list[In]]:
    """Yield lists of at most `size` items, streaming."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=5)
def process_shard(
    store: RunStore, stage: str, language: str, index: int, shard: list[In], fn: ShardFn[In, Out]
) -> ShardSummary:
    """Process one shard and commit it to the run store (records first, marker last)."""
    outcome: ShardOutcome[Out] = asyncio.run(fn(shard))
    summary = store.write_shard(stage, language, index, outcome)
    get_run_logger().info(
        "%s/%s shard %d: %d in, %d accepted, %d rejected, %d failed",
        stage, language, index, summary.n_input, summary.accepted, summary.rejected, summary.failed,
    )  # fmt: skip
    return summary


def run_stage(
    store: RunStore,
    stage: str,
    language: str,
    inputs: Iterable[In],
    shard_size: int,
    fn: ShardFn[In, Out],
) -> list[ShardSummary]:
    """Run `fn` over every shard of `inputs` that is not committed yet; return all summaries."""
    summaries = []
    with Progress(
        SpinnerColumn(),
        TextColumn(f"{stage} [{language}]"),
        TextColumn("{task.completed} records"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=not sys.stderr.isatty(),
        transient=True,
    ) as progress:
        bar = progress.add_task(stage, total=None)
        for index, shard in enumerate(chunked(inputs, shard_size)):
            done = store.summary(stage, language, index)
            if done is None:
                name = f"{stage}-{language}-{index:05d}"
                done = process_shard.with_options(task_run_name=name)(
                    store, stage, language, index, shard, fn
                )
            summaries.append(done)
            progress.advance(bar, len(shard))
    if not summaries:  # an empty stage still shows in the report, with zero input
        summaries.append(store.write_shard(stage, language, 0, ShardOutcome[BaseModel](n_input=0)))
    return summaries


LLMWork = TypeAliasType(
    "LLMWork",
    Callable[[ChatClient, list[In]], Coroutine[Any, Any, ShardOutcome[Out]]],
    type_params=(In, Out),
)


def llm_shard(context: RunContext, work: LLMWork[In, Out]) -> ShardFn[In, Out]:
    """Wrap `work(client, shard)` so each shard gets a client and its own token accounting."""

    async def fn(shard: list[In]) -> ShardOutcome[Out]:
        accounting = Accounting()
        async with chat_client(
            context.config.llm, cache=context.cache, accounting=accounting
        ) as client:
            outcome = await work(client, shard)
        return outcome.model_copy(update={"usage": accounting.total()})

    return fn
