"""Labeled data from answer pairs: tag where a hallucinated answer departs from the right one.

HaluEval-style data gives a right and a hallucinated answer to the same question. A word
diff marks the hallucinated answer's words that the right answer does not have; each run of
such words (joined across punctuation and spaces) becomes a span. A short run that replaces
words of the right answer is an `entity` error; a longer replacement `contradictory`; words
with no counterpart at all are `invented`.
"""

import re
from difflib import SequenceMatcher

from babelforge.schemas.records import Span, SpanType

_WORD = re.compile(r"\w+(?:['’]\w+)*")
ENTITY_MAX_WORDS = 5


def diff_spans(right: str, hallucinated: str) -> tuple[Span, ...]:
    """Return the spans of `hallucinated` whose words differ from `right` (case-folded)."""
    ours = list(_WORD.finditer(hallucinated))
    theirs = [m.group(0).casefold() for m in _WORD.finditer(right)]
    matcher = SequenceMatcher(None, theirs, [m.group(0).casefold() for m in ours], autojunk=False)
    spans: list[Span] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op in ("equal", "delete"):
            continue
        start, end = ours[b1].start(), ours[b2 - 1].end()
        replaced, words = a2 > a1, b2 - b1
        if not replaced:
            kind = SpanType.INVENTED
        elif words <= ENTITY_MAX_WORDS:
            kind = SpanType.ENTITY
        else:
            kind = SpanType.CONTRADICTORY
        if spans and not hallucinated[spans[-1].end : start].strip(" ,;:-"):
            merged_type = spans[-1].type if spans[-1].type == kind else SpanType.CONTRADICTORY
            spans[-1] = Span(start=spans[-1].start, end=end, type=merged_type)
        else:
            spans.append(Span(start=start, end=end, type=kind))
    return tuple(spans)
