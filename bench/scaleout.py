"""Does the factory's request rate grow with the endpoints and the Ray nodes? MITS instructions.

Runs `babelforge run` (the instructions recipe, 3 languages) against 1, 2 and 4 simulated
continuous-batching servers (bench.sim_server, the same slots and tokens/s each, listed in
`llm.endpoints`; one endpoint is a plain `llm.base_url`), then on the Ray engine with 1 and 2
nodes on this machine (the head alone, then the head and one worker node: the engine puts a
shard worker on every node), node n's worker against n endpoints, all in one run. The corpus
grows with the endpoints (weak scaling: `--records` per endpoint), so every row's LLM phase
lasts about as long and ramp-up and tail weigh the same. A last row sends the largest
corpus to servers that answer at once: there the factory's CPU is the limit.

Printed side by side: requests/s over the LLM phase (first slot taken to last freed, on any
server), that rate relative to one endpoint and to linear (n endpoints: n x the one-endpoint
rate), slot utilisation, the factory's CPU ms per request during the LLM phase (the
`babelforge run` process tree, its Prefect server included, plus every process of the Ray
nodes on the Ray rows; sampled every 0.2 s), the head's part of it, the cores the factory and
the whole machine (everyone's processes) kept busy then, the factory's CPU over the whole run
net of a 2-record run's (the fixed start-up cost), and the simulated servers' CPU ms per
request. `llm.max_concurrency` is `--oversubscribe` (default 2) x the slots. Goal: 2 and 4
endpoints >= 0.9 x linear until the CPU is the limit. Not a test.

    .venv/bin/python -m bench.scaleout
    .venv/bin/python -m bench.scaleout --endpoints 1 2 4 --nodes 1 2 --slots 16 --records 64

The whole bench runs in a private network namespace (`unshare -n`, loopback only: it re-execs
itself there), because Ray binds the machine's external address even when told 127.0.0.1;
without root or `unshare` it runs the endpoint rows only (`--no-ray` does that too). Ray nodes
are started and ended by process group, as in tests/flows/ray_cluster.py, whose helpers it uses.
"""

import argparse
import bisect
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen

import yaml

from bench.saturation import free_port, run_factory
from bench.sim_server import fetch_stats, running_server
from bench.synthetic import write_config, write_instructions, write_pairs

REPO = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1
INSTANT = 1e6  # tokens/s per slot of a server that answers at once
LEGEND = """\
req/s: requests / LLM phase (first slot taken to last freed); x one: / the local one-endpoint
rate; /linear: x one / endpoints (goal >= 0.9); util: slot-seconds used / offered.
LLM ms/r: the factory's CPU (the `babelforge run` tree with its Prefect server, + the Ray
nodes' processes) during the LLM phase, per request; head: the `babelforge run` tree's part;
r/s/cpu: 1000 / LLM ms/r, the requests/s one core of factory carries; cores: the factory's
cores busy in the LLM phase; busy: the share of the machine's cores busy then (anyone's
processes; near 1: the CPU is the limit).
run ms/r: the whole run's factory CPU less the 2-record run's, per request (on Ray rows Ray's
start-up and idle CPU stay in); head: the same for `babelforge run` alone; srv ms/r: the
simulated servers' CPU per request."""


@dataclass(frozen=True)
class Setup:
    """One row: `endpoints` servers of `slots` each; `nodes` Ray nodes (0: the local engine)."""

    endpoints: int
    nodes: int
    records: int
    tokens_per_s: float

    @property
    def label(self) -> str:
        engine = f"ray x{self.nodes}" if self.nodes else "local"
        return f"{engine}{' instant' if self.tokens_per_s >= INSTANT else ''}"


