"""Deployments against a real `prefect server start` on 127.0.0.1: `babelforge deploy`
registers prefect.yaml (schedules visible through the API, process work pool, LLM limit);
`babelforge serve-deployments` serves them and a run triggered with parameters completes
with its artifacts."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import yaml
from prefect import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    TaskRunFilter,
    TaskRunFilterName,
)
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment
from prefect.settings import PREFECT_API_URL, temporary_settings

from babelforge.generators.embedded import EmbeddedServer

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SAMPLES = REPO / "samples" / "wikipedia"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A Prefect server of its own (home in tmp); yields the environment that points at it."""
    home = tmp_path_factory.mktemp("prefect-server")
    url = f"http://127.0.0.1:{free_port()}/api"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")},
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": url,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "COMET_DISABLE_AUTO_LOGGING": "1",
    }
    port = url.split(":")[2].split("/")[0]
    with (home / "server.log").open("wb") as log:
        process = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", port],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 240
        while True:
            assert process.poll() is None, (home / "server.log").read_text()
            assert time.monotonic() < deadline, "prefect server did not start in 240 s"
            try:
                if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(2)
        yield env
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def api(env: dict[str, str]) -> Iterator[None]:
    with temporary_settings({PREFECT_API_URL: env["PREFECT_API_URL"]}):
        yield


def test_deploy_registers_every_deployment_with_its_schedule_pool_and_parameters(
    server: dict[str, str],
) -> None:
    done = subprocess.run(
        [str(BIN / "babelforge"), "deploy", "--llm-slots", "2"],
        cwd=REPO,
        env=server,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "registered factory/syndarin" in done.stderr

    specs = yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]
    with api(server), get_client(sync_client=True) as client:
        assert client.read_work_pool("babelforge").type == "process"
        limit = client.read_global_concurrency_limit_by_name("tag:babelforge-llm")
        assert limit.limit == 2
        flows = {
            "flows/factory.py:factory_flow": "factory",
            "flows/gold.py:gold_pull_flow": "gold-pull",
        }
        for spec in specs:
            deployment = client.read_deployment_by_name(
                f"{flows[spec['entrypoint']]}/{spec['name']}"
            )
            assert deployment.work_pool_name == "babelforge"
            assert deployment.parameters == spec["parameters"]
            (schedule,) = deployment.schedules
            assert schedule.active
            assert schedule.schedule.cron == spec["schedules"][0]["cron"]  # type: ignore[union-attr]
            assert schedule.schedule.timezone == "UTC"  # type: ignore[union-attr]
    names = {s["name"] for s in specs}
    assert {"factory", "syndarin", "instructions", "hallucination"} <= names


def test_served_deployment_runs_with_parameters_and_leaves_artifacts(
    server: dict[str, str], embedded_server: EmbeddedServer, tmp_path: Path
) -> None:
    config = tmp_path / "tiny.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "name": "served",
                "run_dir": str(tmp_path / "ignored"),
                "languages": ["hy"],
                "llm": {
                    "backend": "embedded",
                    "base_url": embedded_server.base_url,
                    "model": embedded_server.model,
                    "parse_retries": 0,
                    "sampling": {"temperature": 0.3, "max_tokens": 96, "seed": 2},
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
                "tracking": {"mode": "offline"},
            }
        )
    )
    run_dir = tmp_path / "served-run"
    log = (tmp_path / "serve.log").open("wb")
    serving = subprocess.Popen(
        [str(BIN / "babelforge"), "serve-deployments", "--name", "syndarin"],
        cwd=REPO,
        env=server,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        with api(server), get_client(sync_client=True) as client:
            deadline = time.monotonic() + 240
            while True:
                assert serving.poll() is None, (tmp_path / "serve.log").read_text()
                assert time.monotonic() < deadline, "serve-deployments never came up"
                if "deployments are being served" in (tmp_path / "serve.log").read_text():
                    break
                time.sleep(2)
            flow_run: FlowRun = run_deployment(  # type: ignore[assignment]
                "factory/syndarin",
                parameters={"config_path": str(config), "run_dir": str(run_dir)},
                timeout=900,
            )
            assert flow_run.state is not None and flow_run.state.is_completed(), (
                flow_run.state,
                (tmp_path / "serve.log").read_text()[-3000:],
            )
            assert flow_run.parameters["recipes"] == ["syndarin"]  # from prefect.yaml
            artifacts = client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run.id])
                )
            )
            by_key = {a.key: a for a in artifacts}
            assert {"babelforge-report", "babelforge-stages", "babelforge-delivery"} <= set(by_key)
            assert str(by_key["babelforge-report"].data).startswith("# babelforge run report")
            assert str(run_dir / "export") in str(by_key["babelforge-delivery"].data)
            shard_runs = client.read_task_runs(
                task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_="syndarin.mine-hy"))
            )
            assert shard_runs and all("babelforge-llm" in t.tags for t in shard_runs)
    finally:
        os.killpg(serving.pid, signal.SIGTERM)
        serving.wait(timeout=120)
        log.close()
    assert (run_dir / "export" / "README.md").is_file()
    assert list((run_dir / "comet").glob("*.zip"))
    assert (run_dir / "stages" / "syndarin.generate" / "hy").is_dir()
