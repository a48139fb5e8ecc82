"""Introductory-paragraph extraction from article text in the Wikipedia dump layout.

The dumps give an article as lines: the lead paragraphs first, then section headings on
lines of their own, each followed by its paragraphs. The introduction is the run of
paragraphs before the first heading, skipping anything heading-like before it.
"""

import re

SENTENCE_END = ".!?։:…。！？।۔؟"
CLOSERS = "\"'”»)]）"
_SENTENCE_BREAK = re.compile(rf"[{re.escape(SENTENCE_END)}][{re.escape(CLOSERS)}]*(?=\s)")
HEADING_MAX_CHARS = 100


def intro_paragraph(text: str, *, max_chars: int = 1200, min_line_chars: int = 40) -> str:
    """Return the article's introduction: lead paragraphs up to `max_chars` characters.

    A line is heading-like when it is shorter than `min_line_chars`, or shorter than
    HEADING_MAX_CHARS without sentence-final punctuation; such lines are skipped before the
    introduction and end it after. Whitespace inside a paragraph is collapsed and paragraphs
    are joined by a newline. A first paragraph longer than the budget is cut at the last
    sentence end that fits (at a word boundary if none does). Returns "" when the text has
    no paragraph.
    """
    paragraphs: list[str] = []
    used = 0
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        if is_heading(line, min_line_chars=min_line_chars):
            if paragraphs:
                break
            continue
        extra = len(line) + (1 if paragraphs else 0)
        if used + extra > max_chars:
            if not paragraphs:
                paragraphs.append(cut_to_budget(line, max_chars))
            break
        paragraphs.append(line)
        used += extra
    return "\n".join(paragraphs)


def is_heading(line: str, *, min_line_chars: int = 40) -> bool:
    """True for a short line or a line without sentence-final punctuation (a heading)."""
    if len(line) < min_line_chars:
        return True
    ends_sentence = line.rstrip(CLOSERS)[-1:] in SENTENCE_END
    return not ends_sentence and len(line) < HEADING_MAX_CHARS


def cut_to_budget(paragraph: str, max_chars: int) -> str:
    """Cut a paragraph to at most `max_chars`: at a sentence end, else a space, else hard."""
    if len(paragraph) <= max_chars:
        return paragraph
    head = paragraph[: max_chars + 1]
    ends = [m.end() for m in _SENTENCE_BREAK.finditer(head) if m.end() <= max_chars]
    if ends:
        return paragraph[: ends[-1]].rstrip()
    space = head.rfind(" ")
    return (paragraph[:space] if space > 0 else paragraph[:max_chars]).rstrip()


def length_in(text: str, unit: str) -> int:
    """Length of `text` in characters ("chars") or word tokens ("tokens": runs of \\w)."""
    if unit == "chars":
        return len(text)
    if unit == "tokens":
        return len(_TOKEN.findall(text))
    raise ValueError(f"unknown length unit {unit!r}: use 'chars' or 'tokens'")


_TOKEN = re.compile(r"\w+")
