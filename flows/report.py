"""The run report: per stage and language, inputs, accepted, rejected by reason, failed, yield,
validator pass rates and score distributions, tokens; JSON and Markdown in the run directory."""

import json
import statistics
from collections import Counter, defaultdict

from babelforge.flows.report_charts import chart_section
from babelforge.flows.report_endpoints import EndpointStats, endpoint_rows, endpoint_section
from babelforge.flows.report_workers import WorkerRow, worker_rows, worker_section
from babelforge.flows.store import RunStore
from babelforge.recipes.catalog import RECIPES
from babelforge.schemas.base import Record
from babelforge.schemas.outcome import ShardSummary, ValidatorStats
from babelforge.schemas.provenance import Usage
from babelforge.validators.legacy_reasons import current_check, current_reason


class StageRow(Record):
    """One stage in one language."""

    stage: str
    language: str
    shards: int
    input: int
    accepted: int
    rejected: int
    failed: int
    reasons: dict[str, int]
    usage: Usage

    @property
    def balanced(self) -> bool:
        return self.accepted + self.rejected + self.failed == self.input

    @property
    def yield_rate(self) -> float:
        return self.accepted / self.input if self.input else 0.0


class ValidatorRow(Record):
    """One validator in one stage and language: pass rate and score distribution."""

    stage: str
    language: str
    validator: str
    passed: int
    total: int
    score_min: float | None = None
    score_median: float | None = None
    score_max: float | None = None


class Report(Record):
    run_dir: str
    stages: tuple[StageRow, ...]
    validators: tuple[ValidatorRow, ...]
    usage: Usage
    metrics: dict[str, object]
    workers: tuple[WorkerRow, ...] = ()
    endpoints: tuple[EndpointStats, ...] = ()

    @property
    def balanced(self) -> bool:
        return all(row.balanced for row in self.stages)


def build_report(store: RunStore) -> Report:
    """Aggregate every committed shard, write report.json and report.md, return the report."""
    groups: dict[tuple[str, str], list[ShardSummary]] = defaultdict(list)
    order = {stage.name: n for n, stage in enumerate(s for r in RECIPES for s in r.stages)}
    summaries = sorted(store.summaries(), key=lambda s: (order.get(s.stage, len(order)), s.stage))
    for summary in summaries:
        groups[(summary.stage, summary.language)].append(summary)
    stages = tuple(_stage_row(stage, lang, shards) for (stage, lang), shards in groups.items())
    validators = tuple(
        row
        for (stage, lang), shards in groups.items()
        for row in _validator_rows(stage, lang, shards)
    )
    report = Report(
        run_dir=store.root,
        stages=stages,
        validators=validators,
        usage=sum((row.usage for row in stages), Usage()),
        metrics=_metrics(store),
        workers=worker_rows(summaries),
        endpoints=endpoint_rows(store),
    )
    store.write_json("report.json", report.model_dump(mode="json"))
    store.write_text("report.md", render_markdown(report) + chart_section(store, report))
    return report


def _stage_row(stage: str, language: str, shards: list[ShardSummary]) -> StageRow:
    reasons: Counter[str] = Counter()
    for s in shards:
        reasons.update({current_reason(code): n for code, n in s.reasons.items()})
    return StageRow(
        stage=stage,
        language=language,
        shards=len(shards),
        input=sum(s.n_input for s in shards),
        accepted=sum(s.accepted for s in shards),
        rejected=sum(s.rejected for s in shards),
        failed=sum(s.failed for s in shards),
        reasons=dict(reasons.most_common()),
        usage=sum((s.usage for s in shards), Usage()),
    )


def _validator_rows(stage: str, language: str, shards: list[ShardSummary]) -> list[ValidatorRow]:
    merged: dict[str, ValidatorStats] = {}
    for s in shards:
        for old_name, stats in s.validators.items():
            name = current_check(old_name)
            old = merged.get(name, ValidatorStats())
            merged[name] = ValidatorStats(
                passed=old.passed + stats.passed,
                total=old.total + stats.total,
                scores=old.scores + stats.scores,
            )
    rows = []
    for name, stats in sorted(merged.items()):
        scores = stats.scores
        rows.append(
            ValidatorRow(
                stage=stage,
                language=language,
                validator=name,
                passed=stats.passed,
                total=stats.total,
                score_min=min(scores) if scores else None,
                score_median=statistics.median(scores) if scores else None,
                score_max=max(scores) if scores else None,
            )
        )
    return rows


def _metrics(store: RunStore) -> dict[str, object]:
    out: dict[str, object] = {}
    for path in sorted(store.fs.glob(store.path("metrics/*.json"))):
        name = path.rsplit("/", 1)[-1].removesuffix(".json")
        with store.fs.open(path, "r", encoding="utf-8") as f:
            out[name] = json.load(f)
    return out


def render_markdown(report: Report) -> str:
    """The report as Markdown tables."""
    lines = [
        f"# babelforge run report: {report.run_dir}",
        "",
        "Every stage balances: accepted + rejected + failed == input"
        if report.balanced
        else "**ACCOUNTING BROKEN: some stage does not balance**",
        "",
        "## Stages",
        "",
        "| stage | lang | input | accepted | rejected | failed | yield | requests | cached "
        "| tokens |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report.stages:
        tokens = r.usage.prompt_tokens + r.usage.completion_tokens
        lines.append(
            f"| {r.stage} | {r.language} | {r.input} | {r.accepted} | {r.rejected} | {r.failed} "
            f"| {r.yield_rate:.0%} | {r.usage.requests} | {r.usage.cached_requests} | {tokens} |"
        )
    lines += [
        "",
        "## Why records were dropped",
        "",
        "| stage | lang | reason | count |",
        "|---|---|---|---:|",
    ]
    for r in report.stages:
        for reason, count in r.reasons.items():
            lines.append(f"| {r.stage} | {r.language} | `{reason}` | {count} |")
    if report.validators:
        lines += [
            "",
            "## Validators",
            "",
            "| stage | lang | validator | pass rate | min | median | max |",
            "|---|---|---|---:|---:|---:|---:|",
        ]
        for v in report.validators:
            rate = f"{v.passed}/{v.total} ({v.passed / v.total:.0%})" if v.total else "0/0"
            lines.append(
                f"| {v.stage} | {v.language} | {v.validator} | {rate} "
                f"| {_num(v.score_min)} | {_num(v.score_median)} | {_num(v.score_max)} |"
            )
    u = report.usage
    lines += [
        "",
        "## Tokens",
        "",
        f"{u.requests} requests sent, {u.cached_requests} served from the cache, "
        f"{u.prompt_tokens} prompt + {u.completion_tokens} completion tokens.",
    ]
    lines += worker_section(report.workers)
    lines += endpoint_section(report.endpoints)
    for name, data in report.metrics.items():
        lines += [
            "",
            f"## {name}",
            "",
            "```json",
            json.dumps(data, indent=2, ensure_ascii=False),
            "```",
        ]
    return "\n".join(lines) + "\n"


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"
