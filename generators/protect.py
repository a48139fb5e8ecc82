"""Protect spans that a translation must not touch, and check they came back intact.

The spans are found by validators/protectable.py, by the rule the `protected_spans` check
counts them with. Protected spans are replaced by numbered placeholders `⟦0⟧, ⟦1⟧, …`
before translation and restored afterwards; a placeholder the translation lost, duplicated
or reordered is reported.
"""

import re
from dataclasses import dataclass

from babelforge.validators.protectable import DEFAULT_KINDS, PATTERNS, occurrences, span_pattern

__all__ = ["DEFAULT_KINDS", "PATTERNS", "Protected", "Restored", "protect", "restore"]
_MARK = re.compile(r"⟦(\d+)⟧")


@dataclass(frozen=True)
class Protected:
    """Text with placeholders, and the original span of each placeholder, in order."""

    text: str
    spans: tuple[str, ...]
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class Restored:
    """The restored text and what went wrong with the placeholders, if anything; `lost` holds
    the original spans that are neither restored nor present in the text by other means."""

    text: str
    missing: tuple[int, ...]
    duplicated: tuple[int, ...]
    reordered: bool
    lost: tuple[str, ...] = ()

    @property
    def intact(self) -> bool:
        return not (self.missing or self.duplicated or self.reordered)


def protect(text: str, kinds: tuple[str, ...] = DEFAULT_KINDS) -> Protected:
    """Replace every protected span (earliest, longest first) with a numbered placeholder."""
    pattern = span_pattern(tuple(kinds))
    spans: list[str] = []
    found_kinds: list[str] = []

    def swap(match: re.Match[str]) -> str:
        spans.append(match.group(0))
        found_kinds.append(match.lastgroup or "")
        return f"⟦{len(spans) - 1}⟧"

    return Protected(pattern.sub(swap, text), tuple(spans), tuple(found_kinds))


def restore(translated: str, protected: Protected) -> Restored:
    """Put the original spans back; report missing, duplicated and reordered placeholders."""
    seen = [int(m.group(1)) for m in _MARK.finditer(translated)]
    valid = [i for i in seen if i < len(protected.spans)]
    missing = tuple(i for i in range(len(protected.spans)) if i not in valid)
    duplicated = tuple(sorted({i for i in valid if valid.count(i) > 1}))
    text = _MARK.sub(
        lambda m: (
            protected.spans[int(m.group(1))]
            if int(m.group(1)) < len(protected.spans)
            else m.group(0)
        ),
        translated,
    )
    # a span whose placeholder vanished but whose text the translator copied as is, is not lost
    lost = tuple(protected.spans[i] for i in missing if not occurrences(protected.spans[i], text))
    return Restored(text, missing, duplicated, reordered=valid != sorted(valid), lost=lost)
