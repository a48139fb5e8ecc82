"""What the instruction validators judge: an English record, its translation, and more.

The candidate carries the spans the translator was told to keep verbatim (code blocks,
URLs, numbers, placeholders, tags), so every check can compare them and judge the prose
alone without knowing how the translator protected them.
"""

from collections.abc import Iterator

from babelforge.schemas.base import Record
from babelforge.schemas.records import InstructionRecord
from babelforge.schemas.verdict import Verdict
from babelforge.validators.view import ProtectedSpan, prose

__all__ = ["FIELDS", "InstructionCandidate", "ProtectedSpan", "prose"]

FIELDS: tuple[str, ...] = ("instruction", "input", "output")


class InstructionCandidate(Record):
    """A translated instruction record on its way through the validators.

    `back_translation` (the translation put back into the source language by the same
    translator) is set by the round-trip stage; `verdicts` by the validation stage.
    """

    id: str
    source: InstructionRecord
    translation: InstructionRecord
    protected: tuple[ProtectedSpan, ...] = ()
    back_translation: InstructionRecord | None = None
    verdicts: tuple[Verdict, ...] = ()

    @property
    def language(self) -> str:
        return self.translation.language

    def spans(self, field: str, kinds: frozenset[str] | None = None) -> list[ProtectedSpan]:
        """The protected spans of one field, in source order, optionally of some kinds only."""
        return [
            s for s in self.protected if s.field == field and (kinds is None or s.kind in kinds)
        ]

    def field_pairs(self) -> Iterator[tuple[str, str, str]]:
        """Yield (field, English text, translated text) for every field the source fills."""
        for name in FIELDS:
            source = getattr(self.source, name)
            if source.strip():
                yield name, source, getattr(self.translation, name)
