"""Read instruction sets (Alpaca, Dolly, ShareGPT/Vicuna; JSON, JSONL, parquet), streaming."""

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Literal

from babelforge.generators.instructions.rows import iter_rows
from babelforge.generators.instructions.shapes import Shape, detect_shape, to_records
from babelforge.schemas.records import InstructionRecord


def read_instructions(
    paths: Iterable[str],
    *,
    shape: Shape | Literal["auto"] = "auto",
    language: str = "en",
    max_records: int | None = None,
) -> Iterator[InstructionRecord]:
    """Yield InstructionRecords from every file in order; stop after `max_records`.

    With `shape="auto"` each row's shape is told from its fields. A malformed row raises
    InputError naming the file, the line or record, and the fix.
    """
    records = _all_records(paths, shape, language)
    yield from records if max_records is None else islice(records, max_records)


def _all_records(
    paths: Iterable[str], shape: Shape | Literal["auto"], language: str
) -> Iterator[InstructionRecord]:
    for path in paths:
        for row in iter_rows(path):
            yield from to_records(row, detect_shape(row) if shape == "auto" else shape, language)
