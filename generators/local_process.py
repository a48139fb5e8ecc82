"""Start-up and shutdown of a local server process: health polling and process-group stop.

Shared by the embedded llama.cpp server and the test-time Label Studio server.
"""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

from babelforge.schemas.errors import BabelforgeError


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(
    process: subprocess.Popen[bytes],
    url: str,
    *,
    name: str,
    timeout_s: float,
    error: type[BabelforgeError],
    log_path: Path | None = None,
    interval_s: float = 0.3,
) -> None:
    """Poll `url` until it answers 200; raise `error` (naming the log) if the process dies
    or the timeout passes, after stopping it."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:] if log_path else ""
            raise error(f"{name} exited with {process.returncode}" + (f":\n{tail}" if tail else ""))
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(interval_s)
    stop_group(process)
    where = f"; see {log_path}" if log_path else ""
    raise error(f"{name} did not answer on {url} within {timeout_s:.0f}s{where}")


def stop_group(process: subprocess.Popen[bytes] | None, timeout_s: float = 20.0) -> None:
    """Stop a process started with start_new_session=True: SIGTERM its group, then SIGKILL."""
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