@dataclass(frozen=True)
class Figures:
    """What one row measured."""

    setup: Setup
    slots: int
    wall_s: float
    factory_cpu_s: float  # the head's (`babelforge run` and its children) + the Ray nodes'
    head_cpu_s: float  # `babelforge run` and its children alone
    phase_cpu_s: float  # the factory's (head + Ray nodes) during the LLM phase
    phase_busy_s: float  # the whole machine's during the LLM phase, everyone's processes
    phase_head_s: float  # `babelforge run` and its children during the LLM phase
    server_cpu_s: float
    requests: int
    busy_s: float  # slot-seconds used, all servers
    phase_s: float  # first hold's start to last hold's end, any server
    exit_code: int

    @property
    def rate(self) -> float:
        return self.requests / self.phase_s if self.phase_s else 0.0

    @property
    def utilisation(self) -> float:
        capacity = self.slots * self.setup.endpoints * self.phase_s
        return self.busy_s / capacity if capacity else 0.0

    def ms_per_request(self, cpu_s: float) -> float:
        return cpu_s / self.requests * 1000 if self.requests else float("nan")


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (field 3 onwards)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def tree_cpu_s(roots: Sequence[int], reaped: bool = True) -> float:
    """CPU seconds of `roots` and all their live descendants; with `reaped`, also of the
    children they already reaped (so a process that ended in between still counts)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        fields = _stat(int(entry.name))
        if fields is None:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        ticks = fields[11:15] if reaped else fields[11:13]  # utime stime [cutime cstime]
        times[pid] = sum(int(t) for t in ticks) / TICKS
    tree, grown = {r for r in roots if r in times}, True
    while grown:
        children = {pid for pid, ppid in parents.items() if ppid in tree} - tree
        tree |= children
        grown = bool(children)
    return sum(times[pid] for pid in tree)


def machine_busy_s() -> float:
    """CPU seconds all cores of the machine spent busy since boot (everyone's processes)."""
    ticks = [int(t) for t in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / TICKS  # less idle and iowait


def child_pids(command_part: bytes) -> list[int]:
    """This process's children whose command line holds `command_part`."""
    me, found = os.getpid(), []
    for entry in Path("/proc").glob("[0-9]*"):
        fields = _stat(int(entry.name))
        if fields is None or int(fields[1]) != me:
            continue
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if command_part in command:
            found.append(int(entry.name))
    return found


class CpuSampler:
    """Every `every_s`, the CPU seconds of the `babelforge run` child of this process (its
    tree) and of `roots`, so the CPU of a window of the run (its LLM phase) can be read."""

    def __init__(self, roots: Sequence[int], every_s: float = 0.2) -> None:
        self.roots, self.every_s = list(roots), every_s
        # time, factory CPU (head + roots), machine busy, head CPU (`babelforge run` tree)
        self.samples: list[tuple[float, float, float, float]] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> "CpuSampler":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._done.wait(self.every_s):
            factory = child_pids(b"babelforge\x00run\x00")
            if factory:
                cpu, head = tree_cpu_s(factory + self.roots), tree_cpu_s(factory)
                self.samples.append((time.monotonic(), cpu, machine_busy_s(), head))

    def between(self, start: float, end: float, column: int = 1) -> float:
        """CPU seconds from `start` to `end` (monotonic) of the factory (`column` 1), the
        whole machine (2) or the head alone (3), read off the samples linearly."""
        return self._at(end, column) - self._at(start, column)

    def _at(self, moment: float, column: int) -> float:
        times = [sample[0] for sample in self.samples]
        n = bisect.bisect_left(times, moment)
        if n == 0 or n == len(times):
            return self.samples[min(n, len(times) - 1)][column] if times else 0.0
        before, after = self.samples[n - 1], self.samples[n]
        share = (moment - before[0]) / (after[0] - before[0])
        return before[column] + (after[column] - before[column]) * share


@contextmanager
def ray_nodes(work: Path, nodes: int) -> Iterator[list[Popen[bytes]]]:
    """A Ray head and `nodes - 1` worker nodes on 127.0.0.1 (inside the namespace), each
    `ray start --block` in its own process group, ended by process group on exit."""
    from tests.flows.ray_cluster import PORT, _gcs_up, _node_ids, _ray_start, _wait
    from tests.processes import background

    temp = Path(tempfile.mkdtemp(prefix="bf-ray-", dir="/tmp"))  # short: Ray's socket paths
    head = _ray_start(
        "--head", "--node-ip-address", "127.0.0.1", "--port", str(PORT),
        "--include-dashboard", "false", "--temp-dir", str(temp),
    )  # fmt: skip
    worker = _ray_start("--address", f"127.0.0.1:{PORT}", "--node-ip-address", "127.0.0.1")
    env = dict(os.environ)
    try:
        with ExitStack() as stack:
            started = [stack.enter_context(background(head, env=env, log_path=work / "head.log"))]
            _wait(_gcs_up, "the Ray head")
            for n in range(1, nodes):
                log = work / f"worker{n}.log"
                started.append(stack.enter_context(background(worker, env=env, log_path=log)))
            _node_ids(nodes)
            yield started
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def write_run_config(
    folder: Path, urls: list[str], setup: Setup, concurrency: int, corpus: Path, shard_size: int
) -> Path:
    """bench.synthetic's config with the instructions recipe only, against `urls`: one URL as
    `llm.base_url`, several as `llm.endpoints`; on Ray nodes, the Ray engine."""
    tiny_pairs = write_pairs(folder / "unused-pairs.jsonl", 1)
    path = write_config(
        folder,
        base_url=urls[0],
        concurrency=concurrency,
        pairs_path=tiny_pairs,
        instructions_path=corpus,
        shard_size=shard_size,
        name="scaleout",
    )
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    del config["syndarin"]
    if len(urls) > 1:
        del config["llm"]["base_url"]
        config["llm"]["endpoints"] = [{"base_url": f"{url}/v1"} for url in urls]
    if setup.nodes:
        from tests.flows.ray_cluster import PORT

        config["execution"] = {"engine": "ray", "address": f"127.0.0.1:{PORT}"}
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def one_row(root: Path, setup: Setup, args: argparse.Namespace) -> Figures:
    """Fresh servers, corpus and run directory for `setup` (and its Ray nodes); its figures.

    `llm.max_concurrency` is one server's slots times `--oversubscribe`: it is per endpoint
    of `llm.endpoints` (generators/backends.py), and on Ray per shard worker too; the
    executor's per-lane window follows it."""
    folder = root / f"{setup.label.replace(' ', '-')}-{setup.endpoints}"
    folder.mkdir(parents=True)
    corpus = write_instructions(folder / "alpaca.json", setup.records)
    with ExitStack() as stack:
        urls = [
            stack.enter_context(running_server(args.slots, setup.tokens_per_s, free_port()))
            for _ in range(setup.endpoints)
        ]
        ray = stack.enter_context(ray_nodes(folder, setup.nodes)) if setup.nodes else []
        concurrency = round(args.slots * args.oversubscribe)
        config = write_run_config(folder, urls, setup, concurrency, corpus, args.shard_size)
        servers = child_pids(b"bench.sim_server")
        ray_pids = [p.pid for p in ray]
        server0, ray0 = tree_cpu_s(servers, reaped=False), tree_cpu_s(ray_pids)
        with CpuSampler(ray_pids) as sampler:
            wall, cpu, code = run_factory(config, args.timeout)
        server_cpu = tree_cpu_s(servers, reaped=False) - server0
        ray_cpu = tree_cpu_s(ray_pids) - ray0
        holds = [h for url in urls for h in fetch_stats(url)["holds"]]
    start, end = min(h[0] for h in holds), max(h[1] for h in holds)
    return Figures(
        setup=setup,
        slots=args.slots,
        wall_s=wall,
        factory_cpu_s=cpu + ray_cpu,
        head_cpu_s=cpu,
        phase_cpu_s=sampler.between(start, end),
        phase_busy_s=sampler.between(start, end, 2),
        phase_head_s=sampler.between(start, end, 3),
        server_cpu_s=server_cpu,
        requests=len(holds),
        busy_s=sum(h[1] - h[0] for h in holds),
        phase_s=end - start,
        exit_code=code,
    )


def setups(args: argparse.Namespace) -> list[Setup]:
    rows = [Setup(n, 0, args.records * n, args.tokens_per_s) for n in args.endpoints]
    if args.ray:
        rows += [Setup(n, n, args.records * n, args.tokens_per_s) for n in args.nodes]
    most = max(args.endpoints)
    return [*rows, Setup(most, 0, args.records * most, INSTANT)]


def row_text(r: Figures, one: Figures, base: Figures) -> str:
    """One line of the table (no rate ratios for a row of servers that answer at once)."""
    ratio = r.rate / one.rate if one.rate else float("nan")
    if r.setup.tokens_per_s >= INSTANT:
        scaled = f"{'-':>6} {'-':>7}"
    else:
        scaled = f"{ratio:>6.2f} {ratio / r.setup.endpoints:>7.2f}"
    phase = r.ms_per_request(r.phase_cpu_s)
    net = r.ms_per_request(r.factory_cpu_s - base.factory_cpu_s)
    head = r.ms_per_request(r.head_cpu_s - base.head_cpu_s)
    server = r.ms_per_request(r.server_cpu_s)
    return (
        f"{r.setup.label:>14} {r.setup.endpoints:>6} {r.setup.records:>7} {r.requests:>8} "
        f"{r.phase_s:>6.1f} {r.rate:>7.1f} {scaled} {r.utilisation:>5.2f} {r.wall_s:>6.1f} "
        f"{phase:>8.2f} {r.ms_per_request(r.phase_head_s):>6.2f} {1000 / phase:>6.0f} "
        f"{r.phase_cpu_s / r.phase_s:>5.2f} "
        f"{r.phase_busy_s / r.phase_s / CORES:>5.2f} {net:>8.2f} {head:>8.2f} {server:>8.2f} "
        f"{r.exit_code:>4}"
    )


def print_table(base: Figures, rows: list[Figures], args: argparse.Namespace) -> None:
    local = [r for r in rows if r.setup.nodes == 0 and r.setup.tokens_per_s < INSTANT]
    one = next(r for r in local if r.setup.endpoints == 1)
    print(
        f"instructions recipe, 3 languages, {args.records} records per endpoint, "
        f"{args.slots} slots per endpoint at {args.tokens_per_s:g} tokens/s each, "
        f"llm.max_concurrency {round(args.slots * args.oversubscribe)}, shard_size "
        f"{args.shard_size}; a 2-record run: {base.wall_s:.1f}s wall, "
        f"{base.factory_cpu_s:.2f}s CPU, {base.requests} requests"
    )
    print(
        f"{'engine':>14} {'endpts':>6} {'records':>7} {'requests':>8} {'LLM s':>6} "
        f"{'req/s':>7} {'x one':>6} {'/linear':>7} {'util':>5} {'wall s':>6} "
        f"{'LLM ms/r':>8} {'head':>6} {'r/s/cpu':>6} {'cores':>5} {'busy':>5} "
        f"{'run ms/r':>8} {'head':>8} {'srv ms/r':>8} {'exit':>4}"
    )
    for r in rows:
        print(row_text(r, one, base))
    most = max(local, key=lambda r: r.requests)
    if most.requests > one.requests:
        marginal = (most.factory_cpu_s - one.factory_cpu_s) / (most.requests - one.requests)
        print(
            f"marginal factory CPU of a whole run, local engine, {one.setup.endpoints} -> "
            f"{most.setup.endpoints} endpoints: {marginal * 1000:.2f} ms/request"
        )
    print(LEGEND)


def bench(args: argparse.Namespace) -> None:
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"load average before: {' '.join(load)} on {CORES} cores")
    with tempfile.TemporaryDirectory(prefix="bf-scaleout-") as tmp:
        root = Path(tmp)
        one_row(root / "warm-up", Setup(1, 0, 2, INSTANT), args)  # Prefect's database, caches
        base = one_row(root / "tiny", Setup(1, 0, 2, INSTANT), args)  # a run's fixed cost
        rows = [one_row(root, setup, args) for setup in setups(args)]
    print_table(base, rows, args)
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"load average after: {' '.join(load)}")


