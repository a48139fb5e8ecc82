"""Deployments from prefect.yaml: register them on a Prefect server, or serve them.

`register` makes sure the process work pool and the LLM concurrency limit exist, then runs
Prefect's own `prefect deploy` on the file, so the deployments are exactly what Prefect's CLI
would make of it (schedules, parameters, pull step to this folder). `serve` builds the same
deployments from the file and serves them from this process, for users without a work pool.
"""

import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

from prefect import Flow, get_client, serve
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.deployments.runner import RunnerDeployment
from prefect.exceptions import ObjectNotFound
from prefect.flows import load_flow_from_entrypoint
from prefect.schedules import Cron
from prefect.settings import PREFECT_API_URL
from pydantic import BaseModel, ConfigDict, Field

from babelforge.schemas.errors import BabelforgeError, ConfigError
from babelforge.schemas.yaml_lines import load_yaml_with_lines

log = logging.getLogger(__name__)

LLM_LIMIT = "tag:babelforge-llm"


class ScheduleSpec(BaseModel):
    """A cron schedule of prefect.yaml."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    cron: str
    timezone: str | None = None
    active: bool = True


class PoolSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str


class DeploymentSpec(BaseModel):
    """The fields of one prefect.yaml deployment that babelforge reads."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str
    entrypoint: str
    description: str | None = None
    tags: list[str] = []
    parameters: dict[str, Any] = {}
    schedules: list[ScheduleSpec] = []
    concurrency_limit: int | None = Field(default=None, ge=1)
    work_pool: PoolSpec | None = None


def read_specs(prefect_file: Path, names: list[str] | None = None) -> list[DeploymentSpec]:
    """The deployments of a prefect.yaml (only `names` when given)."""
    if not prefect_file.is_file():
        raise ConfigError(f"{prefect_file} does not exist: give the path of prefect.yaml")
    data, _ = load_yaml_with_lines(prefect_file)
    try:
        specs = [DeploymentSpec.model_validate(d) for d in data.get("deployments") or []]
    except ValueError as e:
        raise ConfigError(f"{prefect_file}: a deployment is malformed: {e}") from e
    if names:
        unknown = sorted(set(names) - {s.name for s in specs})
        if unknown:
            known = ", ".join(s.name for s in specs)
            raise ConfigError(f"{prefect_file} has no deployment {unknown[0]!r} (it has {known})")
        specs = [s for s in specs if s.name in names]
    return specs


def ensure_work_pool(name: str) -> bool:
    """Create the process work pool `name` unless it exists; True when it was created."""
    from prefect.workers.process import ProcessWorker

    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(name)
            return False
        except ObjectNotFound:
            client.create_work_pool(
                WorkPoolCreate(
                    name=name,
                    type="process",
                    base_job_template=ProcessWorker.get_default_base_job_template(),
                )
            )
            return True


def ensure_llm_limit(slots: int) -> None:
    """Create or resize the global limit on concurrent LLM shards across all runs."""
    with get_client(sync_client=True) as client:
        client.upsert_global_concurrency_limit_by_name(LLM_LIMIT, slots)


def register(
    prefect_file: Path, *, names: list[str] | None = None, llm_slots: int = 4
) -> list[str]:
    """Register the deployments of `prefect_file` on the server in PREFECT_API_URL; returns
    their full names (`flow/deployment`)."""
    if not PREFECT_API_URL.value():
        raise ConfigError(
            "PREFECT_API_URL is not set: start a server (prefect server start) and export "
            "PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    prefect_file = prefect_file.resolve()
    specs = read_specs(prefect_file, names)
    for pool in sorted({s.work_pool.name for s in specs if s.work_pool is not None}):
        if ensure_work_pool(pool):
            log.info("created the process work pool %s", pool)
    ensure_llm_limit(llm_slots)
    selection = [arg for s in specs for arg in ("--name", s.name)] if names else ["--all"]
    command = [sys.executable, "-m", "prefect", "deploy", "--no-prompt", *selection]
    command += ["--prefect-file", str(prefect_file)]
    done = subprocess.run(
        command, cwd=prefect_file.parent, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
        raise BabelforgeError("prefect deploy failed:\n" + "\n".join(tail))
    return [f"{_flow_name(s, prefect_file.parent)}/{s.name}" for s in specs]


def _flow_name(spec: DeploymentSpec, root: Path) -> str:
    return load_flow_from_entrypoint(_entrypoint(spec, root)).name


def _entrypoint(spec: DeploymentSpec, root: Path) -> str:
    path, _, function = spec.entrypoint.rpartition(":")
    return f"{root / path}:{function}"


def runner_deployments(
    prefect_file: Path, names: list[str] | None = None
) -> list[RunnerDeployment]:
    """The deployments of `prefect_file` as Prefect objects to serve."""
    prefect_file = prefect_file.resolve()
    deployments: list[RunnerDeployment] = []
    for spec in read_specs(prefect_file, names):
        flow: Flow[..., Any] = load_flow_from_entrypoint(_entrypoint(spec, prefect_file.parent))
        deployment = cast(
            RunnerDeployment,
            flow.to_deployment(
                name=spec.name,
                description=spec.description,
                tags=spec.tags,
                parameters=spec.parameters,
                schedules=[
                    Cron(s.cron, timezone=s.timezone, active=s.active) for s in spec.schedules
                ],
                concurrency_limit=spec.concurrency_limit,
            ),
        )
        deployments.append(deployment)
    return deployments


def serve_deployments(prefect_file: Path, names: list[str] | None = None) -> None:
    """Serve the deployments from this process until Ctrl-C or SIGTERM; flow runs start in
    subprocesses in the folder of `prefect_file`, where the config paths of its parameters
    point. Schedules are paused on shutdown, as Prefect does."""
    prefect_file = prefect_file.resolve()
    os.chdir(prefect_file.parent)
    deployments = runner_deployments(prefect_file, names)
    take_over(deployments)
    serve(*deployments, print_starting_message=True)


def take_over(deployments: list[RunnerDeployment]) -> None:
    """Delete the work-pool versions of deployments about to be served: Prefect would update
    them in place but keep their pull steps' empty path, and their runs would crash.
    `babelforge deploy` registers them for the work pool again."""
    with get_client(sync_client=True) as client:
        for deployment in deployments:
            try:
                existing = client.read_deployment_by_name(
                    f"{deployment.flow_name}/{deployment.name}"
                )
            except ObjectNotFound:
                continue
            if existing.work_pool_name:
                log.warning(
                    "serving %s/%s from this process instead of work pool %s",
                    deployment.flow_name, deployment.name, existing.work_pool_name,
                )  # fmt: skip
                client.delete_deployment(existing.id)
