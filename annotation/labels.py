"""What one person said about one task, read from a Label Studio annotation's results.

Control names and choice aliases are those of annotation/configs/*.xml.
"""

from datetime import datetime
from typing import Any, Literal

from babelforge.annotation.client import ExportedAnnotation
from babelforge.schemas.base import Record
from babelforge.schemas.records import Span, SpanType

Option = Literal["a", "b", "c", "d", "none"]


class HumanLabel(Record):
    """One annotator's answers; a field the kind does not ask stays None."""

    annotation_id: int
    annotator: str
    updated_at: datetime | None = None
    keep: bool | None = None
    faithful: bool | None = None
    answerable: bool | None = None
    correct_option: Option | None = None
    adequacy: int | None = None
    fluency: int | None = None
    correction: str | None = None
    spans: tuple[Span, ...] = ()


def parse_annotation(annotation: ExportedAnnotation, text: str | None = None) -> HumanLabel:
    """Read an annotation's results; `text` is the labeled text, to keep spans inside it.

    Label Studio stores text offsets in code points, the same as Python string indices.
    """
    fields: dict[str, Any] = {}
    spans: list[Span] = []
    for result in annotation.result:
        control, value = result.get("from_name"), result.get("value") or {}
        if control == "spans" and text is not None:
            span = _span(value, text)
            if span is not None:
                spans.append(span)
        elif control in ("decision", "faithful", "answerable", "correct_option"):
            choice = _first(value.get("choices"))
            if choice is not None:
                fields[control] = choice
        elif control in ("adequacy", "fluency"):
            if value.get("rating") is not None:
                fields[control] = int(value["rating"])
        elif control == "correction":
            lines = [t for t in value.get("text") or () if str(t).strip()]
            if lines:
                fields["correction"] = "\n".join(str(t) for t in lines)
    return HumanLabel(
        annotation_id=annotation.id,
        annotator=annotation.annotator,
        updated_at=annotation.updated_at or annotation.created_at,
        keep=_yes_no(fields.get("decision"), yes="keep", no="drop"),
        faithful=_yes_no(fields.get("faithful")),
        answerable=_yes_no(fields.get("answerable")),
        correct_option=fields.get("correct_option"),
        adequacy=fields.get("adequacy"),
        fluency=fields.get("fluency"),
        correction=fields.get("correction"),
        spans=tuple(sorted(spans, key=lambda s: (s.start, s.end, s.type or ""))),
    )


def _first(values: object) -> str | None:
    if isinstance(values, list) and values:
        return str(values[0])
    return None


def _yes_no(value: str | None, yes: str = "yes", no: str = "no") -> bool | None:
    return {yes: True, no: False}.get(value or "")


def _span(value: dict[str, Any], text: str) -> Span | None:
    labels = value.get("labels") or ()
    if not labels or value.get("start") is None or value.get("end") is None:
        return None
    start, end = int(value["start"]), int(value["end"])
    if not 0 <= start < end <= len(text):
        return None
    return Span(start=start, end=end, type=SpanType(labels[0]))
