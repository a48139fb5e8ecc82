"""The span-labeled hallucination configs also as Mu-SHROOM JSONL, the format multilingual
hallucination detectors train and test on: `<export>/mushroom/<config>/<split>.jsonl`."""

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import fsspec
import pyarrow.parquet as pq

from babelforge.generators.hallucination.mushroom import mushroom_line
from babelforge.schemas.records import HallucinationSample, Span

if TYPE_CHECKING:
    from babelforge.flows.export.export import ExportedConfig

FOLDER = "mushroom"
SUBSET = "hallucination-spans"


def write_mushroom(
    fs: fsspec.AbstractFileSystem, root: str, configs: Iterable["ExportedConfig"]
) -> list[str]:
    """One JSONL per span config and split, from the exported rows; stale files removed.
    Returns the relative paths written."""
    target = f"{root}/{FOLDER}"
    if fs.exists(target):
        fs.rm(target, recursive=True)
    written = []
    for config in configs:
        if config.subset != SUBSET:
            continue
        for split in config.splits:
            with fs.open(f"{root}/{split.path}", "rb") as f:
                rows = pq.read_table(f).to_pylist()
            relative = f"{FOLDER}/{config.name}/{split.split}.jsonl"
            lines = "".join(
                json.dumps(mushroom_line(_sample(row)), ensure_ascii=False) + "\n" for row in rows
            )
            fs.makedirs(f"{root}/{FOLDER}/{config.name}", exist_ok=True)
            fs.pipe_file(f"{root}/{relative}", lines.encode("utf-8"))
            written.append(relative)
    return written


def _sample(row: dict[str, Any]) -> HallucinationSample:
    return HallucinationSample(
        id=row["id"],
        language=row["language"],
        text=row["text"],
        spans=tuple(Span.model_validate(s) for s in row.get("spans") or ()),
        soft_labels=tuple(Span.model_validate(s) for s in row.get("soft_labels") or ()),
        method=row["method"],
        query=row.get("query"),
    )
