"""Commands that send a run elsewhere: the Hugging Face Hub and the Label Studio round trip."""

import os

import typer

from babelforge.flows.commands.console import err


def push(
    run_dir: str = typer.Argument(..., help="a run directory with an export"),
    repo_id: str = typer.Option(..., help="owner/name of the Hub dataset repository"),
    public: bool = typer.Option(False, help="make a new repository public (default private)"),
) -> None:
    """Upload a run's export to the Hugging Face Hub with the token in HF_TOKEN."""
    from babelforge.flows.factory import push_flow, push_target

    push_target(run_dir, os.environ)
    summary = push_flow(run_dir, repo_id=repo_id, private=not public)
    err.print(f"pushed to {summary.url}")


def _label_studio_settings(run_dir: str) -> None:
    """Fail fast, before any flow starts, when the Label Studio settings are missing."""
    from babelforge.annotation.client import Connection
    from babelforge.flows.gold import gold_settings
    from babelforge.flows.store import RunStore

    gold, _ = gold_settings(RunStore(run_dir))
    Connection.from_env(gold, dict(os.environ))


def gold_push(run_dir: str = typer.Argument(..., help="a run directory")) -> None:
    """Push a stratified sample of a run to Label Studio (LABEL_STUDIO_URL and _API_KEY)."""
    from babelforge.flows.gold import gold_push_flow

    _label_studio_settings(run_dir)
    summary = gold_push_flow(run_dir)
    err.print(f"gold push: {summary.created} tasks created at {summary.url}")


def gold_pull(run_dir: str = typer.Argument(..., help="a run directory")) -> None:
    """Pull Label Studio annotations into the run's gold split, agreement and filter metrics."""
    from babelforge.flows.gold import gold_pull_flow

    _label_studio_settings(run_dir)
    pulled = gold_pull_flow(run_dir)
    err.print(
        f"gold pull: {pulled.annotations} annotations ({pulled.new_annotations} new), "
        f"{pulled.gold_records} gold records"
    )
