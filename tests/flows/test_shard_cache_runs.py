"""The cache segments of a run on an fsspec URL (memory://, standing in for an object store): a
shard that runs again finds every reply it paid for in its own segment, and the shared cache
answers a new run directory on another file system."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import fsspec
import pytest

from babelforge.flows.recipe_flow import run_recipes
from babelforge.flows.store import RunStore
from babelforge.generators.embedded import EmbeddedServer
from babelforge.schemas.config import RunConfig
from babelforge.validators.instr_candidate import InstructionCandidate

ALPACA = Path(__file__).resolve().parents[2] / "samples" / "instructions" / "alpaca.json"


def config(run_dir: str, server: EmbeddedServer, shared: str | None = None) -> RunConfig:
    return RunConfig.model_validate(
        {
            "name": "cache-run",
            "run_dir": run_dir,
            "languages": ["de"],
            "shard_size": 1,
            "llm": {
                "backend": "embedded",
                "base_url": server.base_url,
                "model": server.model,
                "parse_retries": 0,
                "structured_output": "json_object",
                "sampling": {"temperature": 0.3, "max_tokens": 64, "seed": 0},
            },
            "instructions": {
                "input_paths": [str(ALPACA)],
                "shape": "alpaca",
                "max_records": 2,
                "max_tokens": 64,
            },
            "export": {"enabled": False},
            "tracking": {"enabled": False},
            "cache": {"shared": shared},
        }
    )


def records(run_dir: str) -> list[str]:
    """Every accepted, rejected and failed record of the translate and validate stages."""
    store = RunStore(run_dir)
    out: list[str] = []
    for stage in ("instructions.translate", "instructions.validate"):
        out += [r.model_dump_json() for r in store.accepted(stage, "de", InstructionCandidate)]
        out += [r.model_dump_json() for r in store.rejected(stage, "de", InstructionCandidate)]
        out += [r.model_dump_json() for r in store.failed(stage, "de")]
    return out


@pytest.fixture
def memory_root() -> Iterator[str]:
    root = f"/babelforge-tests/{uuid.uuid4().hex}"
    yield f"memory://{root}"
    fsspec.filesystem("memory").rm(root, recursive=True)


def test_shards_run_again_on_a_memory_run_dir_are_answered_from_their_segments(
    embedded_server: EmbeddedServer, memory_root: str
) -> None:
    run = config(f"{memory_root}/run", embedded_server)
    first = run_recipes(run)
    assert first.usage.requests > 0
    store = RunStore(run.run_dir)
    segments = store.fs.glob(store.path("stages/*/de/shard-*.cache/*.jsonl"))
    assert segments, "each shard keeps its replies with it"
    before = records(run.run_dir)
    markers = store.fs.glob(store.path("stages/*/de/shard-*.done.json"))
    store.fs.rm(markers)  # as if every shard was killed just before its commit

    second = run_recipes(run)
    assert second.usage.requests == 0, "a re-run shard pays nothing it paid before"
    assert second.usage.cached_requests == first.usage.requests + first.usage.cached_requests
    assert before and records(run.run_dir) == before


def test_the_shared_cache_answers_a_new_run_dir(
    embedded_server: EmbeddedServer, memory_root: str, tmp_path: Path
) -> None:
    shared = f"{memory_root}/shared-cache"
    first = run_recipes(config(str(tmp_path / "run"), embedded_server, shared))
    assert first.usage.requests > 0
    assert fsspec.filesystem("memory").glob(f"{shared.removeprefix('memory://')}/*/*.json")

    elsewhere = config(f"{memory_root}/other-run", embedded_server, shared)
    second = run_recipes(elsewhere)
    assert second.usage.requests == 0, "every reply should come from the shared cache"
    assert second.usage.cached_requests == first.usage.requests + first.usage.cached_requests
    assert records(elsewhere.run_dir) == records(str(tmp_path / "run"))
