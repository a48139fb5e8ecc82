"""A run whose every request fails alike stops with one line and exit code 3, commits nothing
of the failing stage, and resumes once the config is fixed."""

import os
import sys
from pathlib import Path

import pytest
import yaml

from babelforge.generators.embedded import EmbeddedServer
from tests.processes import run_bounded

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _config(tmp_path: Path, server: EmbeddedServer, structured: str) -> Path:
    config = {
        "name": "stops",
        "run_dir": str(tmp_path / "run"),
        "languages": ["de"],
        "shard_size": 4,
        "llm": {
            "backend": "openai",
            "base_url": server.base_url,
            "model": server.model,
            "structured_output": structured,
            "parse_retries": 0,
            "sampling": {"temperature": 0.3, "max_tokens": 48, "seed": 0},
        },
        "instructions": {
            "input_paths": [str(REPO / "samples" / "instructions" / "alpaca.json")],
            "shape": "alpaca",
            "max_records": 4,
            "max_tokens": 48,
        },
        "export": {"enabled": False},
        "tracking": {"enabled": False},
    }
    path = tmp_path / "stops.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def cli_run(config: Path, tmp_path: Path) -> tuple[int, str]:
    """`babelforge run CONFIG` in a process of its own (PREFECT_HOME in tmp_path): exit code
    and output (stdout and stderr together)."""
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "COLUMNS": "400"}
    done = run_bounded(
        [sys.executable, "-m", "babelforge.flows.cli", "run", str(config)], env=env,
        timeout_s=600, cwd=REPO,
    )  # fmt: skip
    return done.returncode, done.stdout


def test_a_refused_request_shape_stops_the_run_and_it_resumes_once_fixed(
    embedded_server: EmbeddedServer, tmp_path: Path
) -> None:
    code, output = cli_run(_config(tmp_path, embedded_server, "json_schema"), tmp_path)
    assert code == 3, output
    lines = [line for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert errors == lines[-1:], output  # one line, the last one (Prefect logs come above)
    assert embedded_server.base_url in errors[0] and "structured_output" in errors[0]
    assert not list((tmp_path / "run" / "stages").rglob("*.done.json")), "nothing committed"

    code, output = cli_run(_config(tmp_path, embedded_server, "auto"), tmp_path)
    assert code == 0, output
    assert "error:" not in output
    assert list((tmp_path / "run" / "stages").rglob("*.done.json"))
