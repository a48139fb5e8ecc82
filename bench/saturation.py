"""Does the factory keep a continuous-batching server busy? SynDARin + instructions, 3 languages.

Starts bench.sim_server (N slots, each request holding one for a time proportional to its
tokens) and runs `babelforge run` on a synthetic corpus with `llm.max_concurrency` = N, for each
N, in one run. Prints side by side: slot utilisation during the LLM phase (first slot taken to
last freed), ideal time (all slot-seconds packed into N slots) / whole-run time, requests/s, and
the time before the first request and after the last one (start-up; export and report), the
factory's CPU: seconds, of them its Prefect server's (a child process), ms per request (its
process tree's CPU / requests; also net of a 2-pair run's CPU, the fixed start-up cost). Goals:
utilisation >= 0.95 at 64 and 256 slots, ideal/whole >= 0.85 at 64, CPU <= 3 ms/request.
Not a test.

    .venv/bin/python -m bench.saturation --slots 64 256 --pairs 60 --records 40
    .venv/bin/python -m bench.saturation --prefect-server ...   # runs on a long-lived server

`--prefect-server` runs every factory run against one Prefect server started by the bench
(`PREFECT_API_URL`, as scheduled deployments run) instead of an ephemeral server per run; the
server's CPU during each run is still counted as the factory's.
    .venv/bin/python -m bench.saturation --client-only --requests 2000 4000

`--client-only` compares the bare clients instead (bench.llm_overhead's loops against this
simulated server): a plain `openai` loop and babelforge's client, CPU s per 1,000 requests at
concurrency 64 with all requests queued at once.
"""

import argparse
import asyncio
import contextlib
import cProfile
import os
import pstats
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.llm_overhead import factory_loop, raw_loop, structured_loop
from bench.prefect_server import PrefectServer, running_prefect
from bench.proc_cpu import descendants_cpu
from bench.sim_server import Occupancy, fetch_stats, occupancy, running_server
from bench.synthetic import write_config, write_instructions, write_pairs

PREFECT_HOME = Path(tempfile.gettempdir()) / "babelforge-bench-prefect"


@dataclass(frozen=True)
class RunFigures:
    """One factory run against the simulated server."""

    slots: int
    wall_s: float
    cpu_s: float
    occupancy: Occupancy
    exit_code: int
    holds: tuple[tuple[float, float, str], ...] = ()
    server_cpu_s: float = 0.0  # of cpu_s, that of the child processes (the Prefect server)
    lead_s: float = 0.0  # from the factory's start to its first request's slot
    trail_s: float = 0.0  # from the last slot freed to the factory's exit

    @property
    def requests(self) -> int:
        return self.occupancy.requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_factory(config: Path, timeout_s: float) -> tuple[float, float, int]:
    """Run `babelforge run CONFIG` in a child; return wall seconds, CPU seconds, exit code.

    The CPU is the child's and that of every descendant it reaped (its Prefect server).
    """
    wall, cpu, _, code = run_factory_split(config, timeout_s)
    return wall, cpu, code


