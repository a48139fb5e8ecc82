"""Comet ML tracking of a run: config, counts, yields, validator pass rates, tokens,
throughput, a sample table of accepted and rejected records, the dataset card and report.

Offline by default: an `OfflineExperiment` writes its archive (`<key>.zip`, uploadable later
with `comet upload`) into `<run_dir>/comet/`. Online (`comet_ml.Experiment`) when the API key
variable is set and the mode allows it. Plain functions, no Prefect; nothing Comet collects on
its own (environment, git, code, console output) is turned on, and every logged string is
scrubbed of the values of secret-looking environment variables.
"""

import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

from babelforge.flows.export.export import ExportSummary
from babelforge.flows.report import Report
from babelforge.flows.store import RunStore
from babelforge.recipes.catalog import recipe_of
from babelforge.schemas.base import Record
from babelforge.schemas.config import RunConfig
from babelforge.schemas.delivery_config import TrackingConfig
from babelforge.schemas.provenance import Usage

Mode = Literal["offline", "online"]
ShardKey = tuple[str, str, int]
SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)", re.IGNORECASE)
REDACTED = "***"
TABLE_HEADERS = ["stage", "language", "status", "reasons", "id", "record"]
PREVIEW_CHARS = 400
# Everything Comet would collect by itself stays off: it could carry paths, hosts, the
# command line or console output, none of which the run asked to share.
QUIET: dict[str, Any] = {
    "log_code": False,
    "log_graph": False,
    "auto_param_logging": False,
    "auto_metric_logging": False,
    "parse_args": False,
    "auto_output_logging": None,
    "log_env_details": False,
    "log_git_metadata": False,
    "log_git_patch": False,
    "log_env_gpu": False,
    "log_env_host": False,
    "log_env_cpu": False,
    "log_env_network": False,
    "log_env_disk": False,
    "display_summary_level": 0,
}


class RunWindow(Record):
    """What this attempt of the run did: wall time, shards it committed, tokens it spent."""

    wall_s: float
    shards: int
    records: int
    usage: Usage


class TrackingSummary(Record):
    """Where the experiment went."""

    mode: Mode
    experiment_key: str
    archive: str | None = None
    url: str | None = None


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


def secret_values(environ: Mapping[str, str]) -> tuple[str, ...]:
    """Values of environment variables whose names look secret (8+ characters only, so
    that short flags like `1` are not scrubbed everywhere)."""
    return tuple(
        sorted(
            {v for k, v in environ.items() if SECRET_NAME.search(k) and len(v.strip()) >= 8},
            key=len,
            reverse=True,
        )
    )


def redact(value: str, secrets: Iterable[str]) -> str:
    """`value` with every secret replaced by ***."""
    for secret in secrets:
        value = value.replace(secret, REDACTED)
    return value


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
        path = f"stages/{stage}/{language}/shard-{summary.index:05d}.{kind}.jsonl"
        for line in store.read_text(path).splitlines():
            if line.strip():
                yield json.loads(line)
                seen += 1
                if seen >= limit:
                    return


def open_experiment(
    config: TrackingConfig, mode: Mode, offline_dir: Path, environ: Mapping[str, str]
) -> Any:
    """A quiet Comet experiment: offline into `offline_dir`, or online with the key."""
    # comet_ml starts Sentry error reporting to comet's servers at import unless told not to
    os.environ.setdefault("COMET_ERROR_TRACKING_ENABLE", "false")
    import comet_ml

    common: dict[str, Any] = {"project_name": config.project_name, **QUIET}
    if config.workspace:
        common["workspace"] = config.workspace
    if mode == "offline":
        offline_dir.mkdir(parents=True, exist_ok=True)
        return comet_ml.OfflineExperiment(offline_directory=str(offline_dir), **common)
    return comet_ml.Experiment(api_key=environ[config.api_key_env].strip(), **common)


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
    experiment = open_experiment(config, mode, offline_dir, environ)
    try:
        experiment.set_name(run.name)
        experiment.add_tags(sorted({recipe_of(r.stage) or r.stage for r in report.stages}))
        experiment.log_other("run_dir", redact(store.root, secrets))
        experiment.log_parameters(run_parameters(run, secrets))
        experiment.log_metrics(run_metrics(report, window, export))
        experiment.log_table(
            "samples.csv",
            tabular_data=sample_table(store, report, config.sample_rows, secrets),
            headers=TABLE_HEADERS,
        )
        if store.exists("report.md"):
            experiment.log_asset_data(
                redact(store.read_text("report.md"), secrets), name="report.md"
            )
        if export is not None:
            card = _read(export.card)
            experiment.log_asset_data(redact(card, secrets), name="dataset_card.md")
    finally:
        summary = close_experiment(experiment, mode, offline_dir)
    return summary


def close_experiment(experiment: Any, mode: Mode, offline_dir: Path) -> TrackingSummary:
    """End an experiment; returns its key and where it went (the offline archive or the URL)."""
    try:
        key = str(experiment.get_key())
        url = None if mode == "offline" else getattr(experiment, "url", None)
    finally:
        experiment.end()
    archive = offline_dir / f"{key}.zip"
    return TrackingSummary(
        mode=mode,
        experiment_key=key,
        archive=str(archive) if mode == "offline" and archive.exists() else None,
        url=url,
    )


def _read(path: str) -> str:
    import fsspec

    with fsspec.open(path, "r", encoding="utf-8") as f:
        return str(f.read())
