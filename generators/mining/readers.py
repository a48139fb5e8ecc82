"""Streaming readers for source corpora: Wikipedia parquet, JSONL, and pre-paired JSONL.

Every reader is a generator: it holds one parquet record batch or one JSONL line at a time,
so memory does not grow with the corpus. Paths are local paths or fsspec URLs
(`s3://`, `gs://`, `https://`, `memory://`, ...); JSONL may be compressed (`.gz`, `.bz2`,
`.xz`, `.zst`: fsspec infers it from the name).

Document formats, one article per parquet row or JSONL line (the Hugging Face
`wikimedia/wikipedia` layout):

    id      string (an integer is accepted and turned into a string)   required
    title   string                                                      required
    text    string                                                      required
    url     string or null                                              optional
    views | popularity | edits   number or null, the first one present  optional
            -> Document.popularity

Pre-paired JSONL, one pair per line:

    source_language, target_language     language codes                 required
    source_text, target_text             strings                        required
    id                                   string: the pair's id          optional
    title                                string: shared title           optional
    source_id, target_id                 strings                        optional
    source_title, target_title           strings (default: `title`)     optional
    source_url, target_url               strings                        optional
    source_popularity, target_popularity numbers                        optional

A malformed input raises InputError naming the file, the line (JSONL) or row (parquet,
counted from 1) and what to do about it.
"""

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Literal

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from babelforge.schemas.base import Record, stable_id
from babelforge.schemas.errors import InputError
from babelforge.schemas.languages import validate_language_code
from babelforge.schemas.records import Document
from babelforge.schemas.text_input import read_lines

Format = Literal["parquet", "jsonl"]
KeyField = Literal["id", "title"]

REQUIRED_FIELDS = ("id", "title", "text")
POPULARITY_FIELDS = ("views", "popularity", "edits")
PAIRED_REQUIRED = ("source_language", "source_text", "target_language", "target_text")
_COMPRESSIONS = (".gz", ".bz2", ".xz", ".zst", ".zstd")
_JSONL_SUFFIXES = (".jsonl", ".json", ".ndjson")
_LAYOUT_HINT = "the wikimedia/wikipedia layout has columns id, url, title, text"


class DocumentPair(Record):
    """Two documents on the same topic, as a pre-paired file gives them."""

    id: str
    source: Document
    target: Document


def detect_format(path: str) -> Format:
    """Tell parquet from JSONL by the file name; raise InputError when the name says neither."""
    name = path.lower().split("?", 1)[0]
    for suffix in _COMPRESSIONS:
        name = name.removesuffix(suffix)
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(_JSONL_SUFFIXES):
        return "jsonl"
    raise InputError(
        f"{path}: cannot tell the format from the name; name the file *.parquet or *.jsonl "
        "(optionally compressed, e.g. *.jsonl.gz)"
    )


def read_documents(path: str, language: str, *, batch_size: int = 1024) -> Iterator[Document]:
    """Stream the documents of one parquet or JSONL file, tagged with `language`."""
    _check_language(language, path)
    if detect_format(path) == "parquet":
        yield from _parquet_documents(path, language, batch_size)
    else:
        yield from _jsonl_documents(path, language)


def read_keys(path: str, field: KeyField, *, batch_size: int = 8192) -> Iterator[str]:
    """Stream one key field (id or title) of every document, reading only that parquet column."""
    if detect_format(path) == "jsonl":
        for where, row in jsonl_rows(path):
            if field not in row:
                raise InputError(f"{path}: {where}: missing field {field!r}")
            yield _string(row[field], field, path, where, allow_int=field == "id")
        return
    with _open_parquet(path) as parquet:
        _require_columns(parquet.schema_arrow, path, (field,))
        index = 0
        for batch in _batches(parquet, path, batch_size, [field]):
            for value in batch.column(0).to_pylist():
                index += 1
                yield _string(value, field, path, f"row {index}", allow_int=field == "id")


def read_paired(path: str) -> Iterator[DocumentPair]:
    """Stream the pairs of a pre-paired JSONL file (fields in the module docstring)."""
    if detect_format(path) != "jsonl":
        raise InputError(f"{path}: a pre-paired file must be JSONL (*.jsonl), one pair per line")
    for where, row in jsonl_rows(path):
        yield _pair(row, path, where)


def _parquet_documents(path: str, language: str, batch_size: int) -> Iterator[Document]:
    with _open_parquet(path) as parquet:
        schema = parquet.schema_arrow
        _require_columns(schema, path, REQUIRED_FIELDS)
        columns = [*REQUIRED_FIELDS]
        if "url" in schema.names:
            columns.append("url")
        popularity = next((f for f in POPULARITY_FIELDS if f in schema.names), None)
        if popularity is not None:
            columns.append(popularity)
        _check_column_types(schema, path, columns)
        row = 0
        for batch in _batches(parquet, path, batch_size, columns):
            values = {name: batch.column(name).to_pylist() for name in columns}
            for i in range(batch.num_rows):
                row += 1
                record = {name: values[name][i] for name in columns}
                yield _document(record, language, path, f"row {row}", popularity)


def _batches(
    parquet: pq.ParquetFile, path: str, batch_size: int, columns: list[str]
) -> Iterator[pa.RecordBatch]:
    """Record batches of the given columns; corrupt data becomes an InputError."""
    batches = parquet.iter_batches(batch_size=batch_size, columns=columns)
    done = 0
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except (pa.ArrowException, OSError) as e:
            raise InputError(
                f"{path}: rows after {done} are unreadable ({e}); re-export the parquet file"
            ) from e
        done += batch.num_rows
        yield batch


