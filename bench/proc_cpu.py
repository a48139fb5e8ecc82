"""CPU seconds of processes and their descendants, read from Linux /proc (for the benches;
a no-op or 0 where /proc has no such files). Not a test."""

import os
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def descendants_cpu(pid: int, seen: dict[int, float]) -> None:
    """Note in `seen` the CPU seconds so far of every descendant of `pid` (Linux /proc; as of
    the last call, so up to one poll short at its end). No-op where /proc has no such files."""
    try:
        kids = [
            int(k)
            for c in Path(f"/proc/{pid}/task").glob("*/children")
            for k in c.read_text().split()
        ]
    except OSError:  # it ended meanwhile
        return
    for kid in kids:
        try:
            fields = Path(f"/proc/{kid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seen[kid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        descendants_cpu(kid, seen)


def tree_cpu(pid: int) -> float:
    """CPU seconds so far of `pid` (with the children it reaped) and of every live descendant."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # it ended meanwhile
        return 0.0
    seen: dict[int, float] = {}
    descendants_cpu(pid, seen)
    return sum(int(f) for f in fields[11:15]) / CLOCK_TICKS + sum(seen.values())
