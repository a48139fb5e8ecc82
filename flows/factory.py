"""The `factory` flow: one run config end to end, and what `babelforge run` and every
deployment call.

    recipes (the `run` flow, flows/recipe_flow.py: every recipe, language and stage streamed
             over one set of endpoints, one response cache, then the report)
    -> gold push to Label Studio (when the config has `gold:` and LABEL_STUDIO_URL is set)
    -> Hugging Face export (Hub layout + dataset card)
    -> Comet ML tracking (offline archive in the run directory unless COMET_API_KEY is set)
    -> push to the Hub (when `export.push` is set)
    -> Prefect artifacts: the report, the stage table, where the dataset and experiment are

A killed run resumes where it stopped: committed shards whose fingerprint still matches the
config are skipped (flows/fingerprint.py), the others re-made, and LLM replies come back from
each shard's cache segment; one run at a time holds the run directory (flows/lease.py). Retries
sit on the tasks that do I/O (shards, export, and the Hub for transient errors only); the
export is also cached on a fingerprint of its inputs, so a rerun of a finished run does not
rewrite an unchanged dataset (a damaged export folder is always rewritten). Export, tracking
and push never sink a finished run: a failure is one warning line in the result
(`FactoryResult.warnings`), and the run's data stays.

Concurrency of LLM work has two levels. Inside a run, `llm.max_concurrency` bounds the
requests in flight to the endpoint (the one client of the run, shared by every stage, with its
limiter that also backs off on 429s); Prefect cannot do this itself, since its tasks are
shards, not requests. Across runs (two scheduled deployments hitting one vLLM server), every
shard task of an LLM stage carries the tag `babelforge-llm`, and Prefect's global concurrency
limit `tag:babelforge-llm` (created by `babelforge deploy --llm-slots N`) lets at most N such
shards run at once on the whole server; without the limit the tag costs nothing.
"""

import os
import time
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar

import yaml
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun
from prefect.context import TaskRunContext
from prefect.states import State
from prefect.tasks import Task

from babelforge.flows.export.export import (
    ExportSummary,
    export_fingerprint,
    export_folder,
    export_intact,
    export_run,
)
from babelforge.flows.export.push import PushSummary, hub_token, is_transient, push_export
from babelforge.flows.recipe_flow import run_recipes
from babelforge.flows.report import Report
from babelforge.flows.store import RunStore
from babelforge.flows.tracking import (
    RunWindow,
    TrackingSummary,
    committed_shards,
    run_window,
    track_run,
)
from babelforge.recipes.catalog import NAMES
from babelforge.schemas.base import Record
from babelforge.schemas.config import RunConfig, load_config
from babelforge.schemas.errors import BabelforgeError, ConfigError
from babelforge.schemas.secrets import scrub, scrub_logs

RecipeName = Literal["syndarin", "instructions", "hallucination"]
DeliveryT = TypeVar("DeliveryT")


class PushTarget(Record):
    """A run's export folder and the variable that holds the Hub token."""

    folder: str
    token_env: str


class FactoryResult(Record):
    """What one factory run produced and where."""

    report: Report
    gold: str
    export: ExportSummary | None = None
    tracking: TrackingSummary | None = None
    push: PushSummary | None = None
    warnings: tuple[str, ...] = ()
    """One line per delivery step (export, tracking, push) that failed; the run's data stays."""


@flow(name="factory")
def factory_flow(
    config_path: str,
    recipes: list[RecipeName] | None = None,
    run_dir: str | None = None,
    fresh: bool = False,
    retry_failed: bool = False,
) -> FactoryResult:
    """Run the recipes of a config file (all, or those named), then gold push, export,
    tracking and push; resumes where an earlier run of the same run_dir stopped (`fresh`
    starts over, `retry_failed` re-asks records that failed for an LLM reason)."""
    scrub_logs()
    config = prepare_config(config_path, recipes, run_dir)
    store = RunStore(config.run_dir)
    before = frozenset() if fresh else committed_shards(store)
    started = time.monotonic()
    report = run_recipes(config, fresh=fresh, retry_failed=retry_failed)
    window = run_window(store, before, time.monotonic() - started)
    gold = gold_check(config)
    warnings: list[str] = []
    export = (
        delivered("export", export_dataset, warnings, config, report)
        if config.export.enabled
        else None
    )
    tracking = (
        delivered("tracking", track_task, warnings, config, report, window, export)
        if config.tracking.enabled
        else None
    )
    pushed = (
        delivered("push", push, warnings, config, export)
        if export is not None and config.export.push
        else None
    )
    result = FactoryResult(
        report=report,
        gold=gold,
        export=export,
        tracking=tracking,
        push=pushed,
        warnings=tuple(warnings),
    )
    publish_artifacts(store, result)
    return result


