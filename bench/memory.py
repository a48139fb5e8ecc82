"""Is the factory's memory flat in corpus size? Peak RSS of a run over N pairs vs over N/100.

Each size runs `babelforge run` in a child process against bench.sim_server (fast settings: one
language, one question a paragraph, no per-token delay) on a synthetic pre-paired corpus written
to a temporary folder; a share of the pairs (`--keep-share`) passes mining, so the whole corpus
is read, stored and accounted while the LLM work stays affordable. Peak RSS is the child's
`ru_maxrss` (the largest of it and the children it reaped). Goal: large / small <= 1.3. Not a
test.

    .venv/bin/python -m bench.memory --sizes 1000 100000 --keep-share 0.02
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from bench.saturation import PREFECT_HOME, factory_env, free_port
from bench.sim_server import fetch_stats, running_server
from bench.synthetic import write_config, write_pairs


def peak_rss(config: Path, timeout_s: float) -> tuple[int, float, int]:
    """Run the config; return the child's peak RSS in KiB, wall seconds and exit code."""
    env = factory_env()
    exe = str(Path(sys.executable).with_name("babelforge"))
    start = time.perf_counter()
    quiet = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_WRONLY, 0) for fd in (1, 2)]
    pid = os.posix_spawn(exe, [exe, "run", str(config)], env, setsid=True, file_actions=quiet)
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.perf_counter() - start > timeout_s:
            os.killpg(pid, 9)
            os.waitpid(pid, 0)
            raise RuntimeError(f"babelforge run {config} took over {timeout_s:.0f}s")
        time.sleep(0.1)
    return usage.ru_maxrss, time.perf_counter() - start, os.waitstatus_to_exitcode(status)


def one_size(root: Path, pairs: int, keep_share: float, timeout_s: float) -> tuple[int, float, int]:
    """Peak RSS (KiB), wall seconds and requests of one run over `pairs` pairs."""
    folder = root / f"pairs{pairs}"
    folder.mkdir()
    corpus = write_pairs(folder / "pairs.jsonl", pairs, languages=("de",), keep_share=keep_share)
    with running_server(256, 1e6, free_port()) as base_url:
        config = write_config(
            folder,
            base_url=base_url,
            concurrency=64,
            pairs_path=corpus,
            instructions_path=None,
            shard_size=200,
            languages=("de",),
        )
        rss, wall, code = peak_rss(config, timeout_s)
        requests = len(fetch_stats(base_url)["holds"])
    if code not in (0, 1) or not (folder / "run" / "report.md").exists():
        raise RuntimeError(f"babelforge run {config} exited with {code}")
    return rss, wall, requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[1000, 100000])
    parser.add_argument("--keep-share", type=float, default=0.02)
    parser.add_argument("--timeout", type=float, default=3600.0, help="per run, s")
    args = parser.parse_args()
    PREFECT_HOME.mkdir(exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bf-memory-") as tmp:
        for pairs in args.sizes:
            rows.append((pairs, *one_size(Path(tmp), pairs, args.keep_share, args.timeout)))
    print(f"one language, {args.keep_share:.0%} of the pairs kept by mining, sim server")
    print(f"{'pairs':>8} {'requests':>8} {'peak RSS MiB':>12} {'wall s':>7}")
    for pairs, rss, wall, requests in rows:
        print(f"{pairs:>8} {requests:>8} {rss / 1024:>12.1f} {wall:>7.1f}")
    ratio = rows[1][1] / rows[0][1]
    print(f"peak RSS {rows[1][0]} pairs / {rows[0][0]} pairs: {ratio:.2f}x (goal <= 1.3x)")


if __name__ == "__main__":
    main()
