"""Subprocesses for tests: bounded in time, and killed with their whole process group.

A test that starts `babelforge` (which starts Prefect's ephemeral API, a llama.cpp server...)
must not leave those children running when it fails or times out.
"""

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path


def stop_group(process: subprocess.Popen[bytes], grace_s: float = 10.0) -> None:
    """SIGTERM the process group, then SIGKILL it when it has not exited within `grace_s`."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=grace_s)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # children that outlived their parent


def run_bounded(
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    timeout_s: float,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion in its own process group; returns its exit code and its
    output (stdout and stderr together). On timeout the group is killed and the output so far
    is in the AssertionError."""
    process = subprocess.Popen(
        list(args),
        env=dict(env),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired as e:
        stop_group(process)
        partial = (e.output or b"").decode(errors="replace")
        raise AssertionError(f"{' '.join(args)} ran past {timeout_s}s:\n{partial[-4000:]}") from e
    finally:
        stop_group(process)
    return subprocess.CompletedProcess(
        list(args), process.returncode, output.decode(errors="replace")
    )


@contextlib.contextmanager
def background(
    args: Sequence[str], *, env: Mapping[str, str], log_path: Path, cwd: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """A long-running command (a server) with its output in `log_path`; its process group is
    stopped when the block exits, whether the test passed or failed."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            list(args),
            env=dict(env),
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            stop_group(process)