def delivered(
    step: str, make: Callable[..., DeliveryT], warnings: list[str], config: RunConfig, *args: Any
) -> DeliveryT | None:
    """One delivery step of a finished run (export, tracking, push); whatever makes it fail
    becomes one warning line in `warnings` instead of failing the run, whose records, report
    and cache stay as they are."""
    try:
        return make(config, *args)
    except Exception as e:  # reported, not swallowed: the step's one line names the error
        said = scrub(str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__)
        message = f"{step} failed: {said}; the run's data is kept in {config.run_dir}"
        get_run_logger().warning(message)
        warnings.append(message)
        return None


def prepare_config(
    config_path: str, recipes: list[RecipeName] | None = None, run_dir: str | None = None
) -> RunConfig:
    """Load the config file; keep only the named recipes; override the run directory."""
    config = load_config(config_path)
    updates: dict[str, object] = {}
    if run_dir:
        updates["run_dir"] = run_dir
    if recipes is not None:
        for name in recipes:
            if getattr(config, name) is None:
                raise ConfigError(
                    f"{config_path}: no `{name}:` section, but the run asks for the {name} "
                    "recipe (add the section or drop the recipe from `recipes`)"
                )
        updates |= {name: None for name in NAMES if name not in recipes}
    return config.model_copy(update=updates)


def push(config: RunConfig, export: ExportSummary) -> PushSummary:
    """The end-of-run push `export.push` asks for."""
    if config.export.repo_id is None:
        raise ConfigError("export.push is set but export.repo_id is not: name the Hub repo")
    target = PushTarget(folder=export.folder, token_env=config.export.token_env)
    message = f"babelforge run {config.name}"
    return push_task(target, config.export.repo_id, config.export.private, message)


def gold_check(config: RunConfig) -> str:
    """Push the run's gold sample to Label Studio when configured and reachable by env;
    a failed push is reported, not fatal: the data is made, the labels can come later."""
    if config.gold is None:
        return "not configured"
    if config.gold.url(dict(os.environ)) is None:
        message = f"skipped: {config.gold.url_env} is not set"
        get_run_logger().warning("gold check %s", message)
        return message
    from babelforge.flows.gold import gold_push_flow

    state = gold_push_flow(config.run_dir, return_state=True)
    if state.is_completed():
        return f"pushed {state.result().created} tasks to Label Studio"
    get_run_logger().warning("gold push failed: %s", state.message)
    return f"failed: {state.message}"


def _export_cache_key(context: TaskRunContext, parameters: dict[str, object]) -> str:
    config = parameters["config"]
    assert isinstance(config, RunConfig)
    return f"babelforge-export-{export_fingerprint(RunStore(config.run_dir), config)}"


def export_dataset(config: RunConfig, report: Report) -> ExportSummary:
    """The export task, cached on its inputs unless the export folder was damaged."""
    if export_intact(RunStore(config.run_dir), config):
        return export_task(config, report)
    return export_task.with_options(refresh_cache=True)(config, report)


@task(cache_key_fn=_export_cache_key, persist_result=True, retries=1, retry_delay_seconds=5)
def export_task(config: RunConfig, report: Report) -> ExportSummary:
    """Write the Hub-layout dataset and its card (skipped when nothing changed)."""
    summary = export_run(RunStore(config.run_dir), config, report)
    get_run_logger().info(
        "export: %d rows in %d configs at %s", summary.rows, len(summary.configs), summary.folder
    )
    return summary


