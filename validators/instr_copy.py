"""Empty or untranslated output: a field left blank, or the English copied back unchanged.

Small models (and MT systems on text they do not understand) often return the source as
it came; it is fluent, the right length and keeps every protected span, so only a
comparison with the English catches it. Only the prose is compared, since code, URLs and
numbers are meant to be copied.
"""

from dataclasses import dataclass

from rapidfuzz import fuzz

from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.instr_candidate import InstructionCandidate, prose
from babelforge.validators.text import normalize


@dataclass(frozen=True)
class InstructionCopyValidator:
    """Every field the English fills is filled, and its prose is not a copy of the English.

    Reason codes: `instr_copy.empty` (a translated field is blank while the English is not),
    `instr_copy.untranslated` (the translated prose matches the English prose at
    `similarity` or more, rapidfuzz ratio 0-100, for prose of at least `min_prose_chars`).
    Score: the highest similarity of a field's prose to its English.
    """

    similarity: float = 90.0
    min_prose_chars: int = 12
    name: str = "instr_copy"

    def __call__(self, record: InstructionCandidate) -> Verdict:
        worst: tuple[float, str] | None = None
        for field, source, translated in record.field_pairs():
            if not translated.strip():
                return drop(self.name, "empty", detail=f"{field} is empty")
            spans = record.spans(field)
            src, tgt = normalize(prose(source, spans)), normalize(prose(translated, spans))
            if len(src) < self.min_prose_chars:
                continue
            score = float(fuzz.ratio(src, tgt))
            if worst is None or score > worst[0]:
                worst = (score, field)
        if worst is None:
            return keep(self.name, detail="no field has enough prose to compare")
        score, field = worst
        if score >= self.similarity:
            return drop(
                self.name, "untranslated", score, f"{field} is {score:.0f}% the English prose"
            )
        return keep(self.name, score, f"most similar field: {field}")
