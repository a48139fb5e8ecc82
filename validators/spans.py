"""Spans of a hallucination sample: present, inside the text, not blank, not overlapping.

Mu-SHROOM-style labels are character offsets into the text; a span past the end, over only
whitespace or overlapping another one is a label no detector can learn from.
"""

from dataclasses import dataclass
from itertools import pairwise

from babelforge.schemas.records import HallucinationSample, Span
from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.halluc_candidate import HallucinationCandidate


def sample_of(record: HallucinationSample | HallucinationCandidate) -> HallucinationSample:
    """The sample itself, or the one a candidate carries."""
    return record.sample if isinstance(record, HallucinationCandidate) else record


@dataclass(frozen=True)
class SpansValidator:
    """The sample's spans are usable labels.

    Reason codes: `spans.none` (no span, when `require_spans`), `spans.outside_text` (a span
    ends past the text), `spans.blank` (a span covers only whitespace or punctuation),
    `spans.overlapping` (two spans share characters). Score: share of the text inside spans.
    """

    name: str = "spans"
    require_spans: bool = True

    def __call__(self, record: HallucinationSample | HallucinationCandidate) -> Verdict:
        sample = sample_of(record)
        text, spans = sample.text, sorted(sample.spans, key=lambda s: (s.start, s.end))
        if not spans:
            if self.require_spans:
                return drop(self.name, "none", 0.0, "no hallucination span in the text")
            return keep(self.name, 0.0, "no spans")
        for span in spans:
            if span.start < 0 or span.end > len(text) or span.end <= span.start:
                detail = f"{_kind(span)} span {span.start}-{span.end}, text has {len(text)}"
                return drop(self.name, "outside_text", None, detail)
            if not any(ch.isalnum() for ch in text[span.start : span.end]):
                covered = text[span.start : span.end]
                detail = f"{_kind(span)} span {span.start}-{span.end} is {covered!r}"
                return drop(self.name, "blank", None, detail)
        for left, right in pairwise(spans):
            if right.start < left.end:
                detail = f"{left.start}-{left.end} and {right.start}-{right.end}"
                return drop(self.name, "overlapping", None, detail)
        share = coverage(sample)
        return keep(self.name, share, f"{len(spans)} spans, {share:.0%} of the text")


def _kind(span: Span) -> str:
    return span.type.value if span.type is not None else "untyped"


def coverage(sample: HallucinationSample) -> float:
    """Return the share of the text's characters inside at least one span."""
    if not sample.text:
        return 0.0
    inside: set[int] = set()
    for span in sample.spans:
        inside.update(range(span.start, min(span.end, len(sample.text))))
    return len(inside) / len(sample.text)
