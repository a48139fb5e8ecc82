"""Protected spans: code blocks, inline code, URLs, placeholders, tags (and, for
instructions, numbers) are back in the translation exactly as often as in the source.

A translated record whose code block lost a line, whose `{name}` became `{nom}` or whose
URL was translated teaches a model to break code and templates. The spans are counted in
the translated text itself by validators/protectable.py, the rule the translator found them
with, whatever the translator reported; code blocks must also come back in their order.
"""

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.protectable import occurrences
from babelforge.validators.view import ItemView, ProtectedSpan

_MARKER = re.compile(r"⟦\d+⟧")
_ORDERED_KINDS = frozenset({"code_block"})


def _order(spans: list[ProtectedSpan], text: str) -> list[str]:
    found = sorted((text.find(s.text), s.text) for s in spans if s.text in text)
    return [t for _, t in found]


@dataclass(frozen=True)
class ProtectedSpansCheck:
    """Every protected span of every field appears in its translation exactly as often.

    Reason codes: `protected_spans.stray_marker` (a placeholder marker `⟦n⟧` was left in
    the text), `protected_spans.missing` (a span is absent or occurs fewer times),
    `protected_spans.duplicated` (a span occurs more often than in the source),
    `protected_spans.code_reordered` (code blocks come back in another order).
    Score: the share of protected spans found intact.
    """

    view: Callable[[Any], ItemView]
    name: str = "protected_spans"

    def __call__(self, record: Any) -> Verdict:
        total = intact = 0
        problems: list[tuple[str, str]] = []
        for f in self.view(record).fields:
            if "⟦" in f.target and _MARKER.search(f.target):
                problems.append(("stray_marker", f"{f.field}: {_MARKER.findall(f.target)}"))
            if not f.protected:
                continue
            want = Counter(s.text for s in f.protected)
            for text, count in want.items():
                got = occurrences(text, f.target)
                total += count
                intact += min(count, got)
                if got < count:
                    problems.append(("missing", f"{f.field}: {text[:60]!r} x{count - got}"))
                elif got > count:
                    problems.append(("duplicated", f"{f.field}: {text[:60]!r} x{got - count}"))
            ordered = [s for s in f.protected if s.kind in _ORDERED_KINDS]
            if len(ordered) > 1 and _order(ordered, f.target) != _order(ordered, f.source):
                problems.append(("code_reordered", f"{f.field}: code blocks in another order"))
        score = intact / total if total else 1.0
        if problems:
            cause = problems[0][0]
            return drop(self.name, cause, score, "; ".join(d for _, d in problems)[:500])
        return keep(self.name, score, f"{total} protected spans intact")
