"""Queries for hallucination measurement: long enough, and asked once per article.

The query writer repeats itself and sometimes returns fragments; a repeated query would count
the same answer twice in a language's hallucination rate.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from babelforge.schemas.records import HallucinationSample
from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.text import normalize

_MARKUP = re.compile(r"[<>{}\[\]]")


@dataclass(frozen=True)
class QueryValidator:
    """The query has at least `min_chars` non-space characters and no markup.

    Reason codes: `halluc_query.missing` (no query), `halluc_query.too_short`,
    `halluc_query.markup` (brackets or braces: the writer echoed the prompt's JSON form or
    its placeholders, such as `<question in German>`, instead of asking).
    """

    min_chars: int = 8
    name: str = "halluc_query"

    def __call__(self, record: HallucinationSample) -> Verdict:
        if not record.query or not record.query.strip():
            return drop(self.name, "missing", 0.0, "the record has no query")
        size = sum(1 for ch in record.query if not ch.isspace())
        if size < self.min_chars:
            return drop(
                self.name, "too_short", float(size), f"{size} characters < {self.min_chars}"
            )
        markup = _MARKUP.findall(record.query)
        if markup:
            return drop(self.name, "markup", float(size), f"contains {''.join(markup)[:20]!r}")
        return keep(self.name, float(size))


@dataclass(frozen=True)
class QueryDuplicateValidator:
    """A query asked before about the same article (same normalised text) is dropped.

    Reason code: `halluc_query_dup.duplicate`.
    """

    name: str = "halluc_query_dup"

    def check_batch(self, records: Sequence[HallucinationSample]) -> list[Verdict]:
        seen: dict[tuple[str | None, str], str] = {}
        out: list[Verdict] = []
        for record in records:
            key = (record.source_id, normalize(record.query or ""))
            if key in seen:
                out.append(drop(self.name, "duplicate", None, f"same as {seen[key]}"))
            else:
                seen[key] = record.id
                out.append(keep(self.name))
        return out
