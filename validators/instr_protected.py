"""Protected spans: code blocks, inline code, URLs, numbers, placeholders and tags survive.

A translated instruction whose code block lost a line, whose `{name}` became `{nom}` or
whose URL was translated teaches a model to break code and templates. The spans the
translator was told to keep are counted in the translation as whole tokens (a span that
starts or ends with a letter or digit must not touch another one), and the code blocks
must come back in their order.
"""

import re
from collections import Counter
from dataclasses import dataclass

from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.instr_candidate import InstructionCandidate, ProtectedSpan

_MARKER = re.compile(r"⟦\d+⟧")
_ORDERED_KINDS = frozenset({"code_block"})


def occurrences(span: str, text: str) -> int:
    """Count the occurrences of `span` in `text` that are not part of a longer word/number."""
    head = r"(?<![\w.,:])" if span[:1].isalnum() else ""
    tail = r"(?![\w]|[.,:]\d)" if span[-1:].isalnum() else ""
    return len(re.findall(head + re.escape(span) + tail, text))


def _order(spans: list[ProtectedSpan], text: str) -> list[str]:
    found = sorted((text.find(s.text), s.text) for s in spans if s.text in text)
    return [t for _, t in found]


@dataclass(frozen=True)
class ProtectedSpanValidator:
    """Every protected span of every field appears in the translation exactly as often.

    Reason codes: `instr_protected.stray_marker` (a placeholder marker `⟦n⟧` was left in
    the text), `instr_protected.missing` (a span is absent or occurs fewer times),
    `instr_protected.duplicated` (a span occurs more often than in the English),
    `instr_protected.code_reordered` (code blocks come back in another order).
    Score: the share of protected spans found intact.
    """

    name: str = "instr_protected"

    def __call__(self, record: InstructionCandidate) -> Verdict:
        total = intact = 0
        problems: list[tuple[str, str]] = []
        for field, _, translated in record.field_pairs():
            if _MARKER.search(translated):
                problems.append(("stray_marker", f"{field}: {_MARKER.findall(translated)}"))
            spans = record.spans(field)
            want = Counter(s.text for s in spans)
            for text, count in want.items():
                got = occurrences(text, translated)
                total += count
                intact += min(count, got)
                if got < count:
                    problems.append(("missing", f"{field}: {text[:60]!r} x{count - got}"))
                elif got > count:
                    problems.append(("duplicated", f"{field}: {text[:60]!r} x{got - count}"))
            ordered = [s for s in spans if s.kind in _ORDERED_KINDS]
            if len(ordered) > 1 and _order(ordered, translated) != _order(
                ordered, getattr(record.source, field)
            ):
                problems.append(("code_reordered", f"{field}: code blocks in another order"))
        score = intact / total if total else 1.0
        if problems:
            cause = problems[0][0]
            return drop(self.name, cause, score, "; ".join(d for _, d in problems)[:500])
        return keep(self.name, score, f"{total} protected spans intact")
