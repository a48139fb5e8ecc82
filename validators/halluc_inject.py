"""Injected hallucinations: the text changed, and only inside the tagged spans.

An LLM asked to put hallucinations into a correct passage sometimes tags words it did not
change (the label then marks a true statement) or rewrites the whole passage (the untagged
rest is no longer the verified text). The text outside the spans is compared with the
original passage.
"""

from dataclasses import dataclass
from difflib import SequenceMatcher

from babelforge.schemas.records import HallucinationSample
from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.halluc_candidate import HallucinationCandidate
from babelforge.validators.text import normalize


def outside_spans(sample: HallucinationSample) -> str:
    """The text with every span removed."""
    out, cursor = [], 0
    for span in sorted(sample.spans, key=lambda s: s.start):
        out.append(sample.text[cursor : span.start])
        cursor = max(cursor, span.end)
    out.append(sample.text[cursor:])
    return " ".join(out)


@dataclass(frozen=True)
class InjectionValidator:
    """The injected text differs from the original, and its untagged part still matches it.

    Reason codes: `halluc_inject.unchanged` (the clean text equals the original: nothing
    was injected), `halluc_inject.context_changed` (the text outside the spans matches the
    original below `min_context_similarity`). Score: that similarity (0-1).
    """

    name: str = "halluc_inject"
    min_context_similarity: float = 0.6

    def __call__(self, record: HallucinationCandidate) -> Verdict:
        if record.original is None:
            return keep(self.name, None, "no original to compare with")
        original = normalize(record.original)
        if normalize(record.sample.text) == original:
            return drop(self.name, "unchanged", 1.0, "the text is the original, unchanged")
        context = normalize(outside_spans(record.sample))
        similarity = _similarity(context, original)
        detail = f"untagged text matches the original {similarity:.2f}"
        if similarity < self.min_context_similarity:
            return drop(self.name, "context_changed", similarity, detail)
        return keep(self.name, similarity, detail)


def _similarity(context: str, original: str) -> float:
    """Share of the untagged text's characters found, in order, in the original."""
    if not context:
        return 0.0
    blocks = SequenceMatcher(None, context, original, autojunk=False).get_matching_blocks()
    return sum(b.size for b in blocks) / len(context)