def run_factory_split(
    config: Path, timeout_s: float, server: PrefectServer | None = None
) -> tuple[float, float, float, int]:
    """`run_factory`, with the CPU seconds of its Prefect server third: the child's own
    children (an ephemeral server), or what `server`'s process tree spent meanwhile."""
    exe = Path(sys.executable).with_name("babelforge")
    server_cpu0 = server.cpu_s() if server is not None else 0.0
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(exe), "run", str(config)],
        env=factory_env(server),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = start + timeout_s
    children: dict[int, float] = {}
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            os.killpg(proc.pid, 9)
            raise RuntimeError(f"babelforge run {config} took over {timeout_s:.0f}s")
        descendants_cpu(proc.pid, children)
        time.sleep(0.05)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1) or not (config.parent / "run" / "report.md").exists():
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise RuntimeError(f"babelforge run {config} failed ({code}):\n{err[-3000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    if server is not None:
        server_cpu = server.cpu_s() - server_cpu0
        return wall, cpu + server_cpu, server_cpu, code
    return wall, cpu, sum(children.values()), code


def factory_env(server: PrefectServer | None = None) -> dict[str, str]:
    """The environment of a bench run: its own Prefect home, quiet, nothing sent outside;
    with `server`, its API instead of an ephemeral server."""
    env = dict(
        os.environ,
        PREFECT_HOME=str(PREFECT_HOME),
        PREFECT_LOGGING_LEVEL="ERROR",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180",
        DO_NOT_TRACK="1",
    )
    if server is not None:
        env["PREFECT_API_URL"] = server.api_url
    return env


def one_run(
    folder: Path,
    slots: int,
    tokens_per_s: float,
    pairs: Path,
    instructions: Path | None,
    shard_size: int,
    timeout_s: float,
    translation_mode: str = "per_field",
    server: PrefectServer | None = None,
) -> RunFigures:
    """A fresh run directory and a fresh server for `slots`; the figures of that run."""
    folder.mkdir(parents=True)
    port = free_port()
    with running_server(slots, tokens_per_s, port) as base_url:
        config = write_config(
            folder,
            base_url=base_url,
            concurrency=slots,
            pairs_path=pairs,
            instructions_path=instructions,
            shard_size=shard_size,
            translation_mode=translation_mode,
        )
        started = time.monotonic()  # the server's clock too (CLOCK_MONOTONIC)
        wall, cpu, server_cpu, code = run_factory_split(config, timeout_s, server)
        ended = time.monotonic()
        stats = fetch_stats(base_url)
    holds = tuple((h[0], h[1], h[2] if len(h) > 2 else "other") for h in stats["holds"])
    lead = min((h[0] for h in holds), default=ended) - started
    trail = ended - max((h[1] for h in holds), default=ended)
    return RunFigures(slots, wall, cpu, occupancy(stats), code, holds, server_cpu, lead, trail)


def timeline(run: RunFigures, bins: int) -> list[str]:
    """Why slots idle: for each of `bins` equal slices of the LLM phase, the mean share of
    slots busy and the slot-seconds by request kind; then the phase time with no slot busy."""
    if not run.holds or bins < 1:
        return []
    start = min(h[0] for h in run.holds)
    end = max(h[1] for h in run.holds)
    width = (end - start) / bins or 1.0
    lines = [f"  timeline of {run.slots} slots, {width:.2f}s a row: busy share, kinds"]
    for n in range(bins):
        lo, hi = start + n * width, start + (n + 1) * width
        kinds: dict[str, float] = {}
        for h0, h1, kind in run.holds:
            overlap = min(h1, hi) - max(h0, lo)
            if overlap > 0:
                kinds[kind] = kinds.get(kind, 0.0) + overlap
        busy = sum(kinds.values()) / (run.slots * width)
        shown = " ".join(f"{k}={v / width:.0f}" for k, v in sorted(kinds.items()))
        lines.append(f"  {lo - start:7.2f}s {busy:5.2f} {'#' * round(busy * 40):<40} {shown}")
    edges = sorted((h[0], h[1]) for h in run.holds)
    idle, reach = 0.0, edges[0][1]
    for h0, h1 in edges:
        idle += max(0.0, h0 - reach)
        reach = max(reach, h1)
    lines.append(f"  no slot busy for {idle:.2f}s of the {end - start:.2f}s LLM phase")
    return lines


def factory_bench(args: argparse.Namespace) -> None:
    PREFECT_HOME.mkdir(exist_ok=True)
    with contextlib.ExitStack() as stack:
        server = None
        if args.prefect_server:
            server = stack.enter_context(running_prefect(factory_env(), free_port()))
        _factory_bench(args, server)


def _factory_bench(args: argparse.Namespace, server: PrefectServer | None) -> None:
    with tempfile.TemporaryDirectory(prefix="bf-saturation-") as tmp:
        root = Path(tmp)
        pairs = write_pairs(root / "pairs.jsonl", args.pairs)
        instructions = write_instructions(root / "alpaca.json", args.records)
        tiny_pairs = write_pairs(root / "tiny.jsonl", 2)
        tiny_instr = write_instructions(root / "tiny.json", 2)
        # the fixed cost of a run (imports, Prefect start-up, export), and a warm Prefect database
        base = one_run(
            root / "tiny", 4, 1e6, tiny_pairs, tiny_instr, args.shard_size, args.timeout,
            server=server,
        )  # fmt: skip
        runs = [
            one_run(
                root / f"slots{slots}",
                slots,
                args.tokens_per_s,
                pairs,
                instructions,
                args.shard_size,
                args.timeout,
                args.translation_mode,
                server,
            )
            for slots in args.slots
        ]
        shutil.rmtree(root, ignore_errors=True)
    print(
        f"{args.pairs} pairs x 3 languages + {args.records} instructions x 3, "
        f"{args.tokens_per_s:g} tokens/s per slot, shard_size {args.shard_size}, MCQ "
        f"translation {args.translation_mode}; Prefect server "
        f"{'long-lived (PREFECT_API_URL)' if server else 'ephemeral, one per run'}; "
        f"a 2-pair run: {base.wall_s:.1f}s wall, {base.cpu_s:.2f}s CPU "
        f"({base.server_cpu_s:.2f}s of it the Prefect server's), {base.requests} requests"
    )
    header = (
        f"{'slots':>6} {'requests':>8} {'util(LLM)':>9} {'ideal/run':>9} {'req/s':>7} "
        f"{'wall s':>7} {'lead s':>6} {'trail s':>7} {'CPU s':>6} {'Prefect s':>9} "
        f"{'CPU ms/req':>10} {'net ms/req':>10} {'exit':>4}"
    )
    print(header)
    for r in runs:
        net = (r.cpu_s - base.cpu_s) / r.requests * 1000 if r.requests else float("nan")
        print(
            f"{r.slots:>6} {r.requests:>8} {r.occupancy.utilisation:>9.3f} "
            f"{r.occupancy.ideal_s / r.wall_s:>9.3f} {r.requests / r.wall_s:>7.1f} "
            f"{r.wall_s:>7.1f} {r.lead_s:>6.1f} {r.trail_s:>7.1f} {r.cpu_s:>6.2f} "
            f"{r.server_cpu_s:>9.2f} "
            f"{r.cpu_s / max(r.requests, 1) * 1000:>10.2f} {net:>10.2f} "
            f"{r.exit_code:>4}"
        )
    for r in runs:
        for line in timeline(r, args.timeline):
            print(line)
    print("goals: util >= 0.95 (64, 256); ideal/run >= 0.85 at 64; CPU <= 3 ms/request")


CLIENT_SIDES = {
    "raw": "a plain openai loop (semaphore)",
    "client": "babelforge's client + response cache",
    "structured": "+ prompt, ask_structured, MCQ parse",
}


def _client_side(side: str, url: str, n: int, concurrency: int, tmp: Path) -> None:
    salt = f"{side}{n}-{time.time_ns()}"
    if side == "raw":
        asyncio.run(raw_loop(url, "sim", n, concurrency, salt))
    elif side == "client":
        asyncio.run(factory_loop(url, "sim", n, concurrency, salt, tmp))
    else:
        asyncio.run(structured_loop(url, "sim", n, concurrency, salt, tmp))


def client_bench(args: argparse.Namespace) -> None:
    """CPU seconds per 1,000 requests of the bare clients, all requests queued at once."""
    port = free_port()
    rows: list[tuple[int, str, float, float]] = []
    with running_server(4096, 1e6, port) as base_url, tempfile.TemporaryDirectory() as tmp:
        url = f"{base_url}/v1"
        for n in args.requests:
            for side in CLIENT_SIDES:
                cpu0, wall0 = time.process_time(), time.perf_counter()
                _client_side(side, url, n, args.concurrency, Path(tmp))
                cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
                rows.append((n, side, cpu / n * 1000, n / wall))
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(_client_side, "structured", url, args.requests[0], 64, Path(tmp))
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    print(f"concurrency {args.concurrency}, all requests queued at once, sim server (no delay)")
    print(f"{'queued':>7} {'client':>10} {'CPU s/1k req':>12} {'req/s':>8}")
    for n, side, cpu_per_k, rps in rows:
        print(f"{n:>7} {side:>10} {cpu_per_k:>12.2f} {rps:>8.0f}  {CLIENT_SIDES[side]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slots", type=int, nargs="+", default=[64, 256])
    parser.add_argument("--pairs", type=int, default=60, help="pairs per language")
    parser.add_argument("--records", type=int, default=40, help="instruction records")
    parser.add_argument("--tokens-per-s", type=float, default=200.0, help="per slot")
    parser.add_argument("--shard-size", type=int, default=64)
    parser.add_argument("--timeout", type=float, default=1200.0, help="per factory run, s")
    parser.add_argument("--translation-mode", choices=["per_field", "batched"], default="per_field")
    parser.add_argument("--timeline", type=int, default=0, help="rows of slot use per run")
    parser.add_argument(
        "--prefect-server", action="store_true", help="one long-lived Prefect server for all runs"
    )
    parser.add_argument("--client-only", action="store_true")
    parser.add_argument("--requests", type=int, nargs="+", default=[2000, 4000])
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--profile", action="store_true", help="cProfile the structured side")
    args = parser.parse_args()
    if args.client_only:
        client_bench(args)
    else:
        factory_bench(args)


if __name__ == "__main__":
    main()
