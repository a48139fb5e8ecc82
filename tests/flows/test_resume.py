"""A run killed mid-stage resumes with the same records, no duplicates, nothing paid twice."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml
from pydantic import BaseModel

from babelforge.flows.store import RunStore
from babelforge.generators.cache import ResponseCache
from babelforge.generators.embedded import EmbeddedServer
from babelforge.schemas.records import MCQItem, ParallelPair, TranslatedMCQ

REPO = Path(__file__).resolve().parents[2]
STAGES: dict[str, type[BaseModel]] = {
    "syndarin.mine": ParallelPair,
    "syndarin.generate": MCQItem,
    "syndarin.translate": TranslatedMCQ,
    "syndarin.validate": TranslatedMCQ,
}


def _config(tmp_path: Path, server: EmbeddedServer, name: str) -> Path:
    samples = REPO / "samples" / "wikipedia"
    config = {
        "name": name,
        "run_dir": str(tmp_path / name),
        "languages": ["de"],
        "shard_size": 1,
        "llm": {
            "backend": "embedded",
            "base_url": server.base_url,
            "model": server.model,
            "parse_retries": 1,
            "sampling": {"temperature": 0.3, "max_tokens": 96, "seed": 0},
        },
        "syndarin": {
            "questions_per_paragraph": 1,
            "mining": {
                "source_paths": [str(samples / "en.parquet")],
                "target_paths": {"de": [str(samples / "de.parquet")]},
                "langlinks_path": str(samples / "langlinks.tsv"),
                "max_pairs": 3,
            },
        },
    }
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def _babelforge(config: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "babelforge.flows.cli", "run", str(config)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _records(store: RunStore) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for stage, model in STAGES.items():
        out[f"{stage}:accepted"] = [r.model_dump_json() for r in store.accepted(stage, "de", model)]
        out[f"{stage}:rejected"] = [r.model_dump_json() for r in store.rejected(stage, "de", model)]
        out[f"{stage}:failed"] = [r.model_dump_json() for r in store.failed(stage, "de")]
    return out


def test_killed_run_resumes_to_the_same_records(
    embedded_server: EmbeddedServer, tmp_path: Path
) -> None:
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PYTHONUNBUFFERED": "1"}
    killed = _config(tmp_path, embedded_server, "killed")
    store = RunStore(str(tmp_path / "killed"))

    process = _babelforge(killed, env)
    deadline = time.monotonic() + 600
    while store.summary("syndarin.generate", "de", 0) is None:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        assert time.monotonic() < deadline, "the run never finished its first generate shard"
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert store.summary("syndarin.validate", "de", 0) is None, "killed too late to test resume"

    resumed = _babelforge(killed, env)
    _, err = resumed.communicate(timeout=900)
    assert resumed.returncode == 0, err.decode()

    # Every finished request was paid once: requests counted in committed shards == cache entries.
    summaries = store.summaries()
    paid = sum(s.usage.requests for s in summaries)
    cache_entries = len(ResponseCache(tmp_path / "killed" / "cache" / "responses.sqlite"))
    assert paid == cache_entries > 0
    for s in summaries:
        assert s.accepted + s.rejected + s.failed == s.n_input

    # An uninterrupted run over the same replies (its cache seeded from the killed run's)
    # sends no request and writes exactly the same records.
    fresh = _config(tmp_path, embedded_server, "fresh")
    (tmp_path / "fresh" / "cache").mkdir(parents=True)
    for part in (tmp_path / "killed" / "cache").glob("responses.sqlite*"):
        shutil.copy(part, tmp_path / "fresh" / "cache")
    clean = _babelforge(fresh, env)
    _, err = clean.communicate(timeout=900)
    assert clean.returncode == 0, err.decode()
    fresh_store = RunStore(str(tmp_path / "fresh"))
    assert sum(s.usage.requests for s in fresh_store.summaries()) == 0

    resumed_records, fresh_records = _records(store), _records(fresh_store)
    assert resumed_records == fresh_records
    for stage, model in STAGES.items():
        ids = [getattr(r, "id") for r in store.accepted(stage, "de", model)]  # noqa: B009
        assert len(ids) == len(set(ids)), f"duplicates in {stage}"
    assert resumed_records["syndarin.mine:accepted"], "the sample corpus should give pairs"
