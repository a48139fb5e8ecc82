"""What a translation must copy verbatim, found and counted by one rule.

The translator (generators/protect.py) hides these spans behind placeholders and the
`protected_spans` check counts them in the translation; both use this module, so a span the
finder reports is exactly a span the counter can find again. A number is a number only
when it stands alone: in "5G", "mp3", "H2O" or "hippo43" the digits belong to a word, which
is neither protected nor counted (the numbers check still compares its digits).
"""

import re
from functools import lru_cache

PATTERNS: dict[str, str] = {
    "code_block": r"```.*?```",
    "inline_code": r"`[^`\n]+`",
    "url": r"https?://[^\s)\]>\"']*[^\s)\]>\"'.,;:!?]",
    "tag": r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?>",
    "placeholder": r"\{[A-Za-z_][\w.]*\}|%(?:\d+\$)?[sdif]",
    "quoted_name": r"\"[^\"\n]{1,60}\"",
    "number": r"(?<!\w)(?<!\d[.,:])\d+(?:[.,:]\d+)*(?!\w)(?![.,:]\d)",
}
DEFAULT_KINDS: tuple[str, ...] = tuple(PATTERNS)
# The kinds any translator, human or machine, must keep as they are: numbers and quotes are
# written the target's way by a human translator (judged by the numbers check instead).
VERBATIM_KINDS: tuple[str, ...] = ("code_block", "inline_code", "url", "tag", "placeholder")


@lru_cache(maxsize=64)
def span_pattern(kinds: tuple[str, ...]) -> re.Pattern[str]:
    """Return the alternation of the kinds' patterns, one named group per kind."""
    unknown = [k for k in kinds if k not in PATTERNS]
    if unknown:
        raise ValueError(f"unknown protected-span kinds {unknown}; known: {list(PATTERNS)}")
    return re.compile("|".join(f"(?P<{k}>{PATTERNS[k]})" for k in kinds), re.DOTALL)


def find_spans(text: str, kinds: tuple[str, ...] = DEFAULT_KINDS) -> list[tuple[str, str]]:
    """Return (kind, span text) of every protected span of `text`, earliest and longest first."""
    return [(m.lastgroup or "", m.group(0)) for m in span_pattern(kinds).finditer(text)]


@lru_cache(maxsize=8192)
def _occurrence_pattern(span: str) -> re.Pattern[str]:
    head = r"(?<!\w)(?<!\d[.,:])" if span[:1].isalnum() else ""
    tail = r"(?!\w)(?![.,:]\d)" if span[-1:].isalnum() else ""
    return re.compile(head + re.escape(span) + tail)


def occurrences(span: str, text: str) -> int:
    """Count the occurrences of `span` in `text` that stand alone the way the finder's do."""
    return len(_occurrence_pattern(span).findall(text))
