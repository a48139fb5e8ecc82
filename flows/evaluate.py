"""`babelforge evaluate`: benchmark models on an export's MCQ and hallucination configs.

    <export>/evaluation/results.json         every summary (EvaluationResults)
    <export>/evaluation/report.md            the Markdown report, charts embedded
    <export>/evaluation/charts/*.png         accuracy, English vs target, hallucination rate
    <export>/evaluation/answers/<model>.*.jsonl   every answer, raw text kept on failures
    <export>/evaluation/cache/<uuid>.jsonl       the response cache (a rerun costs nothing)
    <export>/evaluation/comet/               the offline Comet archive (unless COMET_API_KEY)

The dataset card gets a "Benchmark results" section. The flow is wiring: read the items, ask
each model (one task per model), summarize, write, chart, report, track.
"""

import asyncio
import os
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from babelforge.flows.charts import evaluation_charts
from babelforge.flows.evaluate_report import render_report
from babelforge.flows.evaluate_tracking import track_evaluation
from babelforge.flows.export.benchmark_card import update_card
from babelforge.flows.export.export import export_folder
from babelforge.flows.store import RunStore
from babelforge.flows.tracking import TrackingSummary
from babelforge.generators.backends import llm_endpoint
from babelforge.generators.evaluate.endpoints import llm_for
from babelforge.generators.evaluate.items import ExportItems, read_items
from babelforge.generators.evaluate.runner import ModelRun, evaluate_model
from babelforge.generators.evaluate.stats import RANDOM_BASELINE
from babelforge.generators.evaluate.summary import hallucination_summaries, mcq_summaries
from babelforge.schemas.config import LLMConfig, load_config
from babelforge.schemas.delivery_config import TrackingConfig
from babelforge.schemas.errors import InputError
from babelforge.schemas.evaluate_config import EvaluateConfig
from babelforge.schemas.evaluation import EvaluationResults


@dataclass(frozen=True)
class EvaluationOutput:
    """Where the evaluation wrote its results."""

    results: EvaluationResults
    folder: Path
    report: Path
    charts: tuple[Path, ...]
    tracking: TrackingSummary | None


@task(cache_policy=NO_CACHE)
def evaluate_model_task(
    name: str,
    llm: LLMConfig,
    judge: LLMConfig,
    items: ExportItems,
    settings: EvaluateConfig,
    cache_dir: Path,
) -> ModelRun:
    """One model's answers to every item (asyncio inside, one event loop per model)."""
    run = asyncio.run(evaluate_model(name, llm, judge, items, settings, cache_dir))
    get_run_logger().info(
        "%s: %d MCQ answers, %d hallucination answers, %d requests sent, %d from the cache",
        name, len(run.mcq), len(run.hallucination), run.usage.requests, run.usage.cached_requests,
    )  # fmt: skip
    return run


@flow(name="evaluate")
def evaluate_flow(
    export_dir: str,
    settings: EvaluateConfig,
    tracking: TrackingConfig | None = None,
) -> EvaluationOutput:
    """Benchmark every model of `settings` on the export in `export_dir`."""
    export = local_export(export_dir)
    out = export / settings.folder
    items = read_items(str(export), settings.configs, settings.splits, settings.max_items)
    llms = {name: llm_for(name, spec) for name, spec in settings.models.items()}
    judge_name = next(iter(settings.models))
    judge = llm_for("judge", settings.judge) if settings.judge else llms[judge_name]
    runs: dict[str, ModelRun] = {}
    with ExitStack() as stack:
        live = _EndpointPool(stack, out)
        for name, llm in llms.items():
            runs[name] = evaluate_model_task(
                name, live.open(llm), live.open(judge), items, settings, out / "cache"
            )
    results = EvaluationResults(
        export=str(export),
        models=dict(settings.models),
        judge=settings.judge or f"{judge_name} (the first model)",
        random_baseline=RANDOM_BASELINE,
        mcq=mcq_summaries([a for r in runs.values() for a in r.mcq]),
        hallucination=hallucination_summaries([a for r in runs.values() for a in r.hallucination]),
        usage={name: r.usage for name, r in runs.items()},
        dropped_gold=items.dropped_gold,
    )
    write_answers(out, runs)
    (out / "results.json").write_text(results.model_dump_json(indent=2), "utf-8")
    charts = evaluation_charts(results, out / "charts")
    report = out / "report.md"
    report.write_text(render_report(results, [c.relative_to(out) for c in charts]), "utf-8")
    update_card(export, results)
    tracked = (
        track_evaluation(results, report, charts, tracking, out / "comet", os.environ)
        if tracking is None or tracking.enabled
        else None
    )
    return EvaluationOutput(results, out, report, tuple(charts), tracked)


@flow(name="evaluate-config")
def evaluate_config_flow(
    config_path: str, export_dir: str | None = None, run_dir: str | None = None
) -> EvaluationOutput:
    """Evaluate with a run config's `evaluate:` section and tracking, on the export of that
    run (or of `run_dir`, as a factory deployment names it) unless `export_dir` is given: the
    entrypoint of a scheduled deployment."""
    config = load_config(config_path)
    if run_dir is not None:
        config = config.model_copy(update={"run_dir": run_dir})
    if config.evaluate is None:
        raise InputError(f"{config_path}: no `evaluate:` section; add one (docs/evaluate.md)")
    folder = export_dir or export_folder(RunStore(config.run_dir), config)
    return evaluate_flow(folder, config.evaluate, config.tracking)


def local_export(export_dir: str) -> Path:
    """The export folder as a local path; InputError when it is a URL or not an export."""
    if "://" in export_dir:
        raise InputError(
            f"{export_dir}: evaluate reads a local export folder; download it first "
            "(huggingface-cli download --repo-type dataset ...)"
        )
    path = Path(export_dir)
    if not (path / "README.md").is_file():
        raise InputError(f"{export_dir} is not an export folder (no README.md dataset card)")
    return path.resolve()


def write_answers(out: Path, runs: Mapping[str, ModelRun]) -> None:
    """Every answer as JSONL per model, so each figure can be traced to its replies."""
    folder = out / "answers"
    folder.mkdir(parents=True, exist_ok=True)
    for name, run in runs.items():
        for kind, answers in (("mcq", run.mcq), ("hallucination", run.hallucination)):
            lines = "".join(a.model_dump_json() + "\n" for a in answers)
            (folder / f"{name}.{kind}.jsonl").write_text(lines, "utf-8")


class _EndpointPool:
    """Each distinct endpoint started once (the embedded server at most once), kept open
    until the stack closes."""

    def __init__(self, stack: ExitStack, out: Path) -> None:
        self.stack, self.out = stack, out
        self.live: dict[str, LLMConfig] = {}

    def open(self, llm: LLMConfig) -> LLMConfig:
        key = llm.model_dump_json()
        if key not in self.live:
            log = self.out / "logs" / f"server-{len(self.live)}.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            self.live[key] = self.stack.enter_context(llm_endpoint(llm, log_path=log))
        return self.live[key]
