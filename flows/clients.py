"""The LLM clients of one run: one per endpoint, opened once in the run's event loop and
shared by every shard of every stage, and the per-shard view that counts what a shard spent."""

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager, contextmanager
from pathlib import Path

from babelforge.generators.accounting import Accounting
from babelforge.generators.backends import chat_client, llm_endpoint
from babelforge.generators.cache import ResponseCache
from babelforge.generators.client import ChatClient, ChatReply, ChatRequest
from babelforge.recipes.stage import LLMUse, Recipe
from babelforge.schemas.config import LLMConfig, RunConfig
from babelforge.schemas.provenance import Usage


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
    configs: Mapping[LLMUse, LLMConfig], cache: ResponseCache
) -> AsyncIterator[dict[LLMUse, ChatClient]]:
    """One cached client per distinct endpoint config, built in the running event loop."""
    async with AsyncExitStack() as stack:
        built: dict[str, ChatClient] = {}
        out: dict[LLMUse, ChatClient] = {}
        for use, config in configs.items():
            key = config.model_dump_json()
            if key not in built:
                built[key] = await stack.enter_async_context(
                    chat_client(config, cache=cache, accounting=Accounting())
                )
            out[use] = built[key]
        yield out
