"""A run directory on an S3-compatible object store (moto's server on 127.0.0.1): a whole run
exported and read back with `datasets`, a run killed and resumed with no orphan left, and two
workers racing on one shard making exactly one commit. Credentials are fake values and the
endpoint comes from the environment (AWS_ENDPOINT_URL), as on a real deployment."""

import os
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from babelforge.flows.factory import factory_flow
from babelforge.flows.lease import read_lease
from babelforge.flows.store import RunStore
from babelforge.generators.embedded import EmbeddedServer
from babelforge.schemas.outcome import ShardOutcome, ShardSummary
from babelforge.schemas.records import Document
from tests.flows.test_resume import REPO, SECTIONS, command
from tests.processes import run_bounded, stop_group

BUCKET = "babelforge-runs"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[dict[str, str]]:
    """moto's S3 server on a free port of 127.0.0.1, the bucket made; yields the environment
    a run needs to reach it (fake keys, the endpoint)."""
    import s3fs
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {
        "AWS_ACCESS_KEY_ID": "babelforge-test",
        "AWS_SECRET_ACCESS_KEY": "babelforge-test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    s3fs.S3FileSystem.clear_instance_cache()
    s3fs.S3FileSystem().mkdir(BUCKET)
    try:
        yield env
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        s3fs.S3FileSystem.clear_instance_cache()
        server.stop()


def s3_config(tmp_path: Path, server: EmbeddedServer, *, export: bool) -> tuple[Path, str]:
    run_dir = f"s3://{BUCKET}/{uuid.uuid4().hex}/run"
    config = {
        "name": "on-s3",
        "run_dir": run_dir,
        "languages": ["de"],
        "shard_size": 1,
        "llm": {
            "backend": "embedded",
            "base_url": server.base_url,
            "model": server.model,
            "parse_retries": 0,
            "structured_output": "json_object",
            "sampling": {"temperature": 0.3, "max_tokens": 48, "seed": 0},
        },
        "instructions": SECTIONS["instructions"],
        "export": {"enabled": export},
        "tracking": {"enabled": False},
    }
    path = tmp_path / "on-s3.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path, run_dir


def orphans(store: RunStore) -> list[str]:
    """Record files in the stages that no committed marker names."""
    named = {store.path(store.record_file(s, k)) for s in store.summaries() for k in KINDS}
    found = {p for p in store.fs.glob(store.path("stages/*/*/shard-*.jsonl"))}
    return sorted(found - named)


KINDS = ("accepted", "rejected", "failed")


@pytest.mark.slow
def test_a_whole_run_on_s3_exports_a_dataset_that_loads_with_datasets(
    s3_endpoint: dict[str, str], embedded_server: EmbeddedServer, tmp_path: Path
) -> None:
    import datasets

    config, run_dir = s3_config(tmp_path, embedded_server, export=True)
    result = factory_flow(config_path=str(config))
    assert result.report.balanced and result.export is not None
    store = RunStore(run_dir)
    assert not store.is_local and store.exists("config.yaml") and store.exists("report.md")
    assert not store.exists("lease.json"), "the run released its lease"
    assert orphans(store) == []
    for summary in store.summaries():
        assert summary.worker is not None and summary.worker.node_id is None
        assert summary.fingerprint is not None
    local = tmp_path / "export"
    store.fs.get(result.export.folder, str(local), recursive=True)
    for exported in result.export.configs:
        loaded = datasets.load_dataset(str(local), exported.name, cache_dir=str(tmp_path / "hf"))
        assert sum(s.rows for s in exported.splits) == sum(len(split) for split in loaded.values())


@pytest.mark.slow
def test_a_run_on_s3_killed_mid_stage_resumes_with_every_shard_committed_once(
    s3_endpoint: dict[str, str], embedded_server: EmbeddedServer, tmp_path: Path
) -> None:
    config, run_dir = s3_config(tmp_path, embedded_server, export=False)
    env = {**os.environ, **s3_endpoint, "PREFECT_HOME": str(tmp_path / "prefect")}
    store = RunStore(run_dir)
    with (tmp_path / "killed.log").open("wb") as log:
        process = subprocess.Popen(
            command(config), cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 600
            while not store.summaries():
                assert process.poll() is None, (tmp_path / "killed.log").read_text()[-3000:]
                assert time.monotonic() < deadline, "no shard committed within 600 s"
                time.sleep(0.1)
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        finally:
            stop_group(process)
    killed = {(s.stage, s.index): s.attempt for s in store.summaries()}
    assert read_lease(store) is not None, "a SIGKILLed run leaves its lease (taken over next)"

    resumed = run_bounded(command(config), env=env, timeout_s=900, cwd=REPO)
    assert resumed.returncode == 0, resumed.stdout[-4000:]
    after = {(s.stage, s.index): s for s in store.summaries()}
    for shard, attempt in killed.items():
        assert after[shard].attempt == attempt, f"{shard} was committed twice"
    assert {s.stage for s in after.values()} >= {"instructions.translate", "instructions.mits"}
    for s in after.values():
        assert s.accepted + s.rejected + s.failed == s.n_input
    assert orphans(store) == []


def documents(n: int, tag: str) -> ShardOutcome[Document]:
    made = tuple(
        Document(
            id=f"doc-{tag}-{i}", language="de", title="Berlin", text="Berlin ist die Hauptstadt."
        )
        for i in range(n)
    )
    return ShardOutcome[Document](n_input=n, accepted=made)


def test_two_workers_racing_on_one_s3_shard_make_one_commit_and_leave_no_orphan(
    s3_endpoint: dict[str, str],
) -> None:
    root = f"s3://{BUCKET}/{uuid.uuid4().hex}/race"
    start = threading.Barrier(2)
    returned: list[ShardSummary] = []

    def worker(tag: str) -> None:
        store = RunStore(root)
        start.wait()
        returned.append(store.write_shard("syndarin.mine", "de", 3, documents(2, tag), Document))

    threads = [threading.Thread(target=worker, args=(tag,)) for tag in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    store = RunStore(root)
    (committed,) = store.summaries()
    assert returned == [committed, committed], "both workers see the one commit"
    files = sorted(p.rsplit("/", 1)[-1] for p in store.fs.glob(store.path("stages/*/*/*")))
    assert files == sorted(["shard-00003.done.json", *committed.files.values()])
    ids = [p.id for p in store.accepted("syndarin.mine", "de", Document)]
    assert len(ids) == 2 and len({i.split("-")[1] for i in ids}) == 1, "one worker's records"
