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

from schemas.errors import BabelforgeError

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
console = Console(stderr=True)


def _fail(error: BabelforgeError) -> None:
    console.print(f"[bold red]error:[/] {error}")
    raise typer.Exit(code=2)


@app.command()
def serve(
    port: int = typer.Option(8080, help="port on 127.0.0.1"),
    context_length: int = typer.Option(2048, help="context window in tokens"),
) -> None:
    """Start the embedded llama.cpp server (SmolLM2-135M-Instruct) until Ctrl-C or SIGTERM."""
    from generators.embedded import EmbeddedServer

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
) -> None:
    """Run the recipes a config names; a killed run resumes when run again."""
    from flows.run import run_recipes
    from schemas.config import load_config

    logging.basicConfig(level=os.environ.get("BABELFORGE_LOG", "WARNING"))
    try:
        cfg = load_config(config)
        if run_dir is not None:
            cfg = cfg.model_copy(update={"run_dir": run_dir})
        report = run_recipes(cfg)
    except BabelforgeError as e:
        _fail(e)
    print_report(report)
    console.print(f"report: {Path(report.run_dir) / 'report.md'}")
    if not report.balanced:
        raise typer.Exit(code=1)


@app.command()
def report(run_dir: str = typer.Argument(..., help="a run directory")) -> None:
    """Rebuild and print the report of a run directory."""
    from flows.report import build_report
    from flows.store import RunStore

    store = RunStore(run_dir)
    if not store.exists("config.yaml"):
        _fail(BabelforgeError(f"{run_dir} is not a babelforge run directory (no config.yaml)"))
    print_report(build_report(store))


def print_report(report: object) -> None:
    """Print the stage table of a report."""
    from flows.report import Report

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
    Console(file=sys.stdout).print(table)


if __name__ == "__main__":
    app()
