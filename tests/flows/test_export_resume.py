"""An export killed while it writes its parquet files is rewritten whole by the next run:
the same files, byte for byte, as an export that was never interrupted."""

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from babelforge.flows.export.export import export_folder, export_intact, export_run
from babelforge.flows.report import build_report
from babelforge.flows.store import RunStore
from babelforge.schemas.config import RunConfig
from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.records import TranslatedMCQ
from tests.flows.test_export import mcq, run_config
from tests.processes import stop_group

REPO = Path(__file__).resolve().parents[2]
RECORDS = 60_000  # enough rows that the export takes a while to write
EXPORT = """
import sys, yaml
from babelforge.flows.export.export import export_run
from babelforge.flows.report import build_report
from babelforge.flows.store import RunStore
from babelforge.schemas.config import RunConfig
store = RunStore(sys.argv[1])
config = RunConfig.model_validate(yaml.safe_load(store.read_text("config.yaml")))
export_run(store, config, build_report(store))
"""


def big_run(tmp_path: Path) -> tuple[RunConfig, RunStore]:
    config = run_config(tmp_path)
    store = RunStore(config.run_dir)
    store.snapshot_config(config)
    accepted = tuple(mcq(i) for i in range(RECORDS))
    outcome = ShardOutcome[TranslatedMCQ](n_input=RECORDS, accepted=accepted)
    store.write_shard("syndarin.validate", "hy", 0, outcome, TranslatedMCQ)
    return config, store


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_an_export_killed_mid_write_is_rewritten_to_the_uninterrupted_export(
    tmp_path: Path,
) -> None:
    config, store = big_run(tmp_path)
    folder = Path(export_folder(store, config))
    process = subprocess.Popen(
        [sys.executable, "-c", EXPORT, config.run_dir], cwd=REPO, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 300
        while not any(".tmp-" in p.name for p in folder.rglob("*")):
            assert process.poll() is None, "the export finished before it could be killed"
            assert time.monotonic() < deadline, "the export never started writing"
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        stop_group(process)
    assert not export_intact(store, config), "killed too late: the export was complete"

    export_run(store, config, build_report(store))
    resumed = files(folder)
    shutil.rmtree(folder)
    export_run(store, config, build_report(store))

    assert resumed == files(folder)
    assert not any(".tmp-" in name for name in resumed)
    assert export_intact(store, config)
