"""The embedded llama.cpp server dies with the process that started it, also on SIGKILL.

A small parent process starts the real server (the bundled SmolLM2 pack, as the session
fixture does) through `EmbeddedServer`, prints the server's pid and waits; the test
SIGKILLs the parent, which gets no chance to stop anything, and waits a bounded time for
the server to be gone.
"""

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.processes import stop_group

pytestmark = pytest.mark.slow

PARENT = """
import sys, time
from pathlib import Path
from babelforge.generators.embedded import EmbeddedServer
with EmbeddedServer(context_length=512, log_path=Path(sys.argv[1])) as server:
    print(server.pid, flush=True)
    time.sleep(600)
"""
STARTUP_S = 240.0
GONE_WITHIN_S = 30.0
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "wikipedia"
BABELFORGE = str(Path(sys.executable).with_name("babelforge"))


def running(pid: int) -> bool:
    """Whether `pid` is a live (not zombie) llama.cpp server process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z" and b"llama_cpp.server" in cmdline


def child_servers(parent: int) -> list[int]:
    """The llama.cpp servers whose parent is `parent`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and running(int(entry.name)):
            with contextlib.suppress(FileNotFoundError):
                status = (entry / "status").read_text()
                if f"\nPPid:\t{parent}\n" in status:
                    found.append(int(entry.name))
    return found


def server_pid(parent: subprocess.Popen[bytes], log: Path) -> int:
    """The pid the parent prints once the server answers."""
    assert parent.stdout is not None
    ready, _, _ = select.select([parent.stdout], [], [], STARTUP_S)
    line = parent.stdout.readline() if ready else b""
    assert line.strip(), f"the server did not start:\n{log.read_text(errors='replace')[-3000:]}"
    return int(line)


def test_a_sigkilled_run_leaves_no_llama_cpp_server(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(log)], stdout=subprocess.PIPE, start_new_session=True
    )
    pid: int | None = None
    try:
        pid = server_pid(parent, log)
        assert running(pid)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + GONE_WITHIN_S
        while running(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not running(pid), f"server {pid} outlived its SIGKILLed parent"
    finally:
        stop_group(parent)
        if pid is not None:  # the orphan this test looks for, if the guard failed
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)


def test_a_sigkilled_babelforge_run_leaves_no_llama_cpp_server(tmp_path: Path) -> None:
    """A real `babelforge run` on the embedded backend, SIGKILLed once its server is up."""
    config = {
        "name": "killed-run",
        "run_dir": str(tmp_path / "run"),
        "languages": ["hy"],
        "llm": {"backend": "embedded", "context_length": 512},
        "syndarin": {
            "mining": {
                "source_paths": [str(SAMPLES / "en.parquet")],
                "target_paths": {"hy": [str(SAMPLES / "hy.parquet")]},
                "langlinks_path": str(SAMPLES / "langlinks.tsv"),
                "max_pairs": 2,
            },
        },
        "tracking": {"enabled": False},
    }
    path = tmp_path / "killed-run.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    with (tmp_path / "run.log").open("wb") as out:
        run = subprocess.Popen(
            [BABELFORGE, "run", str(path)], env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    servers: list[int] = []
    try:
        deadline = time.monotonic() + STARTUP_S
        while not servers and run.poll() is None and time.monotonic() < deadline:
            servers = child_servers(run.pid)
            time.sleep(0.2)
        assert servers, (tmp_path / "run.log").read_text(errors="replace")[-3000:]
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=10)
        deadline = time.monotonic() + GONE_WITHIN_S
        while any(running(p) for p in servers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [p for p in servers if running(p)] == [], "orphaned llama.cpp servers"
    finally:
        stop_group(run)  # what else the run started (Prefect's server) goes with its group
        for pid in servers:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
