"""Online Comet ML tracking: the real `comet_ml.Experiment` against a stand-in backend.

comet.com is not reachable here, so `tests/comet_server.py` answers the SDK on 127.0.0.1
(`COMET_URL_OVERRIDE`) and records what it sent. The run is the export test's hand-written
run of the three recipes; `track_run` goes online because the API key is in the environment.
Comet's error reporting stays off, so nothing goes to any other host.
"""

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import comet_ml
import pytest

from babelforge.flows.export.export import export_run
from babelforge.flows.report import build_report
from babelforge.flows.tracking import RunWindow, TrackingSummary, track_run
from babelforge.schemas.config import RunConfig
from babelforge.schemas.provenance import Usage
from tests.comet_server import CometServer
from tests.flows.test_export import run_config, write_run
from tests.processes import run_bounded

KEY = "cometStandInKey0123456789abcdef"


@pytest.fixture(scope="module")
def tracked(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[CometServer, RunConfig, TrackingSummary]]:
    """One online experiment of a finished run, logged to the stand-in backend."""
    config = run_config(tmp_path_factory.mktemp("comet-online"))
    config = config.model_copy(
        update={"tracking": config.tracking.model_copy(update={"mode": "online"})}
    )
    store = write_run(config)
    report = build_report(store)
    export = export_run(store, config, report)
    window = RunWindow(wall_s=12.5, shards=5, records=21, usage=Usage())
    with pytest.MonkeyPatch.context() as env, CometServer() as server:
        env.setenv("COMET_URL_OVERRIDE", server.url_override)
        env.setenv("COMET_ERROR_TRACKING_ENABLE", "false")
        env.setenv("COMET_DISABLE_AUTO_LOGGING", "1")
        assert comet_ml.get_config()["comet.error_tracking.enable"] is False
        summary = track_run(store, config, report, window, export, {"COMET_API_KEY": KEY})
        yield server, config, summary


def test_an_online_experiment_is_created_with_the_key_from_the_environment(
    tracked: tuple[CometServer, RunConfig, TrackingSummary],
) -> None:
    server, _, summary = tracked
    assert summary.mode == "online" and summary.archive is None
    (handshake,) = server.sent("/clientlib/logger/add/run")
    assert handshake.json()["apiKey"] == KEY
    assert handshake.json()["projectName"] == "babelforge"
    assert handshake.json()["experimentKey"] == summary.experiment_key
    assert summary.url is not None and summary.url.startswith(server.endpoint)


def test_the_experiment_gets_the_run_name_parameters_and_metrics(
    tracked: tuple[CometServer, RunConfig, TrackingSummary],
) -> None:
    server, config, _ = tracked
    others = {r.json()["key"]: r.json()["value"] for r in server.sent(
        "/api/rest/v2/write/experiment/log-other")}  # fmt: skip
    assert others["Name"] == config.name
    params = " ".join(r.body.decode() for r in server.sent(
        "/clientlib/batch/logger/experiment/parameter"))  # fmt: skip
    assert "export.test_fraction" in params and "languages" in params
    metrics = " ".join(r.body.decode() for r in server.sent(
        "/clientlib/batch/logger/experiment/metric"))  # fmt: skip
    assert "syndarin.validate/hy" in metrics


def test_report_card_and_sample_table_are_uploaded_as_assets(
    tracked: tuple[CometServer, RunConfig, TrackingSummary],
) -> None:
    server, _, _ = tracked
    uploads = {r.query["fileName"][0]: r.body for r in server.sent("/clientlib/asset/upload")}
    assert {"report.md", "dataset_card.md", "samples.csv"} <= set(uploads)
    assert b"# babelforge run report" in uploads["report.md"]
    assert "Ո՞ր թվականին".encode() in uploads["samples.csv"]


def test_the_api_key_is_sent_only_as_credentials(
    tracked: tuple[CometServer, RunConfig, TrackingSummary],
) -> None:
    server, config, _ = tracked
    for request in server.requests:
        body = request.body.decode(errors="replace")
        if KEY in body:  # the SDK's credential fields, never logged content
            payload = json.loads(body)
            assert KEY in {payload.get("apiKey"), payload.get("api_key")}, request.path
    logged = [r for r in server.requests if "batch/logger" in r.path or "asset/upload" in r.path]
    assert logged and all(KEY.encode() not in r.body for r in logged)
    run_files = [p for p in Path(config.run_dir).rglob("*") if p.is_file()]
    assert run_files and all(KEY.encode() not in p.read_bytes() for p in run_files)


def test_tracking_keeps_comets_error_reporting_off(tmp_path: Path) -> None:
    """comet_ml starts Sentry reporting (to comet's servers) at import unless it is disabled;
    a fresh process without the setting shows that tracking turns it off."""
    code = (
        "from pathlib import Path\n"
        "from babelforge.flows.comet_experiment import open_experiment\n"
        "from babelforge.schemas.delivery_config import TrackingConfig\n"
        f"e = open_experiment(TrackingConfig(), 'offline', Path({str(tmp_path)!r}), None)\n"
        "import comet_ml.error_tracking.api as reporting\n"
        "print('error reporting:', reporting.enabled_in_config(), reporting.initialized())\n"
        "e.experiment.end()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "COMET_ERROR_TRACKING_ENABLE"}
    done = run_bounded([sys.executable, "-W", "ignore", "-c", code], env=env, timeout_s=180)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "error reporting: False False" in done.stdout
