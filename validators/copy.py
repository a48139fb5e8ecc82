"""Empty or untranslated output: a field left blank, or its source copied back unchanged.

Small models (and MT systems on text they do not understand) often return the source as it
came; it is fluent, the right length and keeps every protected span, so only a comparison
with the source catches it. Only the prose is compared (code, URLs and numbers are meant to
be copied), and a name or title kept as it is ("Wojciech Bogusławski", "Super Bowl
XXXIII") is not a copy: names are not translated; nor is prose of fewer than
`MIN_DISTINCT_WORDS` distinct words ("No, no, no, no, no.", "OK"), which many languages
write alike.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.names import name_like, words
from babelforge.validators.text import normalize
from babelforge.validators.view import ItemView, prose

MIN_DISTINCT_WORDS = 3


@dataclass(frozen=True)
class CopyCheck:
    """Every field the source fills is filled, and its prose is not a copy of the source.

    Reason codes: `copy.empty` (a translated field is blank while its source is not),
    `copy.untranslated` (the prose matches the source prose at `similarity` or more,
    rapidfuzz ratio 0-100, for prose of at least `min_prose_chars` that is not a name).
    Score: the highest similarity of a field's prose to its source.
    """

    view: Callable[[Any], ItemView]
    similarity: float = 90.0
    min_prose_chars: int = 12
    name: str = "copy"

    def __call__(self, record: Any) -> Verdict:
        worst: tuple[float, str] | None = None
        for f in self.view(record).fields:
            if not f.source.strip():
                continue
            if not f.target.strip():
                return drop(self.name, "empty", detail=f"{f.field} is empty")
            src = normalize(prose(f.source, f.protected))
            tgt = normalize(prose(f.target, f.protected))
            if len(src) < self.min_prose_chars or name_like(f.source):
                continue
            if len(set(words(src))) < MIN_DISTINCT_WORDS:
                continue
            score = float(fuzz.ratio(src, tgt))
            if worst is None or score > worst[0]:
                worst = (score, f.field)
        if worst is None:
            return keep(self.name, detail="no field has enough prose to compare")
        score, field = worst
        if score >= self.similarity:
            detail = f"{field} is {score:.0f}% its source"
            return drop(self.name, "untranslated", score, detail)
        return keep(self.name, score, f"most similar field: {field}")
