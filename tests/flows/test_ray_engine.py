"""The Ray engine on a real two-node Ray cluster on 127.0.0.1 (tests/flows/ray_cluster.py runs
it in a private network namespace): shards run on both nodes, a node removed mid-stage has its
shard retried on the other and committed once, and the records equal the local engine's for
the same config and cached replies."""

import json
import os
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest

from babelforge.flows.store import RunStore
from babelforge.schemas.config import RunConfig
from tests.flows.test_sequential import records
from tests.processes import run_bounded

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "instructions" / "alpaca.json"
LANGUAGES = ["de", "hy"]

pytestmark = [
    pytest.mark.slow,  # a Ray cluster and the embedded model, started inside the namespace
    pytest.mark.skipif(
        os.geteuid() != 0 or shutil.which("unshare") is None,
        reason="needs root and unshare for a private network namespace",
    ),
]


def base_config(shared: Path) -> dict[str, object]:
    return {
        "name": "ray-engine",
        "run_dir": "set-by-the-cluster-script",
        "languages": LANGUAGES,
        "shard_size": 1,
        "cache": {"shared": str(shared)},
        "llm": {
            "backend": "embedded",
            "max_concurrency": 2,
            "parse_retries": 0,
            "sampling": {"temperature": 0.3, "max_tokens": 48, "seed": 0},
        },
        "instructions": {
            "input_paths": [str(SAMPLE)],
            "shape": "alpaca",
            "max_records": 3,
            "max_tokens": 48,
            "roundtrip_sample_size": 1,
        },
    }


@pytest.fixture(scope="module")
def cluster_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run tests/flows/ray_cluster.py in `unshare -n` once; its work directory."""
    work = tmp_path_factory.mktemp("ray-engine")
    (work / "config.json").write_text(json.dumps(base_config(work / "shared-cache")))
    env = {
        **os.environ,
        "PREFECT_HOME": str(work / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
        "RAY_USAGE_STATS_ENABLED": "0",
        "PYTHONPATH": str(REPO),
    }
    script = f"ip link set lo up && exec {sys.executable} -m tests.flows.ray_cluster {work}"
    done = run_bounded(["unshare", "-n", "sh", "-c", script], env=env, cwd=REPO, timeout_s=540)
    logs = "\n".join(
        f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in work.glob("*.log")
    )
    assert done.returncode == 0, f"{done.stdout[-6000:]}\n{logs}"
    return work


def facts(work: Path) -> dict[str, object]:
    return dict(json.loads((work / "facts.json").read_text()))


def test_shards_ran_on_both_nodes(cluster_run: Path) -> None:
    found = facts(cluster_run)
    nodes = Counter(
        s.worker.node_id for s in RunStore(str(cluster_run / "ray")).summaries() if s.worker
    )
    assert set(nodes) == {found["head_node"], found["worker_node"]}, nodes


def test_a_removed_node_has_its_shards_retried_and_committed_once(cluster_run: Path) -> None:
    found = facts(cluster_run)
    lost, run_counts = found["lost_shards"], found["run_counts"]
    assert isinstance(found["killed_shard"], str), "no shard was sent to the worker node"
    assert isinstance(lost, list) and lost, "removing the node lost no shard in flight"
    assert isinstance(run_counts, dict)
    store = RunStore(str(cluster_run / "ray"))
    for name in set(lost):
        assert run_counts[name] >= 2, (name, run_counts)  # the Prefect task ran again
        stage, language, index = name.rsplit("-", 2)
        marker = store.summary(stage, language, int(index))
        assert marker is not None and marker.worker is not None
        assert marker.worker.node_id == found["head_node"], name
        folder = cluster_run / "ray" / "stages" / stage / language
        on_disk = {p.name for p in folder.glob(f"shard-{int(index):05d}.*.jsonl")}
        assert on_disk == set(marker.files.values()), "one attempt's records, no orphans"
    for summary in store.summaries():
        assert summary.accepted + summary.rejected + summary.failed == summary.n_input


def test_ray_output_equals_the_local_engines(cluster_run: Path) -> None:
    found = facts(cluster_run)
    local_usage, ray_usage = found["local_usage"], found["ray_usage"]
    assert isinstance(local_usage, dict) and isinstance(ray_usage, dict)
    assert ray_usage["requests"] > 0
    assert local_usage["requests"] == 0, "the local run should answer from the shared cache"
    config = RunConfig.model_validate(
        {**base_config(cluster_run / "shared-cache"), "run_dir": str(cluster_run / "ray")}
    )
    local = config.model_copy(update={"run_dir": str(cluster_run / "local")})
    on_ray, on_local = records(config), records(local)
    assert on_ray == on_local
    assert all(on_ray[f"instructions.translate/{lang}:accepted"] for lang in LANGUAGES)
