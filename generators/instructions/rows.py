"""Stream raw rows out of JSON arrays, JSONL and parquet files, each with its position.

Nothing here loads a whole file: JSONL goes line by line, a JSON array is decoded one
element at a time from a growing buffer, parquet goes batch by batch. Local paths and
fsspec URLs both work; `.gz`/`.bz2`/`.xz`/`.zst` compression is inferred from the name.
"""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import fsspec

from babelforge.schemas.errors import InputError
from babelforge.schemas.text_input import read_lines

_CHUNK = 1 << 20
_COMPRESSED = (".gz", ".bz2", ".xz", ".zst")


@dataclass(frozen=True)
class RawRow:
    """One decoded row and where it came from (`line 12`, `record 3`, `row 7`)."""

    path: str
    position: str
    data: Any

    def where(self) -> str:
        return f"{self.path}, {self.position}"


def file_format(path: str) -> str:
    """Return `jsonl`, `json` or `parquet` from the file name; raise InputError otherwise."""
    name = path.lower()
    for suffix in _COMPRESSED:
        name = name.removesuffix(suffix)
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if name.endswith(".json"):
        return "json"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    raise InputError(
        f"{path}: unknown file type; name instruction files *.json, *.jsonl or *.parquet"
    )


def iter_rows(path: str) -> Iterator[RawRow]:
    """Yield every row of one file, streaming."""
    kind = file_format(path)
    if kind == "parquet":
        yield from _parquet_rows(path)
        return
    if kind == "jsonl":
        yield from _jsonl_rows(path, (line for _, line in read_lines(path)))
        return
    try:
        with fsspec.open(path, "rt", encoding="utf-8", compression="infer") as f:
            if _first_char(f) != "[":
                yield from _jsonl_rows(path, f)
            else:
                yield from _array_rows(path, f)
    except UnicodeDecodeError as e:
        for _ in read_lines(path):  # names the line of the bad byte
            pass
        raise InputError(f"{path}: not valid UTF-8 ({e.reason}); save it as UTF-8") from e
    except FileNotFoundError as e:
        raise InputError(f"{path}: no such file; check the path") from e
    except (OSError, EOFError) as e:
        raise InputError(f"{path}: unreadable ({e}); check the file") from e


def _first_char(f: IO[str]) -> str:
    """Peek at the first non-blank character, then rewind."""
    while chunk := f.read(4096):
        stripped = chunk.lstrip("\ufeff \t\r\n")
        if stripped:
            f.seek(0)
            return stripped[0]
    f.seek(0)
    return ""


def _jsonl_rows(path: str, f: Iterable[str]) -> Iterator[RawRow]:
    for number, line in enumerate(f, start=1):
        text = line.strip().lstrip("\ufeff")
        if not text:
            continue
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as e:
            raise InputError(
                f"{path}, line {number}: not a complete JSON object ({getattr(e, 'msg', e)}); "
                "write one record per line (JSONL) or the whole file as a JSON array"
            ) from e
        yield RawRow(path, f"line {number}", data)


def _array_rows(path: str, f: IO[str]) -> Iterator[RawRow]:
    """Decode a top-level JSON array element by element without reading it whole."""
    decoder = json.JSONDecoder()
    buffer = f.read(_CHUNK)
    pos = buffer.index("[") + 1  # _first_char saw "[" first
    eof, index, line, counted = False, 0, 1, 0
    while True:
        while True:
            while pos < len(buffer) and buffer[pos] in " \t\r\n,":
                pos += 1
            if pos < len(buffer) or eof:
                break
            buffer, pos, line, counted = _compact(buffer, pos, line, counted)
            more = f.read(_CHUNK)
            eof = not more
            buffer += more
        if pos >= len(buffer):
            raise InputError(f"{path}: the JSON array is not closed with ']'; fix the file")
        if buffer[pos] == "]":
            return
        index += 1
        line += buffer.count("\n", counted, pos)
        counted = pos
        while True:
            try:
                data, end = decoder.raw_decode(buffer, pos)
                break
            except json.JSONDecodeError as e:
                more = "" if eof else f.read(max(_CHUNK, len(buffer)))
                if not more:
                    raise InputError(
                        f"{path}, record {index} (line {line}): invalid JSON ({e.msg}); "
                        "fix the record or drop it"
                    ) from e
                buffer += more
        yield RawRow(path, f"record {index} (line {line})", data)
        pos = end
        if pos > _CHUNK:
            buffer, pos, line, counted = _compact(buffer, pos, line, counted)


def _compact(buffer: str, pos: int, line: int, counted: int) -> tuple[str, int, int, int]:
    """Drop the consumed prefix of the buffer, keeping the line count right."""
    line += buffer.count("\n", counted, pos)
    return buffer[pos:], 0, line, 0


def _parquet_rows(path: str) -> Iterator[RawRow]:
    import pyarrow.parquet as pq

    with fsspec.open(path, "rb") as f:
        try:
            parquet = pq.ParquetFile(f)
        except (OSError, ValueError) as e:  # pyarrow's ArrowInvalid is a ValueError
            raise InputError(f"{path}: not a readable parquet file ({e})") from e
        number = 0
        for batch in parquet.iter_batches(batch_size=512):
            for data in batch.to_pylist():
                number += 1
                yield RawRow(path, f"row {number}", data)
