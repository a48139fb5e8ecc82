"""Shared fixtures: one real embedded llama.cpp server for the whole session."""

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from babelforge.generators.embedded import EmbeddedServer
from babelforge.generators.openai_client import OpenAICompatibleClient

os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# comet_ml would start Sentry error reporting at import (flows/tracking.py sets this too)
os.environ.setdefault("COMET_ERROR_TRACKING_ENABLE", "false")
# Prefect logs "Stopping temporary server" at interpreter exit, after pytest closed its streams.
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


@pytest.fixture(scope="session")
def embedded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    """The bundled SmolLM2 model behind a real llama.cpp server on 127.0.0.1."""
    log = Path(tmp_path_factory.mktemp("llama")) / "server.log"
    with EmbeddedServer(context_length=2048, log_path=log) as server:
        yield server


@pytest.fixture
async def real_client(embedded_server: EmbeddedServer) -> AsyncIterator[OpenAICompatibleClient]:
    """A client of the session's llama.cpp server, as the embedded backend builds it."""
    client = OpenAICompatibleClient(
        embedded_server.base_url,
        embedded_server.model,
        backend="llama.cpp",
        structured="json_object",
        max_concurrency=2,
    )
    yield client
    await client.aclose()


# Fixtures that start a real server: a test that uses one is `slow` whether or not it says so,
# so `pytest -m "not slow"` is the quick subset and no slow test hides in it.
REAL_SERVER_FIXTURES = frozenset({"embedded_server", "label_studio", "vllm_server", "vllm_model"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses a real-server fixture `slow`."""
    for item in items:
        if REAL_SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
