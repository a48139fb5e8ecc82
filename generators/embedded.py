"""The embedded LLM: a llama.cpp server on 127.0.0.1 serving a model pack or a GGUF file.

Model packs ship inside pinned PyPI packages (generators/model_packs.py); they are found
through the installed packages, never downloaded. The server runs in its own process group
(stopped as a group) under generators/orphan_guard.py, so it dies with the process that
started it, also when that one is SIGKILLed.
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
from babelforge.generators.model_packs import DEFAULT_PACK, get_pack, resolve
from babelforge.schemas.errors import BabelforgeError

log = logging.getLogger(__name__)


def model_file(pack: str | None = None, path: str | Path | None = None) -> tuple[Path, str]:
    """The GGUF file to serve and the name to serve it under: a file given by path (named by
    its stem), else the verified file of the pack (default: the smallest, fastest pack)."""
    if path is not None:
        file = Path(path).expanduser()
        if not file.is_file():
            raise LLMUnavailableError(f"llm.model_path {file} is not a file; give a .gguf file")
        return file, file.stem
    chosen = get_pack(pack or DEFAULT_PACK)
    return resolve(chosen), chosen.name


class EmbeddedServer:
    """Start, health-check and stop a llama-cpp-python server; use as a context manager."""

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        alias: str | None = None,
        port: int | None = None,
        context_length: int = 2048,
        threads: int | None = None,
        startup_timeout_s: float = 120.0,
        log_path: Path | None = None,
    ) -> None:
        if model_path is None:
            model_path, default_alias = model_file()
        else:
            default_alias = model_path.stem
        self.model_path = model_path
        self.alias = alias or default_alias
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
        return self.alias

    def start(self) -> "EmbeddedServer":
        if importlib.util.find_spec("llama_cpp") is None:
            raise LLMUnavailableError(
                "the embedded backend needs llama-cpp-python[server]; run `make install`"
            )
        command = [
            sys.executable, "-m", "babelforge.generators.orphan_guard", str(os.getpid()),
            "llama_cpp.server",
            "--model", str(self.model_path),
            "--model_alias", self.alias,
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--n_ctx", str(self.context_length),
            "--n_threads", str(self.threads),
        ]  # fmt: skip
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        log.info("starting the embedded llama.cpp server (%s) on %s", self.alias, self.base_url)
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

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs (its process group has the same id)."""
        return self._process.pid if self._process is not None else None

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
    except (httpx.HTTPError, BabelforgeError) as e:
        print(f"embedded llama.cpp server smoke test failed: {e}", file=sys.stderr)
        return 1
    print("embedded llama.cpp server answers")
    return 0


if __name__ == "__main__" and sys.argv[1:] == ["--smoke"]:
    raise SystemExit(smoke())
