"""The LLM clients of one run: one per endpoint, opened once in the run's event loop and
shared by every shard of every stage (identical requests in flight are sent once), and the
per-shard view that answers from the shard's cache segment and counts what the shard spent.

    <run_dir>/stages/<stage>/<language>/shard-00000.cache/<uuid>.jsonl   the shard's replies

The segment lives with the shard in the run store, so whichever worker resumes the shard (another
process, another machine, a run dir on S3) finds the replies already paid for it.
"""

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager, contextmanager
from pathlib import Path

from babelforge.flows.store import RunStore
from babelforge.generators.accounting import Accounting
from babelforge.generators.backends import chat_client, llm_endpoint
from babelforge.generators.cache import CachedClient
from babelforge.generators.cache_store import SharedCache, open_segment
from babelforge.generators.client import ChatClient, ChatReply, ChatRequest
from babelforge.recipes.stage import LLMUse, Recipe
from babelforge.schemas.cache_config import CacheConfig
from babelforge.schemas.config import LLMConfig, RunConfig
from babelforge.schemas.provenance import Usage

REMEMBERED_REPLIES = 20_000
"""Replies the run-wide client keeps in memory to answer identical requests of other shards
(a few MB; the shard segments hold every reply for good)."""


class ShardClient:
    """A shard's view of the shared client: same budget, its own usage (a cache hit counts
    as a cached request, never as a paid one)."""

    def __init__(self, inner: ChatClient) -> None:
        self.inner = inner
        self.usage = Usage()

    @property
    def model(self) -> str:
        return self.inner.model

    @property
    def backend(self) -> str:
        return self.inner.backend

    async def complete(self, request: ChatRequest) -> ChatReply:
        reply = await self.inner.complete(request)
        self.usage = self.usage + (Usage(cached_requests=1) if reply.cached else reply.usage)
        return reply


def segment_path(stage: str, language: str, index: int) -> str:
    """The shard's cache segment, relative to the run directory."""
    return f"stages/{stage}/{language}/shard-{index:05d}.cache"


@asynccontextmanager
async def shard_client(
    inner: ChatClient | None, store: RunStore, cache: CacheConfig, segment: str
) -> AsyncIterator[ShardClient | None]:
    """The shard's client over the run's `inner` (None for a stage without LLM): the segment
    loaded for lookup, every reply written to it while the shard runs, flushed on exit."""
    if inner is None:
        yield None
        return
    shared = SharedCache(cache.shared) if cache.shared is not None else None
    async with open_segment(store.path(segment), store.fs) as loaded:
        try:
            yield ShardClient(CachedClient(inner, Accounting(), loaded, shared))
        finally:
            if shared is not None:
                await shared.aclose()


@contextmanager
def endpoints(
    config: RunConfig, recipes: Sequence[Recipe], log_dir: Path
) -> Iterator[tuple[RunConfig, dict[LLMUse, LLMConfig]]]:
    """Start the run's endpoint once (the embedded server when named), then the model under
    study's when it differs; yield the config with a reachable `llm` and the LLMs by use."""
    with ExitStack() as stack:
        run = stack.enter_context(llm_endpoint(config.llm, log_path=log_dir / "llm-server.log"))
        running = config.model_copy(update={"llm": run})
        out: dict[LLMUse, LLMConfig] = {"run": run}
        for recipe in recipes:
            if recipe.studied is None or not any(s.llm == "studied" for s in recipe.stages):
                continue
            wanted = recipe.studied(running)
            if wanted != run:
                log = log_dir / f"llm-server-{recipe.name}-studied.log"
                wanted = stack.enter_context(llm_endpoint(wanted, log_path=log))
            out["studied"] = wanted
        yield running, out


@asynccontextmanager
async def run_clients(
    configs: Mapping[LLMUse, LLMConfig],
) -> AsyncIterator[dict[LLMUse, ChatClient]]:
    """One client per distinct endpoint config, built in the running event loop; identical
    requests in flight together (from any shards) are sent once, and the last
    REMEMBERED_REPLIES paid replies are not paid again by another shard."""
    async with AsyncExitStack() as stack:
        built: dict[str, ChatClient] = {}
        out: dict[LLMUse, ChatClient] = {}
        for use, config in configs.items():
            key = config.model_dump_json()
            if key not in built:
                accounting = Accounting()
                client = await stack.enter_async_context(
                    chat_client(config, cache=None, accounting=accounting)
                )
                built[key] = CachedClient(client, accounting, remember=REMEMBERED_REPLIES)
            out[use] = built[key]
        yield out
