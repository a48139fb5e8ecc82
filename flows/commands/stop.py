"""Ctrl-C and SIGTERM stop a run within seconds, resumable: what is in flight stays
uncommitted (a shard commits by writing its marker last), so the next run redoes it.

The first signal raises KeyboardInterrupt in the main thread, so flows unwind and child
processes are stopped by their context managers; a watchdog ends the process after a grace
period anyway, because Prefect may keep retrying to report states to a server that the same
signal stopped (that took minutes). Its own child processes are sent SIGTERM first."""

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}
_received: list[signal.Signals] = []
_announced: list[signal.Signals] = []


def received() -> signal.Signals | None:
    """The signal that stopped the run, if one did."""
    return _received[0] if _received else None


@contextlib.contextmanager
def stop_on_signals(grace_s: float = 6.0) -> Iterator[None]:
    """Within the block, SIGINT/SIGTERM unwind the run and end the process in `grace_s`."""

    def handler(signum: int, frame: FrameType | None) -> None:
        sig = signal.Signals(signum)
        if not _received:
            _received.append(sig)
            threading.Thread(target=_watchdog, args=(sig, grace_s), daemon=True).start()
        raise KeyboardInterrupt(sig.name)

    previous = {s: signal.signal(s, handler) for s in EXIT_CODES}
    try:
        yield
    finally:
        for s, old in previous.items():
            signal.signal(s, old)


def announce(sig: signal.Signals) -> None:
    """The one line a stopped run prints, once, whoever gets there first."""
    if not _announced:
        _announced.append(sig)
        print(f"stopped by {sig.name}; run the same command again to resume", file=sys.stderr)


def _watchdog(sig: signal.Signals, grace_s: float) -> None:
    time.sleep(grace_s)
    announce(sig)
    _terminate_children()
    time.sleep(1.0)
    os._exit(EXIT_CODES[sig])


def _terminate_children() -> None:
    """SIGTERM to this process's children (the Prefect server, an LLM server), Linux /proc."""
    me = str(os.getpid())
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if fields[1] == me:
                os.kill(int(stat.parent.name), signal.SIGTERM)
