"""Open and close a quiet Comet ML experiment; an online one that cannot start becomes an
offline archive in the run directory, with the reason.

comet_ml reads its settings from the environment when it is imported, so the settings that
keep it from calling anything but the Comet server the run asked for (Sentry error reporting
to an outside host, usage reports, auto-logging hooks into other libraries, announcements)
are put there first, unless the user set them. Nothing Comet collects by itself
(environment, git, code, console output) is turned on either.
"""

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from babelforge.schemas.base import Record
from babelforge.schemas.delivery_config import TrackingConfig
from babelforge.schemas.secrets import remember, scrub

log = logging.getLogger(__name__)

Mode = Literal["offline", "online"]
COMET_QUIET_ENV = {
    "COMET_ERROR_TRACKING_ENABLE": "false",
    "COMET_INTERNAL_REPORTING": "false",
    "COMET_DISABLE_AUTO_LOGGING": "1",
    "COMET_DISABLE_ANNOUNCEMENT": "true",
}
"""comet_ml's settings that would make it call outside hosts or hook into other libraries:
Sentry (`comet.error_tracking.enable`, DSN on sentry.io), usage reports
(`comet.internal.reporting`), auto-logging (`comet.disable_auto_logging`), announcements."""
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


class TrackingSummary(Record):
    """Where the experiment went; `note` says why an online experiment was kept offline."""

    mode: Mode
    experiment_key: str
    archive: str | None = None
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Opened:
    """An experiment being logged, where it goes, and why it is not where it was asked to go."""

    experiment: Any
    mode: Mode
    note: str | None = None


def import_comet() -> Any:
    """comet_ml, imported after its outside calls were turned off (see COMET_QUIET_ENV)."""
    for name, value in COMET_QUIET_ENV.items():
        os.environ.setdefault(name, value)
    import comet_ml

    return comet_ml


def open_experiment(
    config: TrackingConfig, mode: Mode, offline_dir: Path, api_key: str | None
) -> Opened:
    """A quiet experiment: online with the key when `mode` is online and the Comet server
    takes it, else offline into `offline_dir` (with the reason in `note` and one log line)."""
    comet_ml = import_comet()
    common: dict[str, Any] = {"project_name": config.project_name, **QUIET}
    if config.workspace:
        common["workspace"] = config.workspace
    note = None
    if mode == "online":
        assert api_key, "online mode needs the API key"
        experiment, refusal = _online(comet_ml, api_key, common)
        if experiment is not None:
            return Opened(experiment, "online")
        note = f"the online Comet experiment could not start ({refusal})"
    offline_dir.mkdir(parents=True, exist_ok=True)
    offline = comet_ml.OfflineExperiment(offline_directory=str(offline_dir), **common)
    if note is not None:
        note += f"; kept offline in {offline_dir} (upload later with `comet upload`)"
        log.warning("comet: %s", note)
    return Opened(offline, "offline", note)


class _Refusals(logging.Handler):
    """The errors comet_ml logs while an experiment starts, instead of its console lines."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage().splitlines()[0].strip())


def _online(comet_ml: Any, api_key: str, common: dict[str, Any]) -> tuple[Any | None, str]:
    """The online experiment, or None and why the server did not take it (unreachable,
    key refused); comet's own console lines about it are replaced by the one reason."""
    from comet_ml.exceptions import CometException

    remember(api_key)
    logger = logging.getLogger("comet_ml")
    refusals, handlers = _Refusals(), list(logger.handlers)
    for handler in handlers:
        logger.removeHandler(handler)
    logger.addHandler(refusals)
    try:
        experiment = comet_ml.Experiment(api_key=api_key, **common)
    except CometException as e:
        return None, scrub(f"{type(e).__name__}: {_comet_message(e)}")
    finally:
        logger.removeHandler(refusals)
        for handler in handlers:
            logger.addHandler(handler)
    if experiment.alive:
        return experiment, ""
    experiment.end()
    errors = [m for m in refusals.messages if m] or ["no reason given"]
    return None, scrub("; ".join(dict.fromkeys(errors)))


def _comet_message(error: Exception) -> str:
    template = getattr(error, "log_message", None)
    if isinstance(template, str):
        try:
            return (template % error.args).splitlines()[0]
        except TypeError:
            return template.splitlines()[0]
    return str(error)


def close_experiment(opened: Opened, offline_dir: Path) -> TrackingSummary:
    """End an experiment; returns its key and where it went (the offline archive or the URL)."""
    experiment = opened.experiment
    try:
        key = str(experiment.get_key())
        url = None if opened.mode == "offline" else getattr(experiment, "url", None)
    finally:
        experiment.end()
    archive = offline_dir / f"{key}.zip"
    return TrackingSummary(
        mode=opened.mode,
        experiment_key=key,
        archive=str(archive) if opened.mode == "offline" and archive.exists() else None,
        url=url,
        note=opened.note,
    )
