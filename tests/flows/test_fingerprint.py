"""A run directory knows what it holds: a rerun with a changed config re-makes exactly the
stages whose fingerprint changed and their downstream, from the cache where the requests did
not change; an unchanged rerun re-makes nothing; a changed input file is noticed. Every
request goes to the real llama.cpp server through a counting proxy."""

import json
import logging
import shutil
from pathlib import Path
from typing import Any

from babelforge.flows.executor import lanes
from babelforge.flows.fingerprint import Fingerprinter, expectations
from babelforge.flows.recipe_flow import run_recipes
from babelforge.flows.store import RunStore
from babelforge.generators.embedded import EmbeddedServer
from babelforge.recipes.catalog import configured
from babelforge.schemas.config import RunConfig
from babelforge.schemas.outcome import Fingerprint, ShardOutcome
from babelforge.schemas.records import MCQItem
from babelforge.schemas.verdict import Failed
from tests.flows.counting_proxy import counting_proxy

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
WIKI = SAMPLES / "wikipedia"
GENERATE, TRANSLATE = "syndarin.generate", "syndarin.translate"
EMPTY = ShardOutcome[MCQItem](n_input=0)


def syndarin(run_dir: Path, base_url: str, model: str, **llm: Any) -> RunConfig:
    return RunConfig.model_validate(
        {
            "name": "fingerprint",
            "run_dir": str(run_dir),
            "languages": ["de"],
            "shard_size": 1,
            "llm": {
                "backend": "embedded",
                "base_url": base_url,
                "model": model,
                "parse_retries": 0,
                "structured_output": "json_object",
                "sampling": {"temperature": 0.3, "max_tokens": 64, "seed": 0},
                **llm,
            },
            "syndarin": {
                "questions_per_paragraph": 1,
                "translation_mode": "batched",
                "mining": {
                    "source_paths": [str(WIKI / "en.parquet")],
                    "target_paths": {"de": [str(WIKI / "de.parquet")]},
                    "langlinks_path": str(WIKI / "langlinks.tsv"),
                    "max_pairs": 2,
                },
            },
            "export": {"enabled": False},
            "tracking": {"enabled": False},
        }
    )


def attempts(run_dir: Path) -> dict[tuple[str, int], str]:
    return {(s.stage, s.index): s.attempt for s in RunStore(str(run_dir)).summaries()}


def records(run_dir: Path) -> list[str]:
    """Every record file the committed markers name, in order."""
    store = RunStore(str(run_dir))
    return [
        store.read_text(store.record_file(s, kind))
        for s in store.summaries()
        for kind in ("accepted", "rejected", "failed")
    ]


def stale(config: RunConfig) -> list[tuple[str, int]]:
    """Committed shards whose fingerprint is not the config's."""
    store = RunStore(config.run_dir)
    fingerprinter, out = Fingerprinter(config), []
    for chain in lanes(config, configured(config)):
        made: dict[str, Fingerprint] = {}
        for lane in chain:
            mine = fingerprinter.lane(lane, made.get(lane.stage.upstream or ""))
            made[lane.stage.name] = mine
            for s in store.summaries(lane.stage.name):
                if s.fingerprint is None or s.fingerprint.digest != mine.digest:
                    out.append((s.stage, s.index))
    return out


def test_a_changed_llm_setting_re_makes_the_llm_stages_from_the_cache_and_keeps_mining(
    embedded_server: EmbeddedServer, tmp_path: Path
) -> None:
    run_dir = tmp_path / "run"
    with counting_proxy(embedded_server.base_url) as (url, counts):
        first = syndarin(run_dir, url, embedded_server.model)
        run_recipes(first)
        made, paid = attempts(run_dir), counts.answered
        assert paid > 0 and made
        before = records(run_dir)

        run_recipes(first)
        assert attempts(run_dir) == made, "an unchanged rerun re-makes nothing"
        assert counts.answered == paid

        changed = syndarin(run_dir, url, embedded_server.model, context_length=4096)
        run_recipes(changed)
        assert counts.answered == paid, "the requests did not change: the cache answers them"
    again = attempts(run_dir)
    assert again.keys() == made.keys()
    for (stage, index), attempt in made.items():
        if stage == "syndarin.mine":
            assert again[(stage, index)] == attempt, "mining does not use the LLM"
        else:
            assert again[(stage, index)] != attempt, f"{stage} {index} was not re-made"
    assert stale(changed) == []
    assert records(run_dir) == before, "the same replies make the same records"


