"""Build the ChatClient a run config asks for; start the embedded server when it is named."""

import asyncio
import os
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from pathlib import Path

from babelforge.generators.accounting import Accounting
from babelforge.generators.cache import CachedClient
from babelforge.generators.cache_store import CacheSegment
from babelforge.generators.client import ChatClient
from babelforge.generators.embedded import EmbeddedServer, model_file
from babelforge.generators.endpoint_pool import EndpointPool
from babelforge.generators.endpoint_probe import check_model, resolve_structured
from babelforge.generators.errors import EndpointError, LLMUnavailableError
from babelforge.generators.openai_client import OpenAICompatibleClient
from babelforge.generators.vllm_metrics import queue_backpressure
from babelforge.schemas.config import LLMConfig


@contextmanager
def llm_endpoint(
    config: LLMConfig, log_path: Path | None = None, environ: Mapping[str, str] | None = None
) -> Iterator[LLMConfig]:
    """Yield the config with a reachable `base_url` (or every one of `llm.endpoints`) and a
    resolved `structured_output`, starting the embedded server if needed.

    Checks at the start what would otherwise fail every request: the model is one each
    server serves, and `auto` structured output is probed once (EndpointError otherwise).
    """
    if config.backend == "vllm-engine":
        yield config
        return
    if config.endpoints:
        yield _all_checked(config, environ)
        return
    if config.backend == "openai" and not config.base_url:
        raise LLMUnavailableError("llm.base_url is required for the openai backend")
    if config.base_url:
        yield _checked(config, environ)
        return
    path, alias = model_file(config.model_pack, config.model_path)
    with EmbeddedServer(
        path, alias=alias, context_length=config.context_length, log_path=log_path
    ) as server:
        started = config.model_copy(update={"base_url": server.base_url, "model": server.model})
        yield _checked(started, environ)


def _checked(config: LLMConfig, environ: Mapping[str, str] | None) -> LLMConfig:
    assert config.base_url
    key = config.api_key(dict(environ if environ is not None else os.environ))
    check_model(config.base_url, config.model, key)
    mode = resolve_structured(config.base_url, config.model, config.structured_output, key)
    return config.model_copy(update={"structured_output": mode})


def member_configs(config: LLMConfig) -> tuple[LLMConfig, ...]:
    """One single-endpoint config per `llm.endpoints` entry: its key from its own
    `api_key_env` (else `llm.api_key_env`), its budget `llm.max_concurrency` x its weight."""
    return tuple(
        config.model_copy(
            update={
                "base_url": e.base_url,
                "api_key_env": e.api_key_env or config.api_key_env,
                "max_concurrency": e.budget(config.max_concurrency),
                "endpoints": (),
            }
        )
        for e in config.endpoints
    )


def _all_checked(config: LLMConfig, environ: Mapping[str, str] | None) -> LLMConfig:
    """Check every endpoint of the pool; they must agree on the structured-output mode."""
    modes = {c.base_url: _checked(c, environ).structured_output for c in member_configs(config)}
    if len(set(modes.values())) > 1:
        found = ", ".join(f"{url}: {mode}" for url, mode in modes.items())
        raise EndpointError(
            "llm.endpoints", f"the endpoints accept different structured output ({found})",
            "set llm.structured_output to a mode every endpoint accepts (none works everywhere)",
        )  # fmt: skip
    return config.model_copy(update={"structured_output": next(iter(modes.values()))})


@asynccontextmanager
async def chat_client(
    config: LLMConfig,
    *,
    cache: CacheSegment | None,
    accounting: Accounting,
    environ: Mapping[str, str] | None = None,
) -> AsyncIterator[ChatClient]:
    """Yield a ChatClient for the running event loop (an EndpointPool over `llm.endpoints`,
    each of them with `llm.max_concurrency`), answering from the cache segment `cache` when
    one is given; an OpenAI-compatible server's vLLM queue gauge, where it has one, throttles
    its client (generators/vllm_metrics.py)."""
    inner: ChatClient
    environ = environ if environ is not None else os.environ
    async with AsyncExitStack() as stack:
        if config.backend == "vllm-engine":
            from babelforge.generators.vllm_engine import VLLMEngineClient

            inner = VLLMEngineClient.for_config(config, accounting=accounting)
        elif config.endpoints:
            members = [await _member(c, accounting, environ) for c in member_configs(config)]
            pool = EndpointPool(
                [(m, e.weight) for m, e in zip(members, config.endpoints, strict=True)]
            )
            stack.push_async_callback(pool.aclose)
            await stack.enter_async_context(queue_backpressure(members))
            inner = pool
        else:
            client = await _member(config, accounting, environ)
            stack.push_async_callback(client.aclose)
            if config.backend == "openai":
                await stack.enter_async_context(queue_backpressure([client]))
            inner = client
        yield CachedClient(inner, accounting, cache) if cache is not None else inner


async def _member(
    config: LLMConfig, accounting: Accounting, environ: Mapping[str, str]
) -> OpenAICompatibleClient:
    """The client of the one endpoint `config.base_url` (set by llm_endpoint())."""
    assert config.base_url, "llm_endpoint() sets base_url"
    key = config.api_key(dict(environ))
    structured = await asyncio.to_thread(
        resolve_structured, config.base_url, config.model, config.structured_output, key
    )
    return OpenAICompatibleClient(
        config.base_url,
        config.model,
        api_key=key,
        backend="llama.cpp" if config.backend == "embedded" else "openai-compatible",
        structured=structured,
        max_concurrency=config.max_concurrency,
        timeouts=config.timeouts,
        max_retries=config.max_retries,
        accounting=accounting,
    )
