"""A long-lived Prefect server on 127.0.0.1 for the benches, as a deployment has one.

`babelforge run` without `PREFECT_API_URL` starts an ephemeral Prefect server per run (several
seconds of start-up and its CPU, paid by every run); with it, runs talk to the server that is
already up, which is how scheduled deployments run. The bench still counts the server's CPU:
`cpu_s()` is its whole process tree's, read before and after a run. Not a test.
"""

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.proc_cpu import tree_cpu


@dataclass(frozen=True)
class PrefectServer:
    """A running server: its API URL and the PID of its process group's leader."""

    api_url: str
    pid: int

    def cpu_s(self) -> float:
        """CPU seconds so far of the server and every process under it (Linux /proc)."""
        return tree_cpu(self.pid)


@contextlib.contextmanager
def running_prefect(env: dict[str, str], port: int) -> Iterator[PrefectServer]:
    """`prefect server start` on 127.0.0.1:`port` with `env` (its PREFECT_HOME), in its own
    process group, stopped with SIGTERM (then SIGKILL) when the block ends."""
    prefect = Path(sys.executable).with_name("prefect")
    proc = subprocess.Popen(
        [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    api = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(f"{api}/health", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"prefect server on port {port} did not start") from None
                time.sleep(0.5)
        yield PrefectServer(api, proc.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