def _jsonl_documents(path: str, language: str) -> Iterator[Document]:
    for where, row in jsonl_rows(path):
        popularity = next((f for f in POPULARITY_FIELDS if row.get(f) is not None), None)
        yield _document(row, language, path, where, popularity)


def jsonl_rows(path: str) -> Iterator[tuple[str, Mapping[str, object]]]:
    """Yield ("line N", object) for every non-blank line (UTF-8, a BOM allowed); bad UTF-8 or
    JSON is an InputError naming the file and line."""
    for lineno, line in read_lines(path):
        where = f"line {lineno}"
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(
                f"{path}: {where}: not valid JSON ({e.msg} at column {e.colno}); "
                "each line must be one JSON object"
            ) from e
        except RecursionError as e:
            raise InputError(f"{path}: {where}: JSON nested too deeply") from e
        if not isinstance(row, dict):
            raise InputError(
                f"{path}: {where}: expected a JSON object, got {type(row).__name__}; "
                "each line must be one JSON object"
            )
        yield where, row


@contextmanager
def _open_parquet(path: str) -> Iterator[pq.ParquetFile]:
    """Open an fsspec file as a ParquetFile (footer only; row groups are read on demand)."""
    try:
        handle = fsspec.open(path, "rb").open()
    except FileNotFoundError as e:
        raise InputError(f"{path}: no such file; check the path in the config") from e
    except OSError as e:  # a folder, no permission
        raise InputError(f"{path}: cannot read ({e.strerror or e}); check the path") from e
    try:
        try:
            parquet = pq.ParquetFile(handle)
        except (pa.ArrowException, OSError) as e:
            raise InputError(f"{path}: not a readable parquet file ({e}); {_LAYOUT_HINT}") from e
        yield parquet
    finally:
        handle.close()


def _require_columns(schema: pa.Schema, path: str, required: tuple[str, ...]) -> None:
    missing = [c for c in required if c not in schema.names]
    if missing:
        raise InputError(
            f"{path}: missing column(s) {', '.join(repr(c) for c in missing)} "
            f"(found {', '.join(schema.names) or 'none'}); {_LAYOUT_HINT}"
        )


def _check_column_types(schema: pa.Schema, path: str, columns: list[str]) -> None:
    for name in columns:
        kind = schema.field(name).type
        if name in POPULARITY_FIELDS:
            ok = pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_null(kind)
            wanted = "a number"
        elif name == "id":
            ok = pa.types.is_string(kind) or pa.types.is_large_string(kind)
            ok = ok or pa.types.is_integer(kind)
            wanted = "a string or an integer"
        else:
            ok = pa.types.is_string(kind) or pa.types.is_large_string(kind)
            ok = ok or (name == "url" and pa.types.is_null(kind))
            wanted = "a string"
        if not ok:
            raise InputError(
                f"{path}: column {name!r} has type {kind}, expected {wanted}; {_LAYOUT_HINT}"
            )


def _document(
    row: Mapping[str, object], language: str, path: str, where: str, popularity: str | None
) -> Document:
    for name in REQUIRED_FIELDS:
        if name not in row:
            raise InputError(
                f"{path}: {where}: missing field {name!r}; every document needs id, title "
                "and text (url and views are optional)"
            )
    url = row.get("url")
    return Document(
        id=_string(row["id"], "id", path, where, allow_int=True),
        language=language,
        title=_string(row["title"], "title", path, where),
        text=_string(row["text"], "text", path, where),
        url=None if url is None else _string(url, "url", path, where),
        popularity=None
        if popularity is None
        else _number(row.get(popularity), popularity, path, where),
    )


def _pair(row: Mapping[str, object], path: str, where: str) -> DocumentPair:
    for name in PAIRED_REQUIRED:
        if name not in row:
            raise InputError(
                f"{path}: {where}: missing field {name!r}; a pre-paired line needs "
                f"{', '.join(PAIRED_REQUIRED)}"
            )
    title = _optional_string(row, "title", path, where) or ""
    sides = []
    for side in ("source", "target"):
        language = _string(row[f"{side}_language"], f"{side}_language", path, where)
        try:
            validate_language_code(language)
        except ValueError as e:
            raise InputError(f"{path}: {where}: field '{side}_language': {e}") from e
        text = _string(row[f"{side}_text"], f"{side}_text", path, where)
        doc_id = _optional_string(row, f"{side}_id", path, where)
        sides.append(
            Document(
                id=doc_id or stable_id("doc", language, text),
                language=language,
                title=_optional_string(row, f"{side}_title", path, where) or title,
                text=text,
                url=_optional_string(row, f"{side}_url", path, where),
                popularity=_number(
                    row.get(f"{side}_popularity"), f"{side}_popularity", path, where
                ),
            )
        )
    source, target = sides
    pair_id = _optional_string(row, "id", path, where)
    return DocumentPair(
        id=pair_id or stable_id("prepaired", source.id, target.id), source=source, target=target
    )


def _string(value: object, field: str, path: str, where: str, *, allow_int: bool = False) -> str:
    if isinstance(value, str):
        return value
    if allow_int and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    got = "null" if value is None else type(value).__name__
    raise InputError(f"{path}: {where}: field {field!r} must be a string, got {got}")


def _optional_string(row: Mapping[str, object], field: str, path: str, where: str) -> str | None:
    value = row.get(field)
    return None if value is None else _string(value, field, path, where, allow_int=True)


def _number(value: object, field: str, path: str, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise InputError(
        f"{path}: {where}: field {field!r} must be a number, got {type(value).__name__}"
    )


def _check_language(language: str, path: str) -> None:
    try:
        validate_language_code(language)
    except ValueError as e:
        raise InputError(f"{path}: {e}") from e
