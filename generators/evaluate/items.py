"""Read the benchmark items of an export folder (Hub layout): the configs its card declares,
filtered by shell patterns, the SynDARin rows as MCQ items and the hallucination-qa rows as
queries. The gold split keeps only the records people kept (`human_keep`)."""

import fnmatch
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from babelforge.schemas.errors import InputError
from babelforge.schemas.evaluation import BenchMCQ, BenchQuery
from babelforge.schemas.text_input import read_lines

MCQ_PREFIX = "syndarin-"
QUERY_PREFIX = "hallucination-qa-"


@dataclass(frozen=True)
class ExportItems:
    """What an export offers the benchmark, and the gold rows left out because people dropped
    them (per config and split, so the report can say so)."""

    mcq: tuple[BenchMCQ, ...]
    queries: tuple[BenchQuery, ...]
    configs: tuple[str, ...]
    dropped_gold: dict[str, int]


def card_configs(folder: str) -> dict[str, dict[str, str]]:
    """Config name -> {split: data file path} from the YAML header of the export's README.md."""
    fs, root = fsspec.core.url_to_fs(folder)
    card = f"{root}/README.md"
    if not fs.exists(card):
        raise InputError(f"{folder} has no README.md: is it a babelforge export folder?")
    text = "".join(line for _, line in read_lines(fs.unstrip_protocol(card)))
    parts = text.split("---\n", 2)
    try:
        header = yaml.safe_load(parts[1]) if text.startswith("---\n") and len(parts) == 3 else None
    except yaml.YAMLError as e:
        raise InputError(
            f"{card}: the YAML header is broken ({e.__class__.__name__}); re-export the run"
        ) from e
    if not isinstance(header, dict):
        raise InputError(f"{card}: no YAML header; re-export the run to rewrite the card")
    return {
        c["config_name"]: {f["split"]: f["path"] for f in c.get("data_files", [])}
        for c in header.get("configs", [])
    }


def read_items(
    folder: str, patterns: Sequence[str], splits: Sequence[str], max_items: int | None = None
) -> ExportItems:
    """The MCQ items and queries of every config matching a pattern, in the splits asked."""
    fs, root = fsspec.core.url_to_fs(folder)
    mcq: list[BenchMCQ] = []
    queries: list[BenchQuery] = []
    chosen: list[str] = []
    dropped: dict[str, int] = {}
    for name, files in sorted(card_configs(folder).items()):
        if not any(fnmatch.fnmatchcase(name, p) for p in patterns):
            continue
        if not name.startswith((MCQ_PREFIX, QUERY_PREFIX)):
            continue
        chosen.append(name)
        for split in splits:
            if split not in files:
                continue
            rows = list(_rows(fs, f"{root}/{files[split]}"))
            kept = [r for r in rows if split != "gold" or r.get("human_keep") is True]
            if len(kept) < len(rows):
                dropped[f"{name}/{split}"] = len(rows) - len(kept)
            kept = kept[:max_items] if max_items else kept
            if name.startswith(MCQ_PREFIX):
                mcq += [_mcq(name, split, r) for r in kept]
            else:
                queries += [_query(name, split, r) for r in kept]
    return ExportItems(tuple(mcq), tuple(queries), tuple(chosen), dropped)


def _rows(fs: fsspec.AbstractFileSystem, path: str) -> Iterator[dict[str, Any]]:
    with fs.open(path, "rb") as f:
        try:
            table = pq.read_table(f)
        except (pa.ArrowException, OSError) as e:
            raise InputError(f"{path}: not a readable parquet file ({e}); re-export the run") from e
    yield from table.to_pylist()


def _mcq(config: str, split: str, row: dict[str, Any]) -> BenchMCQ:
    return BenchMCQ(
        id=row["id"],
        config=config,
        split=split,
        language=row["language"],
        question=row["question"],
        options=tuple(row["options"]),
        answer_index=row["answer_index"],
        paragraph=row["target_paragraph"],
        source_question=row["source_question"],
        source_options=tuple(row["source_options"]),
        source_paragraph=row.get("source_paragraph"),
        question_type=row.get("question_type"),
    )


def _query(config: str, split: str, row: dict[str, Any]) -> BenchQuery:
    return BenchQuery(
        id=row["id"],
        config=config,
        split=split,
        language=row["language"],
        query=row.get("query") or "",
        references=tuple(row.get("references") or ()),
    )
