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
    """One line and a non-zero exit: 3 when the endpoint cannot serve the run (EndpointError,
    resumable once fixed), 2 for every other user error."""
    from babelforge.generators.errors import EndpointError

    console.print(f"[bold red]error:[/] {error}", soft_wrap=True, highlight=False)
    raise typer.Exit(code=EndpointError.exit_code if isinstance(error, EndpointError) else 2)


def _fail_group(group: ExceptionGroup) -> None:
    """A run whose concurrent stages failed: the endpoint error if one stopped it (exit 3),
    else the first user error; anything else is a bug and propagates as it came."""
    from babelforge.generators.errors import EndpointError

    endpoint, _ = group.split(EndpointError)
    user, _ = group.split(BabelforgeError)
    found: BaseException | None = endpoint or user
    if found is None:
        raise group
    while isinstance(found, BaseExceptionGroup):
        found = found.exceptions[0]
    assert isinstance(found, BabelforgeError)
    _fail(found)


@app.command()
def serve(
    port: int = typer.Option(8080, help="port on 127.0.0.1"),
    context_length: int = typer.Option(2048, help="context window in tokens"),
    model_pack: str | None = typer.Option(None, help="a pack from `babelforge models`"),
    model_path: Path | None = typer.Option(None, help="a GGUF file instead of a pack"),
) -> None:
    """Start the embedded llama.cpp server (a model pack, default SmolLM2-135M-Instruct)
    until Ctrl-C or SIGTERM."""
    from babelforge.generators.embedded import EmbeddedServer, model_file

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        path, alias = model_file(model_pack, model_path)
        with EmbeddedServer(path, alias=alias, port=port, context_length=context_length) as server:
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
    except ExceptionGroup as group:  # the streaming executor's task groups
        _fail_group(group)
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


@app.command()
def validate(
    recipe: str = typer.Argument(..., help="syndarin, instructions or hallucination"),
    input_path: str = typer.Argument(..., metavar="INPUT.jsonl", help="records, one JSON a line"),
    language: str = typer.Option(..., help="the language of the translations (ISO 639)"),
    out: str = typer.Option(..., help="folder for accepted/rejected/failed.jsonl, summary.json"),
    config: Path | None = typer.Option(None, help="a run config whose filter settings apply"),
    judges: bool | None = typer.Option(
        None, "--judges/--no-judges", help="LLM judges (default: on unless the backend is embedded)"
    ),
) -> None:
    """Apply a recipe's filters to translations you already have (shapes: docs/validate.md)."""
    from babelforge.flows.validate_file import validate_file
    from babelforge.flows.validate_rows import recipe_name

    logging.basicConfig(level=os.environ.get("BABELFORGE_LOG", "WARNING"))
    try:
        summary = validate_file(
            recipe_name(recipe), input_path, language, out, config_path=config, judges=judges
        )
    except BabelforgeError as e:
        _fail(e)
    console.print(
        f"validate: {summary.input} in, {summary.accepted} accepted, {summary.rejected} "
        f"rejected, {summary.failed} failed -> {summary.out_dir}",
        soft_wrap=True,
    )
    for reason, n in list(summary.reasons.items())[:5]:
        console.print(f"  {reason}: {n}")


@app.command()
def models() -> None:
    """List the model packs the embedded backend can serve: model, size, licence, state."""
    from babelforge.flows.llm_views import install_hint, models_table

    Console(file=sys.stdout, width=max(Console().width, 140)).print(models_table())
    if hint := install_hint():
        console.print(hint, soft_wrap=True, highlight=False)


@app.command("check-endpoint")
def check_endpoint(
    url: str = typer.Argument(..., help="OpenAI-compatible base URL, e.g. http://host:8000/v1"),
    model: str | None = typer.Option(None, help="the model to check (default: the first served)"),
    api_key_env: str | None = typer.Option(None, help="environment variable holding the key"),
) -> None:
    """Models served, structured-output modes accepted, latency, tokens/s, vLLM metrics."""
    from pydantic import SecretStr

    from babelforge.flows.llm_views import endpoint_screen
    from babelforge.generators.endpoint_check import check_endpoint as check

    key = os.environ.get(api_key_env) if api_key_env else None
    try:
        report = check(url, model, SecretStr(key) if key else None)
    except BabelforgeError as e:
        _fail(e)
    Console(file=sys.stdout, width=max(Console().width, 120)).print(endpoint_screen(report))


