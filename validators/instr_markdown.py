"""Markdown structure: headings, list items, quotes, rules and table rows survive translation.

An answer laid out as a numbered list or a table must stay one, or the translated record
teaches a different format. Each field is reduced to the sequence of its block-level
markers (code blocks, whose content is compared by `instr_protected`, are left out) and
the sequences must be equal.
"""

import re
from dataclasses import dataclass

from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.instr_candidate import InstructionCandidate, prose

_BLOCKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("heading", re.compile(r"^\s{0,3}#{1,6}\s")),
    ("rule", re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")),
    ("bullet", re.compile(r"^\s*[-*+•]\s+\S")),
    ("ordered", re.compile(r"^\s*\d+[.)]\s+\S")),
    ("quote", re.compile(r"^\s{0,3}>")),
    ("table", re.compile(r"^\s*\|.*\|\s*$")),
)


def structure(text: str) -> list[str]:
    """Return the block kinds of `text`'s lines, in order (plain lines are left out)."""
    kinds = []
    for line in text.splitlines():
        for kind, pattern in _BLOCKS:
            if pattern.match(line):
                kinds.append(kind)
                break
    return kinds


@dataclass(frozen=True)
class MarkdownStructureValidator:
    """Each field keeps the sequence of block-level markdown markers of its English.

    Reason codes: `instr_markdown.structure_changed` (detail names the field and both
    sequences). Score: the number of markers compared.
    """

    name: str = "instr_markdown"

    def __call__(self, record: InstructionCandidate) -> Verdict:
        compared = 0
        for field, source, translated in record.field_pairs():
            code = record.spans(field, frozenset({"code_block"}))
            want, got = structure(prose(source, code)), structure(prose(translated, code))
            if want != got:
                return drop(
                    self.name,
                    "structure_changed",
                    float(len(want)),
                    f"{field}: English {_short(want)}, translation {_short(got)}",
                )
            compared += len(want)
        return keep(self.name, float(compared))


def _short(kinds: list[str]) -> str:
    return "[" + ", ".join(kinds[:12]) + (", …]" if len(kinds) > 12 else "]")
