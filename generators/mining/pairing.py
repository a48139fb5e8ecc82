"""Pair source articles with their counterparts in a target language.

Three ways (MiningConfig.pair_by):
  langlinks  through a link table the user provides (formats below);
  id         documents with the same id in both corpora (e.g. both keyed by Wikidata QID);
  title      documents with the same title.

Link tables are TSV with a header row, or JSONL (*.jsonl) with the same keys on each line:

  Pairwise links, one row per link from a source-language article (Wikipedia langlinks):
      source_id | source_title    language    target_id | target_title
  e.g. `source_id<TAB>language<TAB>target_title`. The columns `ll_from, ll_lang, ll_title`
  of a Wikipedia langlinks export are read as source_id, language, target_title. Rows for
  other languages are skipped; the first link of a source article wins.

  Wikidata sitelinks, one row per (item, language):
      qid    language    title
  Articles of the two languages that share a qid are paired by title.

Titles are compared after NFC normalisation with underscores read as spaces.

Memory is bounded by the link table, not by the corpora: the table's rows for the target
language are held (two short strings each); the target corpus is streamed once and only the
linked documents are kept, already cut down by the caller's `prepare` function (the
introduction); the source corpus is streamed. Pairing by id or title first streams only the
key column of the source corpus to learn which target documents to keep.
"""

import csv
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Literal, NamedTuple

from babelforge.generators.mining.readers import KeyField, jsonl_rows, read_documents, read_keys
from babelforge.schemas.errors import InputError
from babelforge.schemas.records import Document
from babelforge.schemas.text_input import read_lines

PairBy = Literal["langlinks", "id", "title"]
Prepare = Callable[[Document], Document]

_ALIASES = {"ll_from": "source_id", "ll_lang": "language", "ll_title": "target_title"}
_ALIASES |= {"lang": "language", "wikidata_id": "qid", "item": "qid"}
_FORMAT_HINT = (
    "a link table needs the columns (source_id or source_title), language, "
    "(target_id or target_title); or qid, language, title for Wikidata sitelinks"
)


@dataclass(frozen=True)
class LinkTable:
    """Links from source-article keys to target-article keys, and which field each key is."""

    source_field: KeyField
    target_field: KeyField
    links: Mapping[str, str]


class Candidate(NamedTuple):
    """A source document and its counterpart (None when the target corpus lacks it)."""

    source: Document
    target: Document | None
    link: str | None


def title_key(title: str) -> str:
    """Normalise a title for comparison: NFC, underscores as spaces, single spaces."""
    return " ".join(unicodedata.normalize("NFC", title).replace("_", " ").split())


def document_key(doc: Document, field: KeyField) -> str:
    """The key a document is linked by: its id, or its normalised title."""
    return doc.id if field == "id" else title_key(doc.title)


def read_link_table(path: str, source_language: str, target_language: str) -> LinkTable:
    """Read the links from `source_language` articles to `target_language` articles."""
    rows = _link_rows(path)
    try:
        head = next(rows)
    except StopIteration:
        raise InputError(f"{path}: the link table is empty; {_FORMAT_HINT}") from None
    columns = set(head[1])
    if {"qid", "language", "title"} <= columns:
        return _sitelinks(path, chain([head], rows), source_language, target_language)
    source_field: KeyField = "id" if "source_id" in columns else "title"
    target_field: KeyField = "id" if "target_id" in columns else "title"
    needed = {f"source_{source_field}", "language", f"target_{target_field}"}
    if not needed <= columns:
        raise InputError(
            f"{path}: columns {sorted(columns)} do not form a link table; {_FORMAT_HINT}"
        )
    links: dict[str, str] = {}
    for where, row in chain([head], rows):
        if _field(row, "language", path, where) != target_language:
            continue
        source = _key(_field(row, f"source_{source_field}", path, where), source_field)
        links.setdefault(
            source, _key(_field(row, f"target_{target_field}", path, where), target_field)
        )
    return LinkTable(source_field=source_field, target_field=target_field, links=links)


