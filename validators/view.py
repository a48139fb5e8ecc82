"""The field view every translation check reads: one text, its source, its back-translation.

A record of any recipe (a translated MCQ, an instruction candidate, a hallucination sample)
is seen by the shared translation checks as an `ItemView`: the target language and one
`FieldView` per translated text. The per-record-type view functions live in
validators/views.py; the checks never look at the record itself.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from babelforge.schemas.base import Record


class ProtectedSpan(Record):
    """A span of a source field that must reach the translation unchanged."""

    field: str
    kind: str
    text: str


@dataclass(frozen=True)
class FieldView:
    """One translated text of a record.

    `source` is "" when the record has no source text (a query written in the target
    language); `back_translation` is None when none was made; `protected` holds the spans
    of the source the translation must copy verbatim, in source order.
    """

    field: str
    source: str
    target: str
    back_translation: str | None = None
    protected: tuple[ProtectedSpan, ...] = ()


@dataclass(frozen=True)
class ItemView:
    """Every translated text of one record, the record's id and its target language."""

    id: str
    language: str
    fields: tuple[FieldView, ...]


def prose(text: str, spans: Sequence[ProtectedSpan]) -> str:
    """Return `text` without the protected spans (longest first), i.e. what was translated."""
    if not spans:  # most fields: nothing to take out
        return text
    for span in sorted(spans, key=lambda s: len(s.text), reverse=True):
        text = text.replace(span.text, " ")
    return text
