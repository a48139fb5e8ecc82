"""A real two-node Ray cluster on 127.0.0.1 and a babelforge run on it, in a private network
namespace (Ray binds the machine's external address even when told 127.0.0.1; inside
`unshare -n` only loopback exists, so nothing leaves the machine).

    python -m tests.flows.ray_cluster WORK_DIR     (inside `unshare -n`, see test_ray_engine.py)

starts `ray start --head` and `ray start --address` (a worker node) as subprocesses with their
own process groups, the embedded llama.cpp server, and runs the config in WORK_DIR/config.json
on the Ray engine; when the first LLM shard is sent to the worker node the worker's process
group is killed (the node removed mid-stage). It then runs the same config on the local engine
(the replies from the shared cache) and writes WORK_DIR/facts.json for the test to judge. The
Ray processes are stopped by process group at the end, never with Ray's own stop command
(it ends every Ray process on the machine).
"""

import asyncio
import json
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from subprocess import Popen
from typing import Any

from tests.processes import background

PORT = 6379
OBJECT_STORE_BYTES = 80_000_000
VENV_BIN = Path(sys.executable).parent
READY_S = 120.0


def _ray_start(*args: str) -> list[str]:
    return [
        str(VENV_BIN / "ray"), "start", "--block", "--num-cpus", "1",
        "--object-store-memory", str(OBJECT_STORE_BYTES), "--disable-usage-stats", *args,
    ]  # fmt: skip


def _gcs_up() -> bool:
    with socket.socket() as probe:
        probe.settimeout(1.0)
        return probe.connect_ex(("127.0.0.1", PORT)) == 0


def _node_ids(count: int) -> list[dict[str, Any]]:
    """The cluster's live nodes once there are `count` (this process joins, then leaves)."""
    import ray

    ray.init(address=f"127.0.0.1:{PORT}", logging_level=logging.ERROR, log_to_driver=False)
    try:
        _wait(lambda: sum(n["Alive"] for n in ray.nodes()) >= count, f"{count} Ray nodes")
        return [n for n in ray.nodes() if n["Alive"]]
    finally:
        ray.shutdown()


@contextmanager
def cluster(work: Path, env: dict[str, str]) -> Iterator[Popen[bytes]]:
    """A head and one worker node; yields the worker's `ray start` (its process group is
    the node)."""
    temp = Path(tempfile.mkdtemp(prefix="bf-ray-", dir="/tmp"))  # a short path: Ray's sockets
    head_args = _ray_start(
        "--head", "--node-ip-address", "127.0.0.1", "--port", str(PORT),
        "--include-dashboard", "false", "--temp-dir", str(temp),
    )  # fmt: skip
    worker_args = _ray_start("--address", f"127.0.0.1:{PORT}", "--node-ip-address", "127.0.0.1")
    try:
        with background(head_args, env=env, log_path=work / "ray-head.log"):
            _wait(_gcs_up, "the Ray head")
            with background(worker_args, env=env, log_path=work / "ray-worker.log") as worker:
                yield worker
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def _wait(ready: Any, what: str) -> None:
    deadline = time.monotonic() + READY_S
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not come up in {READY_S}s")
        time.sleep(1.0)


class NodeKiller(logging.Handler):
    """Watches the Ray engine's dispatch log and the run's markers: once the worker node has
    committed a translate shard (several LLM requests, so seconds each) while another one it
    was sent is still uncommitted, kills the node's process group (SIGKILL, as a lost
    machine), so a shard is surely in flight when the node goes."""

    def __init__(self, worker: Popen[bytes], worker_node: str, run_dir: Path) -> None:
        super().__init__(logging.INFO)
        self.worker, self.worker_node, self.run_dir = worker, worker_node, run_dir
        self.killed: str | None = None
        self.lost: list[str] = []
        self.sent: list[str] = []
        self._done = threading.Event()
        threading.Thread(target=self._watch, daemon=True).start()

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("shard %s: the worker on node"):
            self.lost.append(str(record.args[0]))  # type: ignore[index]
        if record.msg.startswith("shard %s dispatched"):
            shard, node = record.args  # type: ignore[misc]
            if node == self.worker_node and ".translate-" in str(shard):
                self.sent.append(str(shard))

    def stop(self) -> None:
        self._done.set()

    def _watch(self) -> None:
        from babelforge.flows.store import RunStore

        while self.killed is None and not self._done.wait(0.05):
            if not (self.run_dir / "stages").exists():
                continue
            summaries = RunStore(str(self.run_dir)).summaries()
            committed = {f"{s.stage}-{s.language}-{s.index:05d}" for s in summaries}
            by_worker = [
                s
                for s in summaries
                if s.worker is not None and s.worker.node_id == self.worker_node
            ]
            in_flight = [shard for shard in self.sent if shard not in committed]
            if by_worker and in_flight:
                self.killed = in_flight[0]
                _kill_tree(self.worker.pid)


def _kill_tree(root: int) -> None:
    """SIGKILL `root`'s process group and every process descended from it, as a lost machine
    stops all of them at once: a Ray worker process that outlived its raylet for a moment
    could finish its request and write a second reply to the shared cache after the retry's."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    tree, grown = {root}, True
    while grown:
        children = {pid for pid, ppid in parents.items() if ppid in tree} - tree
        tree |= children
        grown = bool(children)
    with suppress(ProcessLookupError):
        os.killpg(root, signal.SIGKILL)
    for pid in tree:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _head_and_worker() -> tuple[str, str]:
    nodes = _node_ids(2)
    head = next(n["NodeID"] for n in nodes if "node:__internal_head__" in n["Resources"])
    worker = next(n["NodeID"] for n in nodes if n["NodeID"] != head)
    return head, worker


async def _run_counts() -> dict[str, int]:
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        counts: dict[str, int] = {}
        for run in await client.read_task_runs(limit=200):
            counts[run.name] = max(counts.get(run.name, 0), run.run_count)
        return counts


def main(work: Path) -> None:
    from babelforge.flows.recipe_flow import run_recipes
    from babelforge.generators.embedded import EmbeddedServer
    from babelforge.schemas.config import RunConfig

    env = dict(os.environ)
    base = json.loads((work / "config.json").read_text())
    with cluster(work, env) as worker, EmbeddedServer(log_path=work / "llm.log") as server:
        head_node, worker_node = _head_and_worker()
        base["llm"].update(base_url=server.base_url, model=server.model)
        killer = NodeKiller(worker, worker_node, work / "ray")
        logger = logging.getLogger("babelforge.flows.ray_engine")
        logger.setLevel(logging.INFO)
        logger.addHandler(killer)
        ray_config = {**base, "run_dir": str(work / "ray"), "name": "on-ray"}
        ray_config["execution"] = {"engine": "ray", "address": f"127.0.0.1:{PORT}"}
        on_ray = run_recipes(RunConfig.model_validate(ray_config))
        logger.removeHandler(killer)
        killer.stop()
        run_counts = asyncio.run(_run_counts())  # the Ray run's task runs only
        local_config = {**base, "run_dir": str(work / "local"), "name": "local"}
        local = run_recipes(RunConfig.model_validate(local_config))
        facts = {
            "head_node": head_node,
            "worker_node": worker_node,
            "killed_shard": killer.killed,
            "lost_shards": killer.lost,
            "run_counts": run_counts,
            "ray_usage": on_ray.usage.model_dump(),
            "local_usage": local.usage.model_dump(),
        }
    (work / "facts.json").write_text(json.dumps(facts, indent=2))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
