"""Comet tracking logs what exists and never sinks a finished run: empty stages, a Comet
server that refuses the connection and one that refuses the key all end in an offline
archive in the run directory, with the reason in the summary and one log line.

The online attempts use the real `comet_ml.Experiment`: against a closed port of 127.0.0.1
(refused connection) and against the stand-in backend told to refuse the key (401).
"""

import json
import logging
import os
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from babelforge.flows.comet_experiment import TrackingSummary
from babelforge.flows.report import build_report, render_markdown
from babelforge.flows.store import RunStore
from babelforge.flows.tracking import RunWindow, track_run
from babelforge.generators.embedded import EmbeddedServer
from babelforge.generators.local_process import free_port
from babelforge.schemas.config import MiningConfig, RunConfig, SyndarinConfig
from babelforge.schemas.delivery_config import TrackingConfig
from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.provenance import Usage
from babelforge.schemas.records import ParallelPair
from tests.comet_server import CometServer
from tests.processes import run_bounded

KEY = "bftest-comet-refused-7e6d5c4b3a"
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "wikipedia"
BABELFORGE = str(Path(sys.executable).with_name("babelforge"))
WINDOW = RunWindow(wall_s=1.0, shards=0, records=0, usage=Usage())


def empty_run(tmp: Path, mode: str = "offline") -> tuple[RunStore, RunConfig]:
    """A finished run whose one stage shard holds no record (and other stages none at all)."""
    config = RunConfig(
        name="empty-run",
        run_dir=str(tmp / "run"),
        languages=("hy",),
        syndarin=SyndarinConfig(mining=MiningConfig(paired_path="pairs.jsonl")),
        tracking=TrackingConfig(mode=mode),  # type: ignore[arg-type]
    )
    store = RunStore(config.run_dir)
    store.snapshot_config(config)
    store.write_shard("syndarin.mine", "hy", 0, ShardOutcome[ParallelPair](n_input=0), ParallelPair)
    store.write_text("report.md", render_markdown(build_report(store)))
    return store, config


def archive_text(summary: TrackingSummary) -> str:
    assert summary.archive is not None
    with zipfile.ZipFile(summary.archive) as z:
        return "\n".join(z.read(n).decode(errors="replace") for n in z.namelist())


def test_a_run_without_records_is_tracked_into_one_offline_archive(tmp_path: Path) -> None:
    store, config = empty_run(tmp_path)
    summary = track_run(store, config, build_report(store), WINDOW, None, {})
    assert summary.mode == "offline" and summary.note is None
    archives = list((tmp_path / "run" / "comet").glob("*.zip"))
    assert [str(a) for a in archives] == [summary.archive]
    text = archive_text(summary)
    assert "syndarin.mine/hy/input" in text and "report.md" in text


def test_a_refused_connection_falls_back_to_an_offline_archive_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store, config = empty_run(tmp_path, mode="online")
    monkeypatch.setenv("COMET_URL_OVERRIDE", f"http://127.0.0.1:{free_port()}/clientlib/")
    with caplog.at_level(logging.WARNING, logger="babelforge"):
        summary = track_run(
            store, config, build_report(store), WINDOW, None, {"COMET_API_KEY": KEY}
        )
    assert summary.mode == "offline" and summary.archive is not None
    assert summary.note is not None and "online Comet experiment could not start" in summary.note
    assert "connection" in summary.note.lower() and str(store.local_dir("comet")) in summary.note
    (line,) = [r.getMessage() for r in caplog.records if r.name.startswith("babelforge")]
    assert line == f"comet: {summary.note}"
    assert KEY not in archive_text(summary)


def test_a_refused_key_falls_back_to_an_offline_archive_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, config = empty_run(tmp_path, mode="online")
    with CometServer(valid_key="the-right-comet-key-0123456789") as server:
        monkeypatch.setenv("COMET_URL_OVERRIDE", server.url_override)
        summary = track_run(
            store, config, build_report(store), WINDOW, None, {"COMET_API_KEY": KEY}
        )
        assert server.sent("/clientlib/logger/add/run"), "the SDK never tried the key"
    assert summary.mode == "offline" and summary.archive is not None
    assert summary.note is not None and "401" in summary.note
    assert KEY not in summary.note and KEY not in archive_text(summary)
    run_files = [p for p in Path(config.run_dir).rglob("*") if p.is_file()]
    assert all(KEY.encode() not in p.read_bytes() for p in run_files)


def test_comets_outside_calls_are_off_before_it_is_imported(tmp_path: Path) -> None:
    """A fresh process without any COMET_ setting: importing comet through babelforge turns
    off Sentry error reporting, usage reports, auto-logging and announcements."""
    code = (
        "from babelforge.flows.comet_experiment import import_comet\n"
        "import json\n"
        "c = import_comet().get_config()\n"
        "import comet_ml.error_tracking.api as sentry\n"
        "print(json.dumps([c['comet.error_tracking.enable'], c['comet.internal.reporting'],"
        " c['comet.disable_auto_logging'], c['comet.disable_announcement'],"
        " sentry.initialized()]))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMET_")}
    done = run_bounded([sys.executable, "-W", "ignore", "-c", code], env=env, timeout_s=180)
    assert done.returncode == 0, done.stdout[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [False, False, 1, True, False]


def test_a_run_that_mines_no_pair_prints_its_report_and_exits_0(
    embedded_server: EmbeddedServer, tmp_path: Path
) -> None:
    """No paragraph is long enough, so no stage gets a record: the run still ends with its
    report and one Comet archive (the tracking step is not retried into more)."""
    config = {
        "name": "no-records",
        "run_dir": str(tmp_path / "run"),
        "languages": ["hy"],
        "llm": {"base_url": embedded_server.base_url, "model": embedded_server.model},
        "syndarin": {
            "mining": {
                "source_paths": [str(SAMPLES / "en.parquet")],
                "target_paths": {"hy": [str(SAMPLES / "hy.parquet")]},
                "langlinks_path": str(SAMPLES / "langlinks.tsv"),
                "min_chars": 1_000_000,
            },
        },
        "tracking": {"mode": "offline"},
    }
    path = tmp_path / "no-records.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "COMET_API_KEY"}
    env |= {"PREFECT_HOME": str(tmp_path / "prefect"), "COLUMNS": "200"}
    done = run_bounded([BABELFORGE, "run", str(path)], env=env, timeout_s=420)
    assert done.returncode == 0, done.stdout[-4000:]
    assert "report:" in done.stdout and "Traceback" not in done.stdout
    assert len(list((tmp_path / "run" / "comet").glob("*.zip"))) == 1