@task(cache_policy=NO_CACHE)
def track_task(
    config: RunConfig, report: Report, window: RunWindow, export: ExportSummary | None
) -> TrackingSummary:
    """Log the run to Comet ML (offline archive or online experiment). Not retried: an
    online experiment the server refuses is already kept offline, and every other failure
    would only add another archive."""
    summary = track_run(RunStore(config.run_dir), config, report, window, export, os.environ)
    get_run_logger().info(
        "comet: %s experiment %s %s",
        summary.mode, summary.experiment_key, summary.archive or summary.url or "",
    )  # fmt: skip
    return summary


def _retry_transient(task: Task, task_run: TaskRun, state: State) -> bool:
    """Only a network error, 429 or 5xx may heal by retrying; a missing or refused token,
    a missing repository or a bad card will not."""
    error = state.result(raise_on_failure=False)
    return isinstance(error, BaseException) and is_transient(error)


@task(
    cache_policy=NO_CACHE,
    retries=3,
    retry_delay_seconds=30,
    retry_condition_fn=_retry_transient,
)
def push_task(target: PushTarget, repo_id: str, private: bool, message: str) -> PushSummary:
    """Upload an export folder to the Hub with the token from the environment."""
    summary = push_export(
        target.folder,
        repo_id,
        private=private,
        environ=os.environ,
        token_env=target.token_env,
        message=message,
    )
    get_run_logger().info("pushed %s to %s", target.folder, summary.url)
    return summary


def push_target(run_dir: str, environ: Mapping[str, str]) -> PushTarget:
    """Check, before any Prefect run starts, that the run has an export and the token is
    set; errors are one clear line."""
    store = RunStore(run_dir)
    if not store.exists("config.yaml"):
        raise BabelforgeError(f"{run_dir} is not a babelforge run directory (no config.yaml)")
    config = RunConfig.model_validate(yaml.safe_load(store.read_text("config.yaml")))
    target = PushTarget(folder=export_folder(store, config), token_env=config.export.token_env)
    if not store.fs.exists(f"{target.folder}/README.md"):
        raise BabelforgeError(f"{target.folder} has no export yet: run the factory first")
    hub_token(environ, target.token_env)
    return target


@flow(name="push")
def push_flow(run_dir: str, repo_id: str, private: bool = True) -> PushSummary:
    """Upload a finished run's export to the Hugging Face Hub (private by default)."""
    scrub_logs()
    target = push_target(run_dir, os.environ)
    return push_task(target, repo_id, private, f"babelforge export of {run_dir}")


def publish_artifacts(store: RunStore, result: FactoryResult) -> None:
    """The report, the stage table and the delivery summary as Prefect artifacts."""
    report = result.report
    create_table_artifact(
        key="babelforge-stages",
        table=[
            {
                "stage": r.stage,
                "language": r.language,
                "input": r.input,
                "accepted": r.accepted,
                "rejected": r.rejected,
                "failed": r.failed,
                "yield": f"{r.yield_rate:.0%}",
            }
            for r in report.stages
        ],
        description="records per stage and language",
    )
    create_markdown_artifact(
        key="babelforge-report", markdown=store.read_text("report.md"), description="run report"
    )
    create_markdown_artifact(
        key="babelforge-delivery",
        markdown=delivery_markdown(result),
        description="where the dataset, the card and the experiment are",
    )


def delivery_markdown(result: FactoryResult) -> str:
    """Where everything went, as Markdown."""
    lines = [f"# Delivery of {result.report.run_dir}", "", f"- gold check: {result.gold}"]
    if result.export is not None:
        lines.append(f"- dataset: `{result.export.folder}` ({result.export.rows} rows)")
        lines.append(f"- dataset card: `{result.export.card}`")
        lines += [
            f"  - `{c.name}`: " + ", ".join(f"{s.split} {s.rows}" for s in c.splits)
            for c in result.export.configs
        ]
    if result.tracking is not None:
        where = result.tracking.archive or result.tracking.url or ""
        lines.append(
            f"- Comet ML ({result.tracking.mode}): {result.tracking.experiment_key} {where}"
        )
    if result.push is not None:
        lines.append(f"- Hugging Face Hub: {result.push.url}")
    if result.tracking is not None and result.tracking.note:
        lines.append(f"- Comet ML note: {result.tracking.note}")
    lines += [f"- warning: {w}" for w in result.warnings]
    return "\n".join(lines) + "\n"
