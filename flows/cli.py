"""The babelforge command line: each command builds a config and calls a flow."""

import contextlib
import logging
import os
import signal
import sys
import threading
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from babelforge.schemas.errors import BabelforgeError

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
console = Console(stderr=True)


def _fail(error: BabelforgeError) -> None:
    console.print(f"[bold red]error:[/] {error}", soft_wrap=True, highlight=False)
    raise typer.Exit(code=2)


@app.command()
def serve(
    port: int = typer.Option(8080, help="port on 127.0.0.1"),
    context_length: int = typer.Option(2048, help="context window in tokens"),
) -> None:
    """Start the embedded llama.cpp server (SmolLM2-135M-Instruct) until Ctrl-C or SIGTERM."""
    from babelforge.generators.embedded import EmbeddedServer

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with EmbeddedServer(port=port, context_length=context_length) as server:
            console.print(f"serving {server.model} at {server.base_url} (Ctrl-C to stop)")
            with contextlib.suppress(KeyboardInterrupt):
                stop.wait()
    except BabelforgeError as e:
        _fail(e)


@app.command()
def run(
    config: Path = typer.Argument(..., help="run config (YAML)"),
    run_dir: str | None = typer.Option(None, help="override the config's run_dir"),
    out: str | None = typer.Option(None, help="run in OUT/<config name> (unless --run-dir)"),
) -> None:
    """Run the recipes a config names, then export and track; a killed run resumes."""
    from babelforge.flows.factory import factory_flow
    from babelforge.schemas.config import load_config

    logging.basicConfig(level=os.environ.get("BABELFORGE_LOG", "WARNING"))
    try:
        name = load_config(config).name
        if run_dir is None and out is not None:
            run_dir = f"{out.rstrip('/')}/{name}"
        result = factory_flow(config_path=str(config), run_dir=run_dir)
    except BabelforgeError as e:
        _fail(e)
    report = result.report
    print_report(report)
    console.print(f"report: {Path(report.run_dir) / 'report.md'}")
    if result.export is not None:
        console.print(f"dataset: {result.export.folder}", soft_wrap=True)
        console.print(f"dataset card: {result.export.card}", soft_wrap=True)
    if result.tracking is not None:
        console.print(f"comet: {result.tracking.archive or result.tracking.url}", soft_wrap=True)
    if not report.balanced:
        raise typer.Exit(code=1)


@app.command()
def deploy(
    prefect_file: Path = typer.Option(Path("prefect.yaml"), help="the deployments file"),
    name: list[str] = typer.Option([], help="only this deployment (repeatable)"),
    llm_slots: int = typer.Option(4, min=1, help="LLM shards running at once, all runs"),
) -> None:
    """Register the deployments of prefect.yaml (cron schedules, process work pool) on the
    Prefect server in PREFECT_API_URL."""
    from babelforge.flows.deploy import register

    try:
        names = register(prefect_file, names=name or None, llm_slots=llm_slots)
    except BabelforgeError as e:
        _fail(e)
    for full_name in names:
        console.print(f"registered {full_name}")
    console.print("run them with: prefect worker start --pool babelforge")


@app.command("serve-deployments")
def serve_deployments(
    prefect_file: Path = typer.Option(Path("prefect.yaml"), help="the deployments file"),
    name: list[str] = typer.Option([], help="only this deployment (repeatable)"),
) -> None:
    """Serve the deployments of prefect.yaml from this process, no work pool needed."""
    from babelforge.flows.deploy import serve_deployments as serve_all

    try:
        serve_all(prefect_file, names=name or None)
    except BabelforgeError as e:
        _fail(e)


@app.command()
def push(
    run_dir: str = typer.Argument(..., help="a run directory with an export"),
    repo_id: str = typer.Option(..., help="owner/name of the Hub dataset repository"),
    public: bool = typer.Option(False, help="make a new repository public (default private)"),
) -> None:
    """Upload a run's export to the Hugging Face Hub with the token in HF_TOKEN."""
    from babelforge.flows.factory import push_flow, push_target

    try:
        push_target(run_dir, os.environ)
        summary = push_flow(run_dir, repo_id=repo_id, private=not public)
    except BabelforgeError as e:
        _fail(e)
    console.print(f"pushed to {summary.url}")


def _label_studio_settings(run_dir: str) -> None:
    """Fail fast, before any flow starts, when the Label Studio settings are missing."""
    from babelforge.annotation.client import Connection
    from babelforge.flows.gold import gold_settings
    from babelforge.flows.store import RunStore

    gold, _ = gold_settings(RunStore(run_dir))
    Connection.from_env(gold, dict(os.environ))


@app.command("gold-push")
def gold_push(run_dir: str = typer.Argument(..., help="a run directory")) -> None:
    """Push a stratified sample of a run to Label Studio (LABEL_STUDIO_URL and _API_KEY)."""
    from babelforge.flows.gold import gold_push_flow

    try:
        _label_studio_settings(run_dir)
        summary = gold_push_flow(run_dir)
    except BabelforgeError as e:
        _fail(e)
    console.print(f"gold push: {summary.created} tasks created at {summary.url}")


@app.command("gold-pull")
def gold_pull(run_dir: str = typer.Argument(..., help="a run directory")) -> None:
    """Pull Label Studio annotations into the run's gold split, agreement and filter metrics."""
    from babelforge.flows.gold import gold_pull_flow

    try:
        _label_studio_settings(run_dir)
        pulled = gold_pull_flow(run_dir)
    except BabelforgeError as e:
        _fail(e)
    console.print(
        f"gold pull: {pulled.annotations} annotations ({pulled.new_annotations} new), "
        f"{pulled.gold_records} gold records"
    )


@app.command()
def report(run_dir: str = typer.Argument(..., help="a run directory")) -> None:
    """Rebuild and print the report of a run directory."""
    from babelforge.flows.report import build_report
    from babelforge.flows.store import RunStore

    store = RunStore(run_dir)
    if not store.exists("config.yaml"):
        _fail(BabelforgeError(f"{run_dir} is not a babelforge run directory (no config.yaml)"))
    print_report(build_report(store))


def print_report(report: object) -> None:
    """Print the stage table of a report."""
    from babelforge.flows.report import Report

    assert isinstance(report, Report)
    table = Table(title=f"babelforge: {report.run_dir}")
    for column in (
        "stage",
        "lang",
        "input",
        "accepted",
        "rejected",
        "failed",
        "yield",
        "top reason",
    ):
        table.add_column(column)
    for r in report.stages:
        top = next(iter(r.reasons), "")
        table.add_row(
            r.stage, r.language, str(r.input), str(r.accepted), str(r.rejected), str(r.failed),
            f"{r.yield_rate:.0%}", top,
        )  # fmt: skip
    Console(file=sys.stdout, width=max(Console().width, 120)).print(table)


if __name__ == "__main__":
    app()
