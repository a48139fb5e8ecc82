"""Commands on files you already have: validate translations, calibrate thresholds on labeled
records, evaluate models on an export."""

from pathlib import Path

import typer

from babelforge.flows.commands.console import err
from babelforge.schemas.errors import BabelforgeError


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

    summary = validate_file(
        recipe_name(recipe), input_path, language, out, config_path=config, judges=judges
    )
    err.print(
        f"validate: {summary.input} in, {summary.accepted} accepted, {summary.rejected} "
        f"rejected, {summary.failed} failed -> {summary.out_dir}"
    )
    for reason, n in list(summary.reasons.items())[:5]:
        err.print(f"  {reason}: {n}")


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

    folder = out or f"{labeled.removesuffix('.jsonl')}-calibration"
    report = calibrate_file(
        labeled, recipe_name(recipe), target_precision, folder, config_path=config, judges=judges
    )
    err.print(f"calibrate: {report.labeled} labeled records -> {folder}/fragment.yaml")


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
    from pydantic import ValidationError

    from babelforge.flows.evaluate import evaluate_flow
    from babelforge.generators.evaluate.endpoints import parse_model_option
    from babelforge.schemas.config import load_config
    from babelforge.schemas.evaluate_config import EvaluateConfig

    run = load_config(config) if config is not None else None
    base = run.evaluate if run is not None and run.evaluate is not None else None
    try:
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
    except (ValidationError, ValueError) as e:
        raise BabelforgeError(str(e)) from e
    out = evaluate_flow(export_dir, settings, run.tracking if run else None)
    for s in out.results.mcq:
        err.print(
            f"{s.model} {s.config} {s.split}: accuracy {s.target.rate:.1%} "
            f"[{s.target.low:.1%}-{s.target.high:.1%}] on {s.items} items"
        )
    for h in out.results.hallucination:
        err.print(
            f"{h.model} {h.config} {h.split}: {h.rate.rate:.1%} of {h.rate.n} answers "
            "with a hallucinated span"
        )
    err.print(f"report: {out.report}")
