"""A run killed at any instant (here: mid-shard, with replies of the unfinished shard already
in the response cache) resumes to the records of an uninterrupted run: no duplicate, no
request paid twice. One test per recipe; every request goes through a counting proxy."""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from babelforge.flows.store import RunStore
from babelforge.generators.embedded import EmbeddedServer
from babelforge.recipes.catalog import recipe
from tests.flows.counting_proxy import counting_proxy
from tests.processes import run_bounded, stop_group

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
WIKI = SAMPLES / "wikipedia"
SECTIONS: dict[str, dict[str, Any]] = {
    "syndarin": {
        "questions_per_paragraph": 1,
        "mining": {
            "source_paths": [str(WIKI / "en.parquet")],
            "target_paths": {"de": [str(WIKI / "de.parquet")]},
            "langlinks_path": str(WIKI / "langlinks.tsv"),
            "max_pairs": 3,
        },
    },
    "instructions": {
        "input_paths": [str(SAMPLES / "instructions" / "alpaca.json")],
        "shape": "alpaca",
        "max_records": 3,
        "max_tokens": 48,
    },
    "hallucination": {
        "article_paths": {"de": [str(WIKI / "de.parquet")]},
        "tagged_paths": [str(SAMPLES / "hallucination" / "fava-en.jsonl")],
        "max_articles": 2,
        "max_tagged": 2,
        "min_article_length": 40,
        "max_references": 2,
        "max_reference_chars": 240,
        "queries_per_article": 1,
        "sampling": {"max_tokens": 48},
        "answer_model": {"sampling": {"max_tokens": 24}},
    },
}


def write_config(tmp_path: Path, name: str, recipe_name: str, base_url: str, model: str) -> Path:
    config = {
        "name": name,
        "run_dir": str(tmp_path / name),
        "languages": ["de"],
        "shard_size": 1,
        "llm": {
            "backend": "embedded",
            "base_url": base_url,
            "model": model,
            "parse_retries": 1,
            "structured_output": "json_object",  # no probe: every request is a recipe's
            "sampling": {"temperature": 0.3, "max_tokens": 64, "seed": 0},
        },
        recipe_name: SECTIONS[recipe_name],
        "export": {"enabled": False},
        "tracking": {"enabled": False},
    }
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def environment(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PYTHONUNBUFFERED": "1"}


def command(config: Path) -> list[str]:
    return [sys.executable, "-m", "babelforge.flows.cli", "run", str(config)]


def cached(run_dir: Path) -> int:
    """Replies in a run's response cache (0 before the run created it)."""
    path = run_dir / "cache" / "responses.sqlite"
    if not path.exists():
        return 0
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
        try:
            return int(db.execute("SELECT COUNT(*) FROM replies").fetchone()[0])
        except sqlite3.OperationalError:  # the table is not created yet
            return 0


def paid_in_committed_shards(store: RunStore) -> int:
    return sum(s.usage.requests for s in store.summaries())


@contextmanager
def started(config: Path, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            command(config), cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            yield process
        finally:
            stop_group(process)


def kill_mid_shard(config: Path, run_dir: Path, env: dict[str, str], log: Path) -> None:
    """Start the run; SIGKILL its whole process group once the cache holds a reply that no
    committed shard accounts for (a shard is half done)."""
    store = RunStore(str(run_dir))
    with started(config, env, log) as process:
        deadline = time.monotonic() + 600
        while cached(run_dir) <= paid_in_committed_shards(store):
            assert process.poll() is None, log.read_text(errors="replace")[-4000:]
            assert time.monotonic() < deadline, "no shard got a reply within 600 s"
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def records(run_dir: Path, recipe_name: str) -> dict[str, list[str]]:
    store = RunStore(str(run_dir))
    out: dict[str, list[str]] = {}
    for stage in recipe(recipe_name).stages:
        out[f"{stage.name}:accepted"] = [
            r.model_dump_json() for r in store.accepted(stage.name, "de", stage.output)
        ]
        out[f"{stage.name}:rejected"] = [
            r.model_dump_json() for r in store.rejected(stage.name, "de", stage.output)
        ]
        out[f"{stage.name}:failed"] = [r.model_dump_json() for r in store.failed(stage.name, "de")]
    return out


def committed(run_dir: Path) -> set[tuple[str, int]]:
    return {(s.stage, s.index) for s in RunStore(str(run_dir)).summaries()}


def paid_in_committed(shards: set[tuple[str, int]], run_dir: Path) -> int:
    """Requests the given committed shards paid (read back from their markers)."""
    summaries = RunStore(str(run_dir)).summaries()
    return sum(s.usage.requests for s in summaries if (s.stage, s.index) in shards)


@pytest.mark.slow
@pytest.mark.parametrize("recipe_name", ["syndarin", "instructions", "hallucination"])
def test_a_run_killed_mid_shard_resumes_to_the_same_records_paying_nothing_twice(
    recipe_name: str, embedded_server: EmbeddedServer, tmp_path: Path
) -> None:
    env = environment(tmp_path)
    with counting_proxy(embedded_server.base_url) as (url, counts):
        killed = write_config(tmp_path, "killed", recipe_name, url, embedded_server.model)
        kill_mid_shard(killed, tmp_path / "killed", env, tmp_path / "killed.log")
        before, paid_before = committed(tmp_path / "killed"), counts.answered
        cached_at_kill = cached(tmp_path / "killed")

        resumed = run_bounded(command(killed), env=env, timeout_s=900, cwd=REPO)
        assert resumed.returncode == 0, resumed.stdout[-4000:]
        paid_resuming = counts.answered - paid_before
    assert before < committed(tmp_path / "killed"), "the resumed run should commit the rest"

    # The resumed run sent only requests whose reply was not cached yet: each one it paid is a
    # new cache entry, and every reply cached before the kill came back from the cache.
    assert cached_at_kill > paid_in_committed(before, tmp_path / "killed")
    assert paid_resuming == cached(tmp_path / "killed") - cached_at_kill
    store = RunStore(str(tmp_path / "killed"))
    for s in store.summaries():
        assert s.accepted + s.rejected + s.failed == s.n_input

    # An uninterrupted run over the same replies sends nothing and writes the same records.
    fresh = write_config(
        tmp_path, "fresh", recipe_name, embedded_server.base_url, embedded_server.model
    )
    (tmp_path / "fresh" / "cache").mkdir(parents=True)
    for part in (tmp_path / "killed" / "cache").glob("responses.sqlite*"):
        shutil.copy(part, tmp_path / "fresh" / "cache")
    clean = run_bounded(command(fresh), env=env, timeout_s=900, cwd=REPO)
    assert clean.returncode == 0, clean.stdout[-4000:]
    assert paid_in_committed_shards(RunStore(str(tmp_path / "fresh"))) == 0

    resumed_records = records(tmp_path / "killed", recipe_name)
    assert resumed_records == records(tmp_path / "fresh", recipe_name)
    for stage in recipe(recipe_name).stages:
        ids = [json.loads(r)["id"] for r in resumed_records[f"{stage.name}:accepted"]]
        assert len(ids) == len(set(ids)), f"duplicates in {stage.name}"
    first = recipe(recipe_name).stages[0].name
    assert sum(s.n_input for s in store.summaries(first)) > 0, "the samples give it work"
