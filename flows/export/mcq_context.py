"""Two columns the benchmark needs on every exported SynDARin row: the English paragraph the
question was written from (`source_paragraph`, to ask the same item in English) and the
question type (`question_type`, for accuracy per type). They live on the generated English
MCQ (stage `syndarin.generate`), not on the translated record, so they are joined by `mcq_id`
after the export wrote a config's files; a row whose English MCQ is gone gets nulls."""

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from babelforge.flows.store import RunStore
from babelforge.schemas.records import MCQItem

if TYPE_CHECKING:
    from babelforge.flows.export.export import ExportedConfig

GENERATE_STAGE = "syndarin.generate"
SUBSET = "syndarin"
COLUMNS = ("source_paragraph", "question_type")


def add_mcq_context(
    fs: fsspec.AbstractFileSystem, root: str, store: RunStore, configs: Iterable["ExportedConfig"]
) -> None:
    """Add `source_paragraph` and `question_type` to every split file of the SynDARin configs."""
    for config in configs:
        if config.subset != SUBSET:
            continue
        english = {
            item.id: item for item in store.accepted(GENERATE_STAGE, config.language, MCQItem)
        }
        for split in config.splits:
            _add_columns(fs, f"{root}/{split.path}", english)


def _add_columns(fs: fsspec.AbstractFileSystem, path: str, english: dict[str, MCQItem]) -> None:
    with fs.open(path, "rb") as f:
        table = pq.read_table(f)
    for name in COLUMNS:
        if name in table.column_names:
            table = table.drop_columns([name])
    items = [english.get(mcq_id) for mcq_id in table.column("mcq_id").to_pylist()]
    table = table.append_column(
        "source_paragraph", pa.array([i.paragraph if i else None for i in items], pa.string())
    ).append_column(
        "question_type", pa.array([i.question_type if i else None for i in items], pa.string())
    )
    temp = f"{path}.tmp-{uuid.uuid4().hex[:8]}"
    with fs.open(temp, "wb") as f:
        pq.write_table(table, f)
    fs.mv(temp, path)
