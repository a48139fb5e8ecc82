"""`execution: sequential` (one stage, language and shard at a time, for debugging) writes
exactly the records of the streaming run over the same config and the same cached replies
(the streaming run's, read from the shared cache both runs name)."""

from pathlib import Path

from pydantic import BaseModel

from babelforge.flows.recipe_flow import run_recipes
from babelforge.flows.store import RunStore
from babelforge.generators.embedded import EmbeddedServer
from babelforge.recipes.catalog import configured
from babelforge.schemas.config import RunConfig

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"


def config(run_dir: Path, server: EmbeddedServer, execution: str, shared: Path) -> RunConfig:
    return RunConfig.model_validate(
        {
            "name": f"{execution}-run",
            "run_dir": str(run_dir),
            "languages": ["de", "hy"],
            "shard_size": 1,
            "execution": execution,
            "cache": {"shared": str(shared)},
            "llm": {
                "backend": "embedded",
                "base_url": server.base_url,
                "model": server.model,
                "max_concurrency": 4,
                "parse_retries": 0,
                "sampling": {"temperature": 0.3, "max_tokens": 64, "seed": 0},
            },
            "syndarin": {
                "questions_per_paragraph": 1,
                "mining": {
                    "source_paths": [str(SAMPLES / "wikipedia" / "en.parquet")],
                    "target_paths": {
                        "de": [str(SAMPLES / "wikipedia" / "de.parquet")],
                        "hy": [str(SAMPLES / "wikipedia" / "hy.parquet")],
                    },
                    "langlinks_path": str(SAMPLES / "wikipedia" / "langlinks.tsv"),
                    "max_pairs": 2,
                },
            },
            "instructions": {
                "input_paths": [str(SAMPLES / "instructions" / "alpaca.json")],
                "shape": "alpaca",
                "max_records": 2,
                "max_tokens": 64,
            },
        }
    )


def records(run: RunConfig) -> dict[str, list[str]]:
    """Every accepted, rejected and failed record of every stage and language, as JSON."""
    store = RunStore(run.run_dir)
    out: dict[str, list[str]] = {}
    for recipe in configured(run):
        for stage in recipe.stages:
            model: type[BaseModel] = stage.output
            for language in run.languages:
                key = f"{stage.name}/{language}"
                out[f"{key}:accepted"] = [
                    r.model_dump_json() for r in store.accepted(stage.name, language, model)
                ]
                out[f"{key}:rejected"] = [
                    r.model_dump_json() for r in store.rejected(stage.name, language, model)
                ]
                out[f"{key}:failed"] = [
                    r.model_dump_json() for r in store.failed(stage.name, language)
                ]
    return out


def test_sequential_and_streaming_runs_write_the_same_records(
    embedded_server: EmbeddedServer, tmp_path: Path
) -> None:
    shared = tmp_path / "shared-cache"
    streaming = config(tmp_path / "streaming", embedded_server, "streaming", shared)
    first = run_recipes(streaming)
    assert first.usage.requests > 0
    assert 0 < len(list(shared.glob("*/*.json"))) <= first.usage.requests  # one a paid key

    sequential = config(tmp_path / "sequential", embedded_server, "sequential", shared)
    second = run_recipes(sequential)

    assert second.usage.requests == 0, "every reply should come from the shared cache"
    assert second.usage.cached_requests == first.usage.requests + first.usage.cached_requests
    streamed, one_at_a_time = records(streaming), records(sequential)
    assert streamed == one_at_a_time
    assert streamed["syndarin.mine/hy:accepted"] and streamed["instructions.translate/de:accepted"]