def test_endpoints_concurrency_and_timeouts_are_not_part_of_the_fingerprint(
    tmp_path: Path,
) -> None:
    a = syndarin(tmp_path, "http://127.0.0.1:1/v1", "m")
    b = syndarin(
        tmp_path / "elsewhere", "http://127.0.0.1:2/v1", "m", max_concurrency=64, timeout_s=5
    )
    (chain_a,), (chain_b,) = lanes(a, configured(a)), lanes(b, configured(b))
    assert Fingerprinter(a).lane(chain_a[1], None) == Fingerprinter(b).lane(chain_b[1], None)
    c = syndarin(tmp_path, "http://127.0.0.1:1/v1", "another-model")
    (chain_c,) = lanes(c, configured(c))
    changed = (
        Fingerprinter(c).lane(chain_c[1], None).changed(Fingerprinter(a).lane(chain_a[1], None))
    )
    assert changed == ["llm"]


def test_a_changed_input_file_re_makes_every_stage(
    embedded_server: EmbeddedServer, tmp_path: Path
) -> None:
    alpaca = tmp_path / "alpaca.json"
    shutil.copy(SAMPLES / "instructions" / "alpaca.json", alpaca)
    config = RunConfig.model_validate(
        {
            "name": "inputs",
            "run_dir": str(tmp_path / "run"),
            "languages": ["de"],
            "llm": {
                "backend": "embedded",
                "base_url": embedded_server.base_url,
                "model": embedded_server.model,
                "parse_retries": 0,
                "structured_output": "json_object",
                "sampling": {"temperature": 0.3, "max_tokens": 48, "seed": 0},
            },
            "instructions": {
                "input_paths": [str(alpaca)],
                "shape": "alpaca",
                "max_records": 1,
                "max_tokens": 48,
            },
            "export": {"enabled": False},
            "tracking": {"enabled": False},
        }
    )
    run_recipes(config)
    made = attempts(tmp_path / "run")
    rows = json.loads(alpaca.read_text(encoding="utf-8"))
    rows[0]["instruction"] = "Nenne drei Farben des Regenbogens."
    alpaca.write_text(json.dumps(rows), encoding="utf-8")  # same config, new contents

    run_recipes(config)
    again = attempts(tmp_path / "run")
    assert again.keys() == made.keys()
    assert all(again[k] != made[k] for k in made), "every stage reads the changed input"
    assert stale(config) == []
    (translated,) = RunStore(config.run_dir).summaries("instructions.translate")
    assert translated.fingerprint is not None and translated.worker is not None


def test_retry_failed_re_makes_shards_holding_llm_failures_and_the_same_shard_downstream(
    tmp_path: Path,
) -> None:
    config = syndarin(tmp_path / "run", "http://127.0.0.1:1/v1", "m")
    chains = lanes(config, configured(config))
    store = RunStore(config.run_dir)
    store.follow(
        expectations(config, store, chains, logging.getLogger(__name__), retry_failed=False)
    )
    failed = Failed(stage=GENERATE, input_id="p-1", reason="llm.request_failed", error="503")
    for index, outcome in enumerate([ShardOutcome[MCQItem](n_input=1, failed=(failed,)), EMPTY]):
        store.write_shard(GENERATE, "de", index, outcome, MCQItem)
        store.write_shard(TRANSLATE, "de", index, EMPTY, MCQItem)
    kept = {(s.stage, s.index): s.attempt for s in store.summaries()}

    again = RunStore(config.run_dir)
    again.follow(
        expectations(config, again, chains, logging.getLogger(__name__), retry_failed=True)
    )
    assert again.committed(GENERATE, "de", 0) is None, "its llm failure is asked again"
    assert again.committed(GENERATE, "de", 1) is not None
    again.write_shard(GENERATE, "de", 0, EMPTY, MCQItem)
    assert again.committed(TRANSLATE, "de", 0) is None, "its upstream shard was re-made"
    assert again.committed(TRANSLATE, "de", 1) is not None
    left = {(s.stage, s.index): s.attempt for s in again.summaries()}
    assert left == {k: v for k, v in kept.items() if k != (TRANSLATE, 0)} | {
        (GENERATE, 0): left[(GENERATE, 0)]
    }
    assert left[(GENERATE, 0)] != kept[(GENERATE, 0)]
