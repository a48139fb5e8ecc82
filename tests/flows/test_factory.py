"""The `factory` flow end to end on the real embedded model: recipes, export, Comet archive,
resume, and no secret anywhere in what a run leaves behind.

One small SynDARin run (one pair, one question, Armenian) is shared by the module; the tiny
model's wording is not judged.
"""

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from babelforge.flows.factory import FactoryResult, factory_flow
from babelforge.flows.store import RunStore
from babelforge.generators.embedded import EmbeddedServer

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples" / "wikipedia"
# Distinctive values: a scan for them in the run's files cannot hit by chance.
SECRETS = {
    "OPENAI_API_KEY": "sk-bftest-OPENAI-5f3b9c0e7d21",
    "HF_TOKEN": "hf_bftestHFTOKEN8c1d2e3f4a5b",
    "COMET_API_KEY": "bftest-COMET-9a8b7c6d5e4f",
    "LABEL_STUDIO_API_KEY": "bftest-LABELSTUDIO-1f2e3d4c5b",
}


@dataclass
class Run:
    config_path: Path
    run_dir: Path
    result: FactoryResult


@pytest.fixture(scope="module")
def run(embedded_server: EmbeddedServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """One factory run with secrets in the environment (Comet forced offline, since its key
    is set; no Label Studio URL, so the configured gold check is skipped)."""
    folder = tmp_path_factory.mktemp("factory")
    config = {
        "name": "factory-test",
        "run_dir": str(folder / "run"),
        "languages": ["hy"],
        "shard_size": 4,
        "llm": {
            "backend": "embedded",
            "base_url": embedded_server.base_url,
            "model": embedded_server.model,
            "api_key_env": "OPENAI_API_KEY",
            "parse_retries": 0,
            "sampling": {"temperature": 0.3, "max_tokens": 96, "seed": 1},
        },
        "syndarin": {
            "questions_per_paragraph": 1,
            "mining": {
                "source_paths": [str(SAMPLES / "en.parquet")],
                "target_paths": {"hy": [str(SAMPLES / "hy.parquet")]},
                "langlinks_path": str(SAMPLES / "langlinks.tsv"),
                "max_pairs": 1,
            },
        },
        "gold": {"per_stratum": 2},
        "tracking": {"mode": "offline", "sample_rows": 5},
    }
    path = folder / "factory-test.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    with pytest.MonkeyPatch.context() as env:
        for name, value in SECRETS.items():
            env.setenv(name, value)
        env.delenv("LABEL_STUDIO_URL", raising=False)
        result = factory_flow(config_path=str(path))
        yield Run(config_path=path, run_dir=folder / "run", result=result)


def comet_archive(path: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, bytes]]:
    """Parameters, metrics and assets (by file name) of an offline experiment archive."""
    with zipfile.ZipFile(path) as archive:
        lines = archive.read("messages.json").decode("utf-8").splitlines()
        messages = [json.loads(line) for line in lines if line.strip()]
        params, metrics, assets = {}, {}, {}
        for m in messages:
            p = m["payload"]
            if m["type"] == "parameter_msg":
                params[p["param"]["paramName"]] = p["param"]["paramValue"]
            elif m["type"] == "metric_msg":
                metrics[p["metric"]["metricName"]] = p["metric"]["metricValue"]
            elif m["type"] == "file_upload":
                assets[p["additional_params"]["fileName"]] = archive.read(p["file_path"])
    return params, metrics, assets


def test_factory_runs_the_recipe_and_delivers(run: Run, tmp_path: Path) -> None:
    import datasets

    result = run.result
    assert result.report.balanced
    stages = {(r.stage, r.language) for r in result.report.stages}
    assert {("syndarin.mine", "hy"), ("syndarin.generate", "hy")} <= stages
    assert result.gold == "skipped: LABEL_STUDIO_URL is not set"
    assert result.export is not None and result.tracking is not None
    card = Path(result.export.folder) / "README.md"
    assert card.is_file() and card.parent == run.run_dir / "export"
    validated = sum(r.accepted for r in result.report.stages if r.stage == "syndarin.validate")
    assert result.export.rows == validated  # every kept MCQ, and nothing else, is exported
    for config in result.export.configs:
        loaded = datasets.load_dataset(result.export.folder, config.name, cache_dir=str(tmp_path))
        assert sum(len(split) for split in loaded.values()) == config.rows


def test_comet_offline_archive_holds_config_metrics_table_and_card(run: Run) -> None:
    tracking = run.result.tracking
    assert tracking is not None and tracking.mode == "offline" and tracking.archive
    archive = Path(tracking.archive)
    assert archive.parent == run.run_dir / "comet" and archive.suffix == ".zip"
    params, metrics, assets = comet_archive(str(archive))

    assert params["name"] == "factory-test"
    assert params["llm.api_key_env"] == "OPENAI_API_KEY"
    assert params["syndarin.mining.max_pairs"] == 1
    assert params["languages"] == '["hy"]'

    assert metrics["syndarin.mine/hy/accepted"] == 1
    assert metrics["syndarin.generate/hy/input"] == 1
    assert 0 <= metrics["syndarin.generate/hy/yield"] <= 1
    assert metrics["total/requests"] >= 1
    assert metrics["syndarin.generate/hy/completion_tokens"] > 0
    assert metrics["throughput/tokens_per_s"] > 0
    assert metrics["attempt/shards"] >= 2
    assert any(k.startswith("syndarin.mine/hy/validator/") for k in metrics if "pass_rate" in k)

    table = assets["samples.csv"].decode("utf-8").splitlines()
    assert table[0] == "stage,language,status,reasons,id,record"
    assert any(line.startswith("syndarin.mine,hy,accepted,") for line in table[1:])
    assert run.result.export is not None
    card = Path(run.result.export.card).read_bytes()
    assert assets["dataset_card.md"] == card
    assert assets["report.md"].startswith(b"# babelforge run report")


def test_rerun_resumes_without_new_work_and_keeps_the_export(run: Run) -> None:
    assert run.result.export is not None
    card = Path(run.result.export.card)
    written = card.stat().st_mtime_ns
    store = RunStore(str(run.run_dir))
    shards = store.summaries()

    again = factory_flow(config_path=str(run.config_path))

    assert store.summaries() == shards
    assert card.stat().st_mtime_ns == written, "an unchanged export must come from the cache"
    assert again.export == run.result.export
    assert again.tracking is not None and again.tracking.archive
    _, metrics, _ = comet_archive(again.tracking.archive)
    assert metrics["attempt/shards"] == 0 and metrics["attempt/requests"] == 0


def test_no_secret_reaches_the_run_directory_the_archive_or_the_card(run: Run) -> None:
    assert run.result.export is not None
    files = [p for p in run.run_dir.rglob("*") if p.is_file()]
    assert any(p.suffix == ".zip" for p in files) and Path(run.result.export.card) in files
    blobs: list[tuple[str, bytes]] = []
    for path in files:
        blobs.append((str(path), path.read_bytes()))
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                blobs += [(f"{path}!{n}", archive.read(n)) for n in archive.namelist()]
    for name, value in SECRETS.items():
        leaks = [where for where, blob in blobs if value.encode() in blob]
        assert not leaks, f"{name} leaked into {leaks}"
