"""Deployments against a real `prefect server start` on 127.0.0.1: `babelforge deploy`
registers prefect.yaml (schedules visible through the API, process work pool, LLM limit);
`babelforge serve-deployments` serves every recipe deployment, the server's scheduler makes
their runs from the cron schedules, and one scheduled run of each, brought forward to now,
runs on the embedded model and leaves its export, Comet archive and artifacts."""

import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
import yaml
from prefect import get_client
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    FlowRunFilter,
    FlowRunFilterDeploymentId,
    FlowRunFilterState,
    FlowRunFilterStateType,
    TaskRunFilter,
    TaskRunFilterName,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.sorting import FlowRunSort
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.states import Scheduled

from babelforge.generators.embedded import EmbeddedServer
from tests.processes import background, run_bounded

pytestmark = pytest.mark.slow

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
    command = [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", port]
    with background(command, env=env, log_path=home / "server.log") as process:
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


@contextmanager
def api(env: dict[str, str]) -> Iterator[None]:
    with temporary_settings({PREFECT_API_URL: env["PREFECT_API_URL"]}):
        yield


def test_deploy_registers_every_deployment_with_its_schedule_pool_and_parameters(
    server: dict[str, str],
) -> None:
    done = run_bounded(
        [str(BIN / "babelforge"), "deploy", "--llm-slots", "2"], env=server, timeout_s=600, cwd=REPO
    )
    assert done.returncode == 0, done.stdout
    assert "registered factory/syndarin" in done.stdout

    specs = yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]
    with api(server), get_client(sync_client=True) as client:
        assert client.read_work_pool("babelforge").type == "process"
        limit = client.read_global_concurrency_limit_by_name("tag:babelforge-llm")
        assert limit.limit == 2
        flows = {
            "flows/factory.py:factory_flow": "factory",
            "flows/gold.py:gold_pull_flow": "gold-pull",
            "flows/evaluate.py:evaluate_config_flow": "evaluate-config",
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


RECIPE_DEPLOYMENTS = {
    # deployment: (the shipped config it trims, what it keeps of it)
    "factory": ("demo.yaml", ("syndarin",)),
    "syndarin": ("demo.yaml", ("syndarin",)),
    "instructions": ("instructions-demo.yaml", ("instructions",)),
    "hallucination": ("hallucination-demo.yaml", ("hallucination",)),
}


def tiny_config(shipped: str, keep: tuple[str, ...], server: EmbeddedServer, path: Path) -> Path:
    """The shipped config a deployment names, cut to one language and one input record,
    pointed at the session's embedded server (its relative sample paths stay as they are:
    served runs start in prefect.yaml's folder)."""
    data = yaml.safe_load((REPO / "configs" / shipped).read_text())
    for recipe in ("syndarin", "instructions", "hallucination"):
        if recipe not in keep:
            data.pop(recipe, None)
    data["languages"] = ["hy"]
    data["llm"] |= {"base_url": server.base_url, "model": server.model, "parse_retries": 0}
    data["tracking"] = {"mode": "offline"}
    if "syndarin" in data:
        data["syndarin"]["questions_per_paragraph"] = 1
        data["syndarin"]["mining"]["max_pairs"] = 1
        data["syndarin"]["mining"]["target_paths"] = {"hy": ["samples/wikipedia/hy.parquet"]}
    if "instructions" in data:
        data["instructions"]["max_records"] = 1
    if "hallucination" in data:
        data["hallucination"] |= {"max_articles": 1, "max_tagged": 1}
        data["hallucination"]["article_paths"] = {"hy": ["samples/wikipedia/hy.parquet"]}
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture(scope="module")
def serving(server: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`babelforge serve-deployments` for every recipe deployment; yields its log file."""
    log_path = tmp_path_factory.mktemp("serve") / "serve.log"
    names = [arg for name in RECIPE_DEPLOYMENTS for arg in ("--name", name)]
    command = [str(BIN / "babelforge"), "serve-deployments", *names]
    with background(command, env=server, log_path=log_path, cwd=REPO) as process:
        deadline = time.monotonic() + 240
        while "deployments are being served" not in log_path.read_text():
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "serve-deployments never came up"
            time.sleep(2)
        yield log_path


def next_scheduled_run(client: SyncPrefectClient, deployment_id: UUID) -> FlowRun:
    """The first run the server's scheduler made from the deployment's cron schedule."""
    deadline = time.monotonic() + 120
    while True:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                deployment_id=FlowRunFilterDeploymentId(any_=[deployment_id]),
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED])),
            ),
            sort=FlowRunSort.EXPECTED_START_TIME_ASC,
            limit=1,
        )
        if runs:
            return runs[0]
        assert time.monotonic() < deadline, "the scheduler made no run of the deployment"
        time.sleep(2)


def fire(client: SyncPrefectClient, run: FlowRun, parameters: dict[str, Any]) -> FlowRun:
    """Bring a scheduled run's start time to now (its parameters pointed at a tiny config),
    as if its cron time had come, and wait for the served deployment to finish it."""
    client.update_flow_run(run.id, parameters=parameters)
    client.set_flow_run_state(run.id, Scheduled(scheduled_time=datetime.now(UTC)), force=True)
    deadline = time.monotonic() + 600
    while True:
        current = client.read_flow_run(run.id)
        assert current.state is not None
        if current.state.is_final():
            return current
        assert time.monotonic() < deadline, f"{run.name} did not finish in 600 s"
        time.sleep(3)


@pytest.mark.parametrize("deployment", list(RECIPE_DEPLOYMENTS))
def test_scheduled_run_of_each_recipe_deployment_fires_and_completes(
    deployment: str,
    server: dict[str, str],
    serving: Path,
    embedded_server: EmbeddedServer,
    tmp_path: Path,
) -> None:
    shipped, keep = RECIPE_DEPLOYMENTS[deployment]
    (spec,) = [s for s in yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]
               if s["name"] == deployment]  # fmt: skip
    minute, hour = spec["schedules"][0]["cron"].split()[:2]
    config = tiny_config(shipped, keep, embedded_server, tmp_path / f"{deployment}.yaml")
    run_dir = tmp_path / "run"
    with api(server), get_client(sync_client=True) as client:
        served = client.read_deployment_by_name(f"factory/{deployment}")
        scheduled = next_scheduled_run(client, served.id)
        assert scheduled.auto_scheduled and scheduled.expected_start_time is not None
        start = scheduled.expected_start_time.astimezone(UTC)
        assert (start.minute, start.hour) == (int(minute), int(hour))
        parameters = {**scheduled.parameters, "config_path": str(config), "run_dir": str(run_dir)}
        finished = fire(client, scheduled, parameters)
        assert finished.state is not None and finished.state.is_completed(), (
            finished.state,
            serving.read_text()[-3000:],
        )
        assert finished.parameters.get("recipes") == spec["parameters"].get("recipes")
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[finished.id]))
        )
        by_key = {a.key: a for a in artifacts}
        assert {"babelforge-report", "babelforge-stages", "babelforge-delivery"} <= set(by_key)
        assert str(by_key["babelforge-report"].data).startswith("# babelforge run report")
        assert str(run_dir / "export") in str(by_key["babelforge-delivery"].data)
    stages = {p.name.split(".")[0] for p in (run_dir / "stages").iterdir()}
    assert stages == set(keep)
    assert (run_dir / "export" / "README.md").is_file()
    assert list((run_dir / "comet").glob("*.zip"))


def test_served_shard_tasks_take_the_llm_concurrency_slot(
    server: dict[str, str], serving: Path
) -> None:
    """Runs after the scheduled runs above (pytest keeps file order)."""
    with api(server), get_client(sync_client=True) as client:
        shard_runs = client.read_task_runs(
            task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_="syndarin.generate-hy"))
        )
    assert shard_runs and all("babelforge-llm" in t.tags for t in shard_runs)
