"""Build the ChatClient a run config asks for; start the embedded server when it is named."""

import asyncio
import os
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from babelforge.generators.accounting import Accounting
from babelforge.generators.cache import CachedClient
from babelforge.generators.cache_store import CacheSegment
from babelforge.generators.client import ChatClient
from babelforge.generators.embedded import EmbeddedServer, model_file
from babelforge.generators.endpoint_probe import check_model, resolve_structured
from babelforge.generators.errors import LLMUnavailableError
from babelforge.generators.openai_client import OpenAICompatibleClient
from babelforge.schemas.config import LLMConfig


@contextmanager
def llm_endpoint(
    config: LLMConfig, log_path: Path | None = None, environ: Mapping[str, str] | None = None
) -> Iterator[LLMConfig]:
    """Yield the config with a reachable `base_url` and a resolved `structured_output`,
    starting the embedded server if needed.

    Checks at the start what would otherwise fail every request: the model is one the
    server serves, and `auto` structured output is probed once (EndpointError otherwise).
    """
    if config.backend == "vllm-engine":
        yield config
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


@asynccontextmanager
async def chat_client(
    config: LLMConfig,
    *,
    cache: CacheSegment | None,
    accounting: Accounting,
    environ: Mapping[str, str] | None = None,
) -> AsyncIterator[ChatClient]:
    """Yield a ChatClient for the running event loop, answering from the cache segment
    `cache` when one is given."""
    inner: ChatClient
    closer: OpenAICompatibleClient | None = None
    if config.backend == "vllm-engine":
        from babelforge.generators.vllm_engine import VLLMEngineClient

        inner = VLLMEngineClient.for_config(config, accounting=accounting)
    else:
        assert config.base_url, "llm_endpoint() sets base_url"
        key = config.api_key(dict(environ if environ is not None else os.environ))
        structured = await asyncio.to_thread(
            resolve_structured, config.base_url, config.model, config.structured_output, key
        )
        closer = OpenAICompatibleClient(
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
        inner = closer
    try:
        yield CachedClient(inner, accounting, cache) if cache is not None else inner
    finally:
        if closer is not None:
            await closer.aclose()
