"""Build the ChatClient a run config asks for; start the embedded server when it is named."""

import os
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from babelforge.generators.accounting import Accounting
from babelforge.generators.cache import CachedClient, ResponseCache
from babelforge.generators.client import ChatClient
from babelforge.generators.embedded import EmbeddedServer
from babelforge.generators.errors import LLMUnavailableError
from babelforge.generators.openai_client import OpenAICompatibleClient, StructuredWire
from babelforge.schemas.config import LLMConfig


@contextmanager
def llm_endpoint(config: LLMConfig, log_path: Path | None = None) -> Iterator[LLMConfig]:
    """Yield the config with a reachable `base_url`, starting the embedded server if needed."""
    if config.backend != "embedded":
        if config.backend == "openai" and not config.base_url:
            raise LLMUnavailableError("llm.base_url is required for the openai backend")
        yield config
        return
    if config.base_url:
        yield config
        return
    with EmbeddedServer(context_length=config.context_length, log_path=log_path) as server:
        yield config.model_copy(update={"base_url": server.base_url, "model": server.model})


def structured_wire(config: LLMConfig) -> StructuredWire:
    """The native structured-output mechanism of the configured backend."""
    if config.structured_output != "auto":
        return config.structured_output
    return "json_object" if config.backend == "embedded" else "json_schema"


@asynccontextmanager
async def chat_client(
    config: LLMConfig,
    *,
    cache: ResponseCache | None,
    accounting: Accounting,
    environ: Mapping[str, str] | None = None,
) -> AsyncIterator[ChatClient]:
    """Yield a ChatClient for the running event loop, wrapped in the response cache."""
    inner: ChatClient
    closer: OpenAICompatibleClient | None = None
    if config.backend == "vllm-engine":
        from babelforge.generators.vllm_engine import VLLMEngineClient

        inner = VLLMEngineClient.for_config(config, accounting=accounting)
    else:
        assert config.base_url, "llm_endpoint() sets base_url"
        closer = OpenAICompatibleClient(
            config.base_url,
            config.model,
            api_key=config.api_key(dict(environ if environ is not None else os.environ)),
            backend="llama.cpp" if config.backend == "embedded" else "openai-compatible",
            structured=structured_wire(config),
            max_concurrency=config.max_concurrency,
            timeout_s=config.timeout_s,
            max_retries=config.max_retries,
            accounting=accounting,
        )
        inner = closer
    try:
        yield CachedClient(inner, cache, accounting) if cache is not None else inner
    finally:
        if closer is not None:
            await closer.aclose()
