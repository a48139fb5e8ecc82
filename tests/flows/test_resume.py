"""A run killed at any instant (here: mid-shard, with replies of the unfinished shard already
in its cache segment) resumes to the records of an uninterrupted run: no duplicate, no
request paid twice. One test per recipe; every request goes through a counting proxy."""

import json
import os
import shutil
import signal
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
from babelforge.generators.cache_store import CacheSegment
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


def segments(run_dir: Path) -> dict[tuple[str, int], int]:
    """Replies in each shard's cache segment, by (stage, shard index)."""
    out = {}
    for folder in sorted(run_dir.glob("stages/*/de/shard-*.cache")):
        index = int(folder.name.removeprefix("shard-").removesuffix(".cache"))
        out[(folder.parent.parent.name, index)] = len(CacheSegment.at(str(folder)).load())
    return out


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
    """Start the run; SIGKILL its whole process group once the cache segment of a shard not
    committed yet holds a reply (a shard is half done)."""
    with started(config, env, log) as process:
        deadline = time.monotonic() + 600
        while not unfinished_with_replies(run_dir):
            assert process.poll() is None, log.read_text(errors="replace")[-4000:]
            assert time.monotonic() < deadline, "no shard got a reply within 600 s"
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def unfinished_with_replies(run_dir: Path) -> dict[tuple[str, int], int]:
    """The replies in the segments of shards not committed (segments read first: a shard
    commits after its segment is written)."""
    replies = segments(run_dir)
    done = committed(run_dir)
    return {shard: n for shard, n in replies.items() if n and shard not in done}


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
        at_kill = segments(tmp_path / "killed")
        half_done = unfinished_with_replies(tmp_path / "killed")

        resumed = run_bounded(command(killed), env=env, timeout_s=900, cwd=REPO)
        assert resumed.returncode == 0, resumed.stdout[-4000:]
        paid_resuming = counts.answered - paid_before
    assert before < committed(tmp_path / "killed"), "the resumed run should commit the rest"

    # Every reply in a half-done shard's segment came back from it when the shard re-ran, and
    # every request the resumed run paid is a new reply in a segment.
    assert half_done, "killed too late: no shard was half done"
    store = RunStore(str(tmp_path / "killed"))
    markers = {(s.stage, s.index): s for s in store.summaries()}
    for shard, replies in half_done.items():
        assert markers[shard].usage.cached_requests >= replies, shard
    after = segments(tmp_path / "killed")
    assert paid_resuming <= sum(n - at_kill.get(shard, 0) for shard, n in after.items())
    for s in store.summaries():
        assert s.accepted + s.rejected + s.failed == s.n_input

    # An uninterrupted run over the same replies sends nothing and writes the same records.
    fresh = write_config(
        tmp_path, "fresh", recipe_name, embedded_server.base_url, embedded_server.model
    )
    for folder in (tmp_path / "killed").glob("stages/*/*/shard-*.cache"):
        shutil.copytree(folder, tmp_path / "fresh" / folder.relative_to(tmp_path / "killed"))
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
