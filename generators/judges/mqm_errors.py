"""The MQM judge's reply as pydantic payloads, its score, and the spans put back on a record.

Categories follow the MQM core typology as GEMBA-MQM asks for them; a reply's spelling of a
category ("Mistranslation", "accuracy - omission") is mapped onto it, an unknown one to
`other`. Severities are minor, major and critical; GEMBA's `no-error` entries are dropped.
"""

import json
import re
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from babelforge.schemas.base import Record
from babelforge.schemas.verdict import Verdict

Severity = Literal["minor", "major", "critical"]
Category = Literal[
    "accuracy/mistranslation",
    "accuracy/omission",
    "accuracy/addition",
    "accuracy/untranslated",
    "fluency/grammar",
    "fluency/spelling",
    "fluency/punctuation",
    "fluency/inconsistency",
    "terminology",
    "style",
    "locale",
    "non-translation",
    "other",
]

# GEMBA-MQM's weights: -1 per minor, -5 per major, -25 per critical error; a non-translation
# counts as critical. Like GEMBA we count at most 5 errors (most severe first) and floor the
# score at -25, so the score reads the same for any model: 0 best, -25 worst.
WEIGHTS: dict[str, float] = {"minor": 1.0, "major": 5.0, "critical": 25.0}
MAX_COUNTED = 5
WORST = -25.0

_NO_ERROR = {"no-error", "no error", "none", "neutral", "ok"}
_CATEGORIES: tuple[str, ...] = Category.__args__  # type: ignore[attr-defined]
_ALIASES = {c.split("/")[-1]: c for c in _CATEGORIES}
_ALIASES |= {
    "untranslated text": "accuracy/untranslated",
    "source language fragment": "accuracy/untranslated",
    "wrong language": "non-translation",
    "spelling/typography": "fluency/spelling",
    "typography": "fluency/spelling",
    "register": "style",
    "awkward": "style",
    "terminology/inappropriate for context": "terminology",
}


def normal_category(value: str) -> str:
    """The typology's spelling of a category as a model may write it; `other` if unknown."""
    raw = value.strip().lower()
    if raw in _CATEGORIES:
        return raw
    text = re.sub(r"\s+-\s+|\s*[:>_/]\s*", "/", raw)
    if text in _CATEGORIES:
        return text
    return _ALIASES.get(text) or _ALIASES.get(text.split("/")[-1], "other")


class MQMError(BaseModel):
    """One error the judge found: the field, the erroneous span of the translation, its kind."""

    field: str
    span: str
    category: Category
    severity: Severity

    @field_validator("category", mode="before")
    @classmethod
    def _category(cls, value: Any) -> Any:
        return normal_category(value) if isinstance(value, str) else value

    @field_validator("severity", mode="before")
    @classmethod
    def _severity(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


class MQMReply(BaseModel):
    """The judge's reply: every error of the translation; none when it is right."""

    errors: list[MQMError] = Field(default_factory=list, max_length=50)

    @field_validator("errors", mode="before")
    @classmethod
    def _without_no_error(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        return [
            e
            for e in value
            if not (isinstance(e, dict) and str(e.get("severity", "")).lower() in _NO_ERROR)
        ]


class FoundError(Record):
    """An error kept on the record: the reply's error plus where its span is in the target
    field (`start`, `end` character offsets; None when the span is not found verbatim)."""

    field: str
    span: str
    category: Category
    severity: Severity
    start: int | None = None
    end: int | None = None


def mqm_score(errors: list[MQMError] | tuple[FoundError, ...]) -> float:
    """The MQM score: minus the weights of the (at most 5) most severe errors, at least -25."""
    weights = sorted(
        (WEIGHTS["critical" if e.category == "non-translation" else e.severity] for e in errors),
        reverse=True,
    )
    return max(WORST, -sum(weights[:MAX_COUNTED]))


def locate(errors: list[MQMError], targets: dict[str, str]) -> tuple[FoundError, ...]:
    """The errors with the offsets of their span in the named field's translation."""
    found = []
    for e in errors:
        start = targets.get(e.field, "").find(e.span) if e.span else -1
        found.append(
            FoundError(
                field=e.field,
                span=e.span,
                category=e.category,
                severity=e.severity,
                start=start if start >= 0 else None,
                end=start + len(e.span) if start >= 0 else None,
            )
        )
    return tuple(found)


def detail_json(score: float, errors: tuple[FoundError, ...], judge: str) -> str:
    """The verdict detail: the score, every error span and who judged, as one JSON object."""
    return json.dumps(
        {"score": score, "errors": [e.model_dump() for e in errors], "judge": judge},
        ensure_ascii=False,
    )


def mqm_errors(verdict: Verdict) -> tuple[FoundError, ...]:
    """The error spans an MQM judge verdict carries (what an export or a report reads)."""
    if verdict.detail is None:
        return ()
    data = json.loads(verdict.detail)
    return tuple(FoundError.model_validate(e) for e in data.get("errors", ()))
