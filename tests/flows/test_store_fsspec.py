"""A run directory on an fsspec URL (`memory://`): shards, markers, report and export are
written and read back through fsspec alone, nothing on local disk under the run's path.

`memory://` is fsspec's in-process file system, so this proves the store and the export use
only fsspec calls; an object store (S3) adds its own commit semantics on top.
"""

import io
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import fsspec
import pyarrow.parquet as pq
import pytest

from babelforge.flows.export.export import export_intact, export_run
from babelforge.flows.report import build_report
from babelforge.flows.store import RunStore
from babelforge.schemas.config import RunConfig
from babelforge.schemas.records import TranslatedMCQ
from tests.flows.test_export import mcq, run_config, write_run


@pytest.fixture
def memory_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunConfig]:
    """The export test's run config with its run directory on memory://; removed after."""
    url = f"memory://babelforge-tests/{uuid.uuid4().hex}/run"
    config = run_config(tmp_path_factory.mktemp("unused"))
    config = config.model_copy(update={"run_dir": url})
    yield config
    fs = fsspec.filesystem("memory")
    fs.rm(url.removeprefix("memory://").rsplit("/", 1)[0], recursive=True)


def test_shards_and_markers_round_trip_on_a_memory_url(memory_config: RunConfig) -> None:
    store = write_run(memory_config)
    assert not store.is_local
    (summary,) = store.summaries("syndarin.validate")
    assert (summary.n_input, summary.accepted, summary.rejected) == (13, 12, 1)
    assert store.summary("syndarin.validate", "hy", 0) == summary
    accepted = list(store.accepted("syndarin.validate", "hy", TranslatedMCQ))
    assert accepted == [mcq(i) for i in range(12)]
    (rejected,) = store.rejected("syndarin.validate", "hy", TranslatedMCQ)
    assert rejected.verdicts[0].reason == "answer_match.not_in_paragraph"
    assert not list(store.fs.glob(store.path("**/*.tmp-*"))), "a temporary file was left"
    assert RunStore(memory_config.run_dir).stages() == store.stages()


def test_report_and_export_are_written_and_read_back_on_a_memory_url(
    memory_config: RunConfig,
) -> None:
    store = write_run(memory_config)
    report = build_report(store)
    assert report.balanced
    summary = export_run(store, memory_config, report)
    assert summary.folder == f"{memory_config.run_dir}/export"
    assert export_intact(store, memory_config)
    fs = store.fs
    card = fs.cat_file(f"{summary.folder}/README.md").decode()
    assert card.startswith("---\n") and "- hy" in card
    mcq_config = next(c for c in summary.configs if c.name == "syndarin-hy")
    split = mcq_config.splits[0]
    table = pq.read_table(io.BytesIO(fs.cat_file(f"{summary.folder}/{split.path}")))
    assert table.num_rows == split.rows > 0
    assert set(table.column("language").to_pylist()) == {"hy"}
    assert not Path(store.path("export")).exists(), "the export went to the local disk"
    saved = json.loads(store.read_text("report.json"))
    assert {s["stage"] for s in saved["stages"]} >= {"syndarin.validate", "instructions.mits"}
