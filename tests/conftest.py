"""Shared fixtures: one real embedded llama.cpp server for the whole session."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from babelforge.generators.embedded import EmbeddedServer

os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# Prefect logs "Stopping temporary server" at interpreter exit, after pytest closed its streams.
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


@pytest.fixture(scope="session")
def embedded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    """The bundled SmolLM2 model behind a real llama.cpp server on 127.0.0.1."""
    log = Path(tmp_path_factory.mktemp("llama")) / "server.log"
    with EmbeddedServer(context_length=2048, log_path=log) as server:
        yield server