def can_unshare() -> bool:
    return os.geteuid() == 0 and shutil.which("unshare") is not None


def reexec_in_namespace(argv: list[str]) -> int:
    """This bench again, inside `unshare -n` with loopback up, with its own temporary folder
    (so its Prefect home is its own) and Ray's usage statistics off."""
    private_tmp = Path(tempfile.mkdtemp(prefix="bf-scaleout-tmp-"))
    env = {
        **os.environ,
        "TMPDIR": str(private_tmp),
        "RAY_USAGE_STATS_ENABLED": "0",
        "PYTHONPATH": str(REPO),
    }
    command = shlex.join([sys.executable, "-m", "bench.scaleout", "--in-namespace", *argv])
    try:
        return subprocess.call(
            ["unshare", "-n", "sh", "-c", f"ip link set lo up && exec {command}"],
            env=env,
            cwd=REPO,
        )
    finally:
        shutil.rmtree(private_tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--nodes", type=int, nargs="+", default=[1, 2], help="Ray nodes")
    parser.add_argument("--slots", type=int, default=16, help="per endpoint")
    parser.add_argument("--records", type=int, default=64, help="instructions per endpoint")
    parser.add_argument("--tokens-per-s", type=float, default=400.0, help="per slot")
    parser.add_argument(
        "--oversubscribe", type=float, default=2.0, help="llm.max_concurrency / slots"
    )
    parser.add_argument("--shard-size", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=600.0, help="per factory run, s")
    parser.add_argument("--no-ray", dest="ray", action="store_false")
    parser.add_argument("--in-namespace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if 1 not in args.endpoints:
        parser.error("--endpoints must include 1 (the rows are relative to one endpoint)")
    if args.in_namespace or not can_unshare():
        if not args.in_namespace:
            print("no root or no unshare: the endpoint rows only", file=sys.stderr)
            args.ray = False
        started = time.perf_counter()
        bench(args)
        print(f"bench took {time.perf_counter() - started:.0f}s")
        return
    sys.exit(reexec_in_namespace(sys.argv[1:]))


if __name__ == "__main__":
    main()
