"""The CLI commands that work for a user: `serve`, `report` of a finished run, and `run` with
the embedded backend and no `base_url` (the factory starts and stops its own server)."""

import json
import os
import re
import signal
import socket
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from babelforge.flows.cli import app
from babelforge.generators.local_process import free_port
from tests.annotation.run_factory import build_run
from tests.processes import background, run_bounded

REPO = Path(__file__).resolve().parents[2]
BABELFORGE = str(Path(sys.executable).with_name("babelforge"))


def port_is_closed(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_report_prints_the_stage_table_of_a_finished_run(tmp_path: Path) -> None:
    store = build_run(tmp_path / "run")
    result = CliRunner().invoke(app, ["report", store.root])
    assert result.exit_code == 0, result.output
    rows = {
        (cells[0], cells[1]): cells[2:6]
        for line in result.output.splitlines()
        if len(cells := [c.strip() for c in line.strip("│┃ ").split("│")]) >= 6
    }
    assert rows[("syndarin.validate", "hy")] == ["5", "3", "2", "0"]
    assert rows[("instructions.validate", "hy")] == ["4", "2", "2", "0"]
    assert rows[("hallucination.inject", "hi")] == ["3", "2", "1", "0"]
    assert f"babelforge: {store.root}" in result.output


@pytest.mark.slow
def test_serve_answers_chat_requests_until_sigterm(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "COLUMNS": "200"}
    with background([BABELFORGE, "serve", "--port", str(port)], env=env, log_path=log) as served:
        base = f"http://127.0.0.1:{port}/v1"
        deadline = time.monotonic() + 180
        while "Ctrl-C to stop" not in log.read_text():
            assert served.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "babelforge serve did not come up in 180 s"
            time.sleep(1)
        assert f"at {base}" in log.read_text()
        reply = httpx.post(
            f"{base}/chat/completions",
            json={
                "model": "smollm2-135m-instruct",
                "messages": [{"role": "user", "content": "Translate to German: Good morning!"}],
                "max_tokens": 16,
                "temperature": 0,
            },
            timeout=120,
        )
        assert reply.status_code == 200
        assert reply.json()["choices"][0]["message"]["content"].strip()
        served.send_signal(signal.SIGTERM)  # to the command only: it stops its server itself
        assert served.wait(timeout=60) == 0, log.read_text()
    assert port_is_closed(port)


@pytest.mark.slow
def test_run_without_base_url_starts_and_stops_its_own_embedded_server(tmp_path: Path) -> None:
    data = yaml.safe_load((REPO / "configs" / "instructions-demo.yaml").read_text())
    data["name"] = "own-server"
    data["languages"] = ["de"]
    data["instructions"]["max_records"] = 1
    data["instructions"]["input_paths"] = [
        str(REPO / p) for p in data["instructions"]["input_paths"]
    ]
    data["tracking"] = {"mode": "offline"}
    assert "base_url" not in data["llm"] and data["llm"]["backend"] == "embedded"
    config = tmp_path / "own-server.yaml"
    config.write_text(yaml.safe_dump(data))
    run_dir = tmp_path / "run"
    env = {**os.environ, "COLUMNS": "200"}
    done = run_bounded(
        [BABELFORGE, "run", str(config), "--run-dir", str(run_dir)], env=env, timeout_s=600
    )
    assert done.returncode == 0, done.stdout[-4000:]
    report = json.loads((run_dir / "report.json").read_text())
    translated = [s for s in report["stages"] if s["stage"] == "instructions.translate"]
    assert translated and translated[0]["input"] == 1
    server_log = (run_dir / "logs" / "llm-server.log").read_text()
    (port,) = set(re.findall(r"http://127\.0\.0\.1:(\d+)", server_log))
    assert port_is_closed(int(port)), "the factory left its embedded server running"
    records = "".join(p.read_text() for p in (run_dir / "stages").rglob("shard-*.jsonl"))
    assert '"backend":"llama.cpp"' in records.replace(" ", "")
