"""Log an evaluation to Comet ML the way runs are logged (flows/tracking.py): offline archive
unless the API key is set, nothing collected automatically, secrets scrubbed."""

from collections.abc import Mapping, Sequence
from pathlib import Path

from babelforge.flows.comet_experiment import (
    TrackingSummary,
    close_experiment,
    open_experiment,
)
from babelforge.flows.tracking import tracking_mode
from babelforge.schemas.delivery_config import TrackingConfig
from babelforge.schemas.evaluation import EvaluationResults
from babelforge.schemas.secrets import redact, secret_values


def evaluation_metrics(results: EvaluationResults) -> dict[str, float]:
    """Flat metric names: `mcq/<model>/<config>/<split>/accuracy`, `.../english`, ..."""
    out: dict[str, float] = {}
    for s in results.mcq:
        base = f"mcq/{s.model}/{s.config}/{s.split}"
        out[f"{base}/accuracy"] = s.target.rate
        out[f"{base}/accuracy_low"] = s.target.low
        out[f"{base}/accuracy_high"] = s.target.high
        for name, value in (
            ("english", s.english),
            ("consistency", s.consistency),
            ("logprob_accuracy", s.target_logprob),
        ):
            if value is not None:
                out[f"{base}/{name}"] = value.rate
    for h in results.hallucination:
        base = f"hallucination/{h.model}/{h.config}/{h.split}"
        out[f"{base}/rate"] = h.rate.rate
        out[f"{base}/token_share"] = h.token_share
    for name, u in results.usage.items():
        out[f"usage/{name}/requests"] = u.requests
        out[f"usage/{name}/cached_requests"] = u.cached_requests
    return out


def track_evaluation(
    results: EvaluationResults,
    report: Path,
    charts: Sequence[Path],
    config: TrackingConfig | None,
    offline_dir: Path,
    environ: Mapping[str, str],
) -> TrackingSummary:
    """One Comet experiment with the metrics, the report and the charts; returns where it went."""
    config = config or TrackingConfig()
    mode = tracking_mode(config, environ)
    secrets = secret_values(environ)
    key = environ.get(config.api_key_env, "").strip() or None
    opened = open_experiment(config, mode, offline_dir, key)
    experiment = opened.experiment
    try:
        experiment.set_name(f"evaluate-{Path(results.export).name}")
        experiment.add_tags(["evaluate", *sorted(results.models)])
        experiment.log_parameters(
            {f"model/{k}": redact(v, secrets) for k, v in results.models.items()}
            | {"judge": redact(results.judge or "", secrets)}
        )
        experiment.log_metrics(evaluation_metrics(results))
        experiment.log_asset_data(redact(report.read_text("utf-8"), secrets), name="report.md")
        for chart in charts:
            experiment.log_image(str(chart), name=chart.stem)
    finally:
        summary = close_experiment(opened, offline_dir)
    return summary
