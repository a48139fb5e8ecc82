"""The demo config, trimmed, run with `backend: openai` against the real vLLM server.

The factory runs from the main virtualenv (`.venv/bin/babelforge run`: Prefect and the
filters are not in .venv-vllm) as a bounded subprocess pointed at the session's vLLM server,
so every recipe sends its structured requests as OpenAI `json_schema`, the way a user's run
against a GPU box does.
"""

import json
import os
from pathlib import Path

import pytest
import yaml

from tests.processes import run_bounded
from tests.vllm.conftest import REPO, SERVED_NAME

BABELFORGE = REPO / ".venv" / "bin" / "babelforge"


def openai_demo(base_url: str, path: Path) -> Path:
    """configs/demo.yaml cut to German and one input per recipe, with the vLLM server as LLM
    and OpenAI's `json_schema` structured output named outright (not left to the probe)."""
    data = yaml.safe_load((REPO / "configs" / "demo.yaml").read_text())
    data["name"] = "vllm-demo"
    data["languages"] = ["de"]
    data["llm"] = {
        "backend": "openai",
        "base_url": base_url,
        "model": SERVED_NAME,
        "api_key_env": "BABELFORGE_TEST_VLLM_KEY",
        "max_concurrency": 4,
        "structured_output": "json_schema",
        "parse_retries": 0,
        "sampling": {"temperature": 0.3, "max_tokens": 96, "seed": 0},
    }
    syndarin = data["syndarin"]
    syndarin["questions_per_paragraph"] = 1
    syndarin["mining"] |= {"max_pairs": 1, "target_paths": {"de": ["samples/wikipedia/de.parquet"]}}
    data["instructions"]["max_records"] = 1
    data["hallucination"] |= {"max_articles": 1, "max_tagged": 1}
    data["hallucination"]["article_paths"] = {"de": ["samples/wikipedia/de.parquet"]}
    data["tracking"] = {"mode": "offline"}
    path.write_text(yaml.safe_dump(data))
    return path


def test_demo_config_runs_every_recipe_against_the_vllm_server(
    vllm_server: str, tmp_path: Path
) -> None:
    if not BABELFORGE.exists():
        pytest.fail(f"{BABELFORGE} is missing: run `make install` first", pytrace=False)
    config = openai_demo(vllm_server, tmp_path / "vllm-demo.yaml")
    run_dir = tmp_path / "run"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))},
        "BABELFORGE_TEST_VLLM_KEY": "EMPTY",
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        "COMET_DISABLE_AUTO_LOGGING": "1",
        "COLUMNS": "200",
    }
    done = run_bounded(
        [str(BABELFORGE), "run", str(config), "--run-dir", str(run_dir)],
        env=env,
        timeout_s=900,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stdout[-4000:]

    report = json.loads((run_dir / "report.json").read_text())
    recipes = {s["stage"].split(".")[0] for s in report["stages"] if s["input"] > 0}
    assert recipes == {"syndarin", "instructions", "hallucination"}
    records = [
        json.loads(line)
        for shard in (run_dir / "stages").rglob("shard-*.jsonl")
        for line in shard.read_text().splitlines()
        if line.strip()
    ]
    models = {r["provenance"]["model"] for r in records if r.get("provenance")}
    models |= {
        r["record"]["provenance"]["model"]
        for r in records
        if isinstance(r.get("record"), dict) and r["record"].get("provenance")
    }
    assert SERVED_NAME in models, "no record names the vLLM-served model"
    snapshot = yaml.safe_load((run_dir / "config.yaml").read_text())
    assert snapshot["llm"]["backend"] == "openai"
    assert snapshot["llm"]["structured_output"] == "json_schema"
    assert "EMPTY" not in (run_dir / "config.yaml").read_text()
    assert (run_dir / "export" / "README.md").is_file()