@app.command()
def evaluate(
    export_dir: str = typer.Argument(..., help="an export folder (Hub layout, with README.md)"),
    model: list[str] = typer.Option(
        [], help="NAME=SPEC, repeatable; SPEC: embedded, an endpoint URL, or an LLM config YAML"
    ),
    configs: list[str] = typer.Option([], help="config name patterns (default syndarin-*, ...)"),
    judge: str | None = typer.Option(None, help="SPEC of the hallucination judge"),
    max_items: int | None = typer.Option(None, min=1, help="items per config and split"),
    config: Path | None = typer.Option(None, help="a run config whose `evaluate:` section applies"),
) -> None:
    """Benchmark models on an export: MCQ accuracy, hallucination rates (docs/evaluate.md)."""
    from babelforge.flows.evaluate import evaluate_flow
    from babelforge.generators.evaluate.endpoints import parse_model_option
    from babelforge.schemas.config import load_config
    from babelforge.schemas.evaluate_config import EvaluateConfig

    logging.basicConfig(level=os.environ.get("BABELFORGE_LOG", "WARNING"))
    try:
        run = load_config(config) if config is not None else None
        base = run.evaluate if run is not None and run.evaluate is not None else None
        models = dict(parse_model_option(m) for m in model) or (base.models if base else {})
        if not models:
            raise BabelforgeError("name at least one --model NAME=SPEC (or give --config)")
        update: dict[str, object] = {
            "models": models,
            "judge": judge or (base.judge if base else None),
        }
        update |= {"configs": tuple(configs)} if configs else {}
        update |= {"max_items": max_items} if max_items else {}
        settings = EvaluateConfig.model_validate((base.model_dump() if base else {}) | update)
        out = evaluate_flow(export_dir, settings, run.tracking if run else None)
    except (BabelforgeError, ValueError) as e:
        _fail(e if isinstance(e, BabelforgeError) else BabelforgeError(str(e)))
    for s in out.results.mcq:
        console.print(
            f"{s.model} {s.config} {s.split}: accuracy {s.target.rate:.1%} "
            f"[{s.target.low:.1%}-{s.target.high:.1%}] on {s.items} items",
            highlight=False,
        )
    for h in out.results.hallucination:
        console.print(
            f"{h.model} {h.config} {h.split}: {h.rate.rate:.1%} of {h.rate.n} answers "
            "with a hallucinated span",
            highlight=False,
        )
    console.print(f"report: {out.report}", soft_wrap=True)


@app.command()
def calibrate(
    labeled: str = typer.Argument(..., metavar="LABELED.jsonl", help="gold split or keep-labeled"),
    recipe: str = typer.Option(..., help="syndarin, instructions or hallucination"),
    target_precision: float = typer.Option(..., min=0.0, max=1.0, help="of the drops, 0-1"),
    out: str | None = typer.Option(None, help="output folder (default: LABELED-calibration)"),
    config: Path | None = typer.Option(None, help="a run config: its current thresholds"),
    judges: bool | None = typer.Option(
        None, "--judges/--no-judges", help="score the LLM judges too (default: as validate)"
    ),
) -> None:
    """Per language and scored check, the threshold that reaches a precision target."""
    from babelforge.flows.calibrate import calibrate_file
    from babelforge.flows.validate_rows import recipe_name

    logging.basicConfig(level=os.environ.get("BABELFORGE_LOG", "WARNING"))
    folder = out or f"{labeled.removesuffix('.jsonl')}-calibration"
    try:
        report = calibrate_file(
            labeled, recipe_name(recipe), target_precision, folder, config_path=config,
            judges=judges,
        )  # fmt: skip
    except BabelforgeError as e:
        _fail(e)
    console.print(f"calibrate: {report.labeled} labeled records -> {folder}/fragment.yaml")


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
