"""Comet ML tracking of a run: config, counts, yields, validator pass rates, tokens,
throughput, a sample table of accepted and rejected records, the dataset card and report.

Offline by default: an `OfflineExperiment` writes its archive (`<key>.zip`, uploadable later
with `comet upload`) into `<run_dir>/comet/`. Online (`comet_ml.Experiment`) when the API key
variable is set and the mode allows it; an online experiment the Comet server does not take
(unreachable, key refused) becomes the offline archive, and the summary says why
(flows/comet_experiment.py). What exists is logged: a run whose stages hold no record still
gets its experiment. Plain functions, no Prefect; every logged string is scrubbed of the
run's secret values (schemas/secrets.py).
"""

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from babelforge.flows.comet_experiment import (
    Mode,
    TrackingSummary,
    close_experiment,
    open_experiment,
)
from babelforge.flows.export.export import ExportSummary
from babelforge.flows.report import Report
from babelforge.flows.store import RunStore
from babelforge.recipes.catalog import recipe_of
from babelforge.schemas.base import Record
from babelforge.schemas.config import RunConfig
from babelforge.schemas.delivery_config import TrackingConfig
from babelforge.schemas.provenance import Usage
from babelforge.schemas.secrets import redact, secret_values

ShardKey = tuple[str, str, int]
TABLE_HEADERS = ["stage", "language", "status", "reasons", "id", "record"]
PREVIEW_CHARS = 400


class RunWindow(Record):
    """What this attempt of the run did: wall time, shards it committed, tokens it spent."""

    wall_s: float
    shards: int
    records: int
    usage: Usage


def committed_shards(store: RunStore) -> frozenset[ShardKey]:
    """The shards already committed, to tell this attempt's work from a resumed run's."""
    return frozenset((s.stage, s.language, s.index) for s in store.summaries())


def run_window(store: RunStore, before: frozenset[ShardKey], wall_s: float) -> RunWindow:
    """The shards committed since `before` and what they cost."""
    new = [s for s in store.summaries() if (s.stage, s.language, s.index) not in before]
    return RunWindow(
        wall_s=wall_s,
        shards=len(new),
        records=sum(s.n_input for s in new),
        usage=sum((s.usage for s in new), Usage()),
    )


def tracking_mode(config: TrackingConfig, environ: Mapping[str, str]) -> Mode:
    """Online only when asked (or in auto mode) and the API key is in the environment."""
    has_key = bool(environ.get(config.api_key_env, "").strip())
    if config.mode == "online" and not has_key:
        from babelforge.schemas.errors import ConfigError

        raise ConfigError(
            f"tracking.mode is online but {config.api_key_env} is not set: export the Comet "
            "API key or set tracking.mode to auto or offline"
        )
    if config.mode == "offline" or not has_key:
        return "offline"
    return "online"


def run_parameters(run: RunConfig, secrets: Iterable[str] = ()) -> dict[str, Any]:
    """The run config flattened to `a.b.c` keys; lists as JSON; secrets scrubbed."""
    secrets = tuple(secrets)
    out: dict[str, Any] = {}
    for key, value in _flatten(run.model_dump(mode="json")):
        if isinstance(value, list | dict):
            value = json.dumps(value, ensure_ascii=False)
        out[key] = redact(value, secrets) if isinstance(value, str) else value
    return out