def pair_documents(
    source_paths: Iterable[str],
    target_paths: Iterable[str],
    source_language: str,
    target_language: str,
    *,
    pair_by: PairBy,
    links_path: str | None,
    prepare: Prepare,
) -> Iterator[Candidate]:
    """Stream every source document with its prepared counterpart (or None)."""
    source_paths = tuple(source_paths)
    if pair_by == "langlinks":
        if links_path is None:
            raise InputError(
                "pair_by is 'langlinks' but no langlinks_path is set; give a link table or "
                "pair by 'id' or 'title'"
            )
        table = read_link_table(links_path, source_language, target_language)
        source_field, target_field = table.source_field, table.target_field
        links: Mapping[str, str] | None = table.links
        wanted = set(table.links.values())
    else:
        source_field = target_field = pair_by
        links = None
        wanted = {_key(k, pair_by) for path in source_paths for k in read_keys(path, pair_by)}
    targets = index_targets(target_paths, target_language, target_field, wanted, prepare)
    for path in source_paths:
        for doc in read_documents(path, source_language):
            key = document_key(doc, source_field)
            link = key if links is None else links.get(key)
            target = None if link is None else targets.get(link)
            yield Candidate(source=prepare(doc), target=target, link=link)


def index_targets(
    paths: Iterable[str], language: str, field: KeyField, wanted: set[str], prepare: Prepare
) -> dict[str, Document]:
    """Stream the target corpus and keep the prepared documents whose key is wanted."""
    index: dict[str, Document] = {}
    for path in paths:
        for doc in read_documents(path, language):
            key = document_key(doc, field)
            if key in wanted and key not in index:
                index[key] = prepare(doc)
    return index


def _sitelinks(
    path: str,
    rows: Iterable[tuple[str, dict[str, object]]],
    source_language: str,
    target_language: str,
) -> LinkTable:
    titles: dict[str, dict[str, str]] = {}
    for where, row in rows:
        language = _field(row, "language", path, where)
        if language in (source_language, target_language):
            qid = _field(row, "qid", path, where)
            titles.setdefault(qid, {}).setdefault(
                language, title_key(_field(row, "title", path, where))
            )
    links = {
        item[source_language]: item[target_language]
        for item in titles.values()
        if source_language in item and target_language in item
    }
    return LinkTable(source_field="title", target_field="title", links=links)


def _link_rows(path: str) -> Iterator[tuple[str, dict[str, object]]]:
    """Yield ("line N", row) from a TSV (header first) or JSONL link table."""
    jsonl = path.lower().split("?", 1)[0].removesuffix(".gz").endswith((".jsonl", ".ndjson"))
    if jsonl:
        for where, row in jsonl_rows(path):
            yield where, {_ALIASES.get(str(k), str(k)): v for k, v in row.items()}
        return
    yield from _tsv_links(path, (line for _, line in read_lines(path)))


def _tsv_links(path: str, handle: Iterable[str]) -> Iterator[tuple[str, dict[str, object]]]:
    reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
    try:
        header = next(reader, None)
        if header is None:
            return
        columns = [_ALIASES.get(c.strip(), c.strip()) for c in header]
        for values in reader:
            where = f"line {reader.line_num}"
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(columns):
                raise InputError(
                    f"{path}: {where}: {len(values)} tab-separated fields, the header has "
                    f"{len(columns)} ({', '.join(columns)}); remove stray tabs or fill the row"
                )
            yield where, dict(zip(columns, values, strict=True))
    except csv.Error as e:  # a field past the size limit
        raise InputError(f"{path}: line {reader.line_num}: not a TSV row ({e})") from e


def _field(row: Mapping[str, object], name: str, path: str, where: str) -> str:
    if name not in row:
        raise InputError(f"{path}: {where}: missing field {name!r}; {_FORMAT_HINT}")
    value = row[name]
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{path}: {where}: field {name!r} must be a non-empty string or id")
    return value.strip()


def _key(value: str, field: KeyField) -> str:
    return value if field == "id" else title_key(value)
