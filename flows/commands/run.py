"""`babelforge run` and `babelforge report`: run a config's recipes, print a run's report."""

from pathlib import Path

import typer

from babelforge.flows.commands.console import err, print_report
from babelforge.flows.commands.stop import stop_on_signals
from babelforge.schemas.errors import AccountingError, BabelforgeError


def run(
    config: Path = typer.Argument(..., help="run config (YAML)"),
    run_dir: str | None = typer.Option(None, help="override the config's run_dir"),
    out: str | None = typer.Option(None, help="run in OUT/<config name> (unless --run-dir)"),
    fresh: bool = typer.Option(False, help="delete the run directory's contents and start over"),
    retry_failed: bool = typer.Option(
        False, help="re-run committed shards holding llm.* failures (the cache answers the rest)"
    ),
) -> None:
    """Run the recipes a config names, then export and track; a killed run resumes."""
    from babelforge.schemas.config import load_config

    name = load_config(config).name
    from babelforge.flows.factory import factory_flow

    if run_dir is None and out is not None:
        run_dir = f"{out.rstrip('/')}/{name}"
    with stop_on_signals():
        result = factory_flow(
            config_path=str(config), run_dir=run_dir, fresh=fresh, retry_failed=retry_failed
        )
    report = result.report
    print_report(report)
    err.print(f"report: {Path(report.run_dir) / 'report.md'}")
    if result.export is not None:
        err.print(f"dataset: {result.export.folder}")
        err.print(f"dataset card: {result.export.card}")
    if result.tracking is not None:
        err.print(f"comet: {result.tracking.archive or result.tracking.url}")
        if result.tracking.note:
            err.print(f"comet: {result.tracking.note}")
    for warning in result.warnings:  # a delivery step failed; the data and report stay
        err.print(f"warning: {warning}")
    if not report.balanced:
        raise AccountingError(
            f"{report.run_dir}: a stage does not balance (accepted + rejected + failed != "
            "input); see report.md and report this as a bug"
        )


def report(run_dir: str = typer.Argument(..., help="a run directory")) -> None:
    """Rebuild and print the report of a run directory."""
    from babelforge.flows.report import build_report
    from babelforge.flows.store import RunStore

    store = RunStore(run_dir)
    if not store.exists("config.yaml"):
        raise BabelforgeError(f"{run_dir} is not a babelforge run directory (no config.yaml)")
    print_report(build_report(store))