def _flatten(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            yield from _flatten(value, f"{name}.")
        else:
            yield name, value


def run_metrics(
    report: Report, window: RunWindow, export: ExportSummary | None
) -> dict[str, float]:
    """Counts, yields, reasons and tokens per stage and language; validator pass rates;
    totals; this attempt's throughput; exported rows per config and split."""
    m: dict[str, float] = {}
    for r in report.stages:
        key = f"{r.stage}/{r.language}"
        m |= {
            f"{key}/input": r.input,
            f"{key}/accepted": r.accepted,
            f"{key}/rejected": r.rejected,
            f"{key}/failed": r.failed,
            f"{key}/yield": round(r.yield_rate, 6),
            f"{key}/prompt_tokens": r.usage.prompt_tokens,
            f"{key}/completion_tokens": r.usage.completion_tokens,
            f"{key}/requests": r.usage.requests,
            f"{key}/cached_requests": r.usage.cached_requests,
        }
        for reason, count in r.reasons.items():
            m[f"{key}/reason/{reason}"] = count
    for v in report.validators:
        key = f"{v.stage}/{v.language}/validator/{v.validator}"
        m[f"{key}/passed"] = v.passed
        m[f"{key}/total"] = v.total
        m[f"{key}/pass_rate"] = round(v.passed / v.total, 6) if v.total else 0.0
    u = report.usage
    m |= {
        "total/prompt_tokens": u.prompt_tokens,
        "total/completion_tokens": u.completion_tokens,
        "total/requests": u.requests,
        "total/cached_requests": u.cached_requests,
        "attempt/wall_s": round(window.wall_s, 3),
        "attempt/shards": window.shards,
        "attempt/records": window.records,
        "attempt/prompt_tokens": window.usage.prompt_tokens,
        "attempt/completion_tokens": window.usage.completion_tokens,
        "attempt/requests": window.usage.requests,
    }
    if window.wall_s > 0:
        tokens = window.usage.prompt_tokens + window.usage.completion_tokens
        m |= {
            "throughput/records_per_s": round(window.records / window.wall_s, 4),
            "throughput/tokens_per_s": round(tokens / window.wall_s, 4),
            "throughput/completion_tokens_per_s": round(
                window.usage.completion_tokens / window.wall_s, 4
            ),
            "throughput/requests_per_s": round(window.usage.requests / window.wall_s, 4),
        }
    if export is not None:
        m["export/rows"] = export.rows
        for c in export.configs:
            for s in c.splits:
                m[f"export/{c.name}/{s.split}"] = s.rows
    return m


def sample_table(
    store: RunStore, report: Report, per_group: int, secrets: Iterable[str] = ()
) -> list[list[str]]:
    """Up to `per_group` accepted and `per_group` rejected records of every stage and
    language, as rows under TABLE_HEADERS (record JSON shortened, secrets scrubbed)."""
    secrets = tuple(secrets)
    rows: list[list[str]] = []
    for r in report.stages:
        for status in ("accepted", "rejected"):
            for data in _first_records(store, r.stage, r.language, status, per_group):
                record = data.get("record", data) if status == "rejected" else data
                reasons = (
                    ";".join(
                        v.get("reason") or ""
                        for v in data.get("verdicts", [])
                        if not v.get("keep", True)
                    )
                    if status == "rejected"
                    else ""
                )
                preview = json.dumps(
                    {k: v for k, v in record.items() if k != "provenance"}, ensure_ascii=False
                )[:PREVIEW_CHARS]
                row = [r.stage, r.language, status, reasons, str(record.get("id", "")), preview]
                rows.append([redact(cell, secrets) for cell in row])
    return rows


def _first_records(
    store: RunStore, stage: str, language: str, kind: str, limit: int
) -> Iterator[dict[str, Any]]:
    if limit <= 0:
        return
    seen = 0
    for summary in store.summaries(stage):
        if summary.language != language:
            continue
        for line in store.read_text(store.record_file(summary, kind)).splitlines():
            if line.strip():
                yield json.loads(line)
                seen += 1
                if seen >= limit:
                    return


def track_run(
    store: RunStore,
    run: RunConfig,
    report: Report,
    window: RunWindow,
    export: ExportSummary | None,
    environ: Mapping[str, str],
) -> TrackingSummary:
    """Log one run to Comet ML and close the experiment; returns where it went."""
    config = run.tracking
    mode = tracking_mode(config, environ)
    secrets = secret_values(environ)
    offline_dir = store.local_dir(config.folder)
    key = environ.get(config.api_key_env, "").strip() or None
    opened = open_experiment(config, mode, offline_dir, key)
    experiment = opened.experiment
    try:
        experiment.set_name(run.name)
        experiment.add_tags(sorted({recipe_of(r.stage) or r.stage for r in report.stages}))
        experiment.log_other("run_dir", redact(store.root, secrets))
        experiment.log_parameters(run_parameters(run, secrets))
        experiment.log_metrics(run_metrics(report, window, export))
        rows = sample_table(store, report, config.sample_rows, secrets)
        if rows:  # a run whose stages hold no record has no sample table
            experiment.log_table("samples.csv", tabular_data=rows, headers=TABLE_HEADERS)
        if store.exists("report.md"):
            experiment.log_asset_data(
                redact(store.read_text("report.md"), secrets), name="report.md"
            )
        if export is not None:
            card = _read(export.card)
            experiment.log_asset_data(redact(card, secrets), name="dataset_card.md")
    finally:
        summary = close_experiment(opened, offline_dir)
    return summary


def _read(path: str) -> str:
    import fsspec

    with fsspec.open(path, "r", encoding="utf-8") as f:
        return str(f.read())
