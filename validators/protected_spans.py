"""Spans the translator had to leave untouched (numbers, quoted names, placeholders) survived.

The translator protects them as placeholders and records on the item the ones it could not put
back; this filter turns that record into the decision.
"""

from dataclasses import dataclass

from babelforge.schemas.records import TranslatedMCQ
from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep


@dataclass(frozen=True)
class ProtectedSpansValidator:
    """Every protected span of the English question and options is back in the translation.

    Reason codes: `protected_spans.lost`.
    """

    name: str = "protected_spans"

    def __call__(self, record: TranslatedMCQ) -> Verdict:
        lost = record.lost_protected_spans
        if lost:
            shown = ", ".join(repr(s) for s in lost[:3])
            return drop(self.name, "lost", score=float(len(lost)), detail=f"lost: {shown}")
        return keep(self.name, score=0.0)
