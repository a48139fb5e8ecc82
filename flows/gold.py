"""The `gold-push` and `gold-pull` flows: a run's sample to Label Studio and the labels back.

Both take a run directory; the gold settings come from the run's config snapshot (its `gold:`
section, defaults otherwise), the Label Studio URL and key from the environment. The I/O
tasks retry on an unreachable or failing server, never on a refused key. `gold-pull` is
meant to be scheduled (hourly): it picks up whatever was annotated since the last pull.
"""

import os
from pathlib import PurePosixPath

import yaml
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun
from prefect.states import State
from prefect.tasks import Task

from babelforge.annotation.client import Connection, GoldClient
from babelforge.annotation.errors import LabelStudioUnreachable
from babelforge.annotation.pull import PullSummary, pull_gold
from babelforge.annotation.push import PushSummary, push_sample
from babelforge.annotation.sample import Sample, stratified_sample
from babelforge.flows.store import RunStore
from babelforge.schemas.config import RunConfig
from babelforge.schemas.errors import ConfigError
from babelforge.schemas.gold_config import GoldConfig


def gold_settings(store: RunStore) -> tuple[GoldConfig, str]:
    """The run's gold config (defaults when it has none) and its run id (the config name)."""
    if not store.exists("config.yaml"):
        return GoldConfig(), PurePosixPath(store.root).name
    try:
        config = RunConfig.model_validate(yaml.safe_load(store.read_text("config.yaml")))
    except ValueError as e:
        raise ConfigError(f"{store.path('config.yaml')}: not a valid run config: {e}") from e
    return config.gold or GoldConfig(), config.name


def connect(gold: GoldConfig) -> GoldClient:
    """A client for the server in the environment, after checking that it accepts the key."""
    client = GoldClient(Connection.from_env(gold, dict(os.environ)))
    client.check()
    return client


def _retry_when_unreachable(task: Task, task_run: TaskRun, state: State) -> bool:
    """Retry a server that did not answer or failed; a refused key or bad request won't heal."""
    error = state.result(raise_on_failure=False)
    return isinstance(error, LabelStudioUnreachable)


@task(cache_policy=NO_CACHE)
def draw_sample(run_dir: str, gold: GoldConfig) -> Sample:
    """The stratified sample of the run's final records (local reads only)."""
    sample = stratified_sample(RunStore(run_dir), gold)
    get_run_logger().info(
        "gold: sampled %d records from %d strata", len(sample.items), len(sample.strata)
    )
    return sample


@task(cache_policy=NO_CACHE, retry_condition_fn=_retry_when_unreachable)
def push_task(run_dir: str, gold: GoldConfig, sample: Sample, run_id: str) -> PushSummary:
    """Send the sample to Label Studio (idempotent, so a retry after a partial push is safe)."""
    return push_sample(connect(gold), RunStore(run_dir), gold, sample, run_id)


@task(cache_policy=NO_CACHE, retry_condition_fn=_retry_when_unreachable)
def pull_task(run_dir: str, gold: GoldConfig, run_id: str) -> PullSummary:
    """Export the annotations and write the gold split and metrics/gold.json."""
    return pull_gold(connect(gold), RunStore(run_dir), gold, run_id)


@flow(name="gold-push")
def gold_push_flow(run_dir: str) -> PushSummary:
    """Push a stratified sample of the run (accepted and rejected) to Label Studio."""
    store = RunStore(run_dir)
    gold, run_id = gold_settings(store)
    sample = draw_sample(run_dir, gold)
    summary = push_task.with_options(retries=gold.retries, retry_delay_seconds=gold.retry_delay_s)(
        run_dir, gold, sample, run_id
    )
    get_run_logger().info(
        "gold-push %s: %d tasks created, %d already in Label Studio",
        run_id, summary.created, sum(k.already_present for k in summary.kinds.values()),
    )  # fmt: skip
    return summary


@flow(name="gold-pull")
def gold_pull_flow(run_dir: str) -> PullSummary:
    """Pull the annotations into the run's gold split and metrics, then refresh the report."""
    from babelforge.flows.report import build_report

    store = RunStore(run_dir)
    gold, run_id = gold_settings(store)
    summary = pull_task.with_options(retries=gold.retries, retry_delay_seconds=gold.retry_delay_s)(
        run_dir, gold, run_id
    )
    get_run_logger().info(
        "gold-pull %s: %d annotations (%d new), %d gold records",
        run_id, summary.annotations, summary.new_annotations, summary.gold_records,
    )  # fmt: skip
    if summary.changed and store.exists("config.yaml"):
        build_report(store)
    return summary
