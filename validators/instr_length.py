"""Length ratio per script: a translated field far shorter or longer than its English.

A field cut off at the token limit, a dropped paragraph or a model that kept talking all
show as an odd length. The ratio is taken on the prose only (protected spans are copied,
not translated) and corrected for scripts that pack more per character (Han, kana,
Hangul: see validators.length_ratio); the accepted range then depends on the script of
the language (the text's own script when the language is not known), since abugidas and
Southeast Asian scripts spell longer than Latin.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.instr_candidate import InstructionCandidate, prose
from babelforge.validators.length_ratio import dominant_script, length_ratio
from babelforge.validators.script import expected_scripts
from babelforge.validators.text import normalize

DEFAULT_BOUNDS: tuple[float, float] = (0.5, 2.0)
# Scripts whose translations of English run longer per character (density-corrected).
SCRIPT_BOUNDS: dict[str, tuple[float, float]] = {
    **{s: (0.5, 2.5) for s in ("Taml", "Mlym", "Telu", "Knda", "Sinh", "Ethi")},
    **{s: (0.5, 2.6) for s in ("Mymr", "Khmr", "Thai", "Laoo", "Tibt")},
    **{s: (0.4, 2.2) for s in ("Hani", "Hira", "Kana", "Hang")},
}


def bounds_for(
    script: str | None, overrides: Mapping[str, tuple[float, float]] | None = None
) -> tuple[float, float]:
    """Return the (min, max) ratio accepted for a translation written in `script`."""
    if script is not None and overrides and script in overrides:
        return overrides[script]
    return SCRIPT_BOUNDS.get(script or "", DEFAULT_BOUNDS)


@dataclass(frozen=True)
class InstructionLengthValidator:
    """Each field's prose ratio (translation/English) lies within its script's bounds.

    Fields whose English prose is shorter than `min_source_chars` are not judged.
    Reason codes: `instr_length.too_short`, `instr_length.too_long` (detail names the
    field, script and bounds). Score: the ratio farthest from 1.
    """

    overrides: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    min_source_chars: int = 20
    name: str = "instr_length"

    def __call__(self, record: InstructionCandidate) -> Verdict:
        worst: tuple[float, str, str | None] | None = None
        for name, source, translated in record.field_pairs():
            spans = record.spans(name)
            src, tgt = prose(source, spans), prose(translated, spans)
            if len(normalize(src)) < self.min_source_chars:
                continue
            ratio = length_ratio(tgt, src)
            if worst is None or _distance(ratio) > _distance(worst[0]):
                worst = (ratio, name, _script(record.language, tgt))
        if worst is None:
            return keep(self.name, detail="English prose too short to judge")
        ratio, name, script = worst
        low, high = bounds_for(script, self.overrides)
        detail = f"{name} ratio {ratio:.2f} ({script or 'no script'} bounds {low}-{high})"
        if ratio < low:
            return drop(self.name, "too_short", ratio, detail)
        if ratio > high:
            return drop(self.name, "too_long", ratio, detail)
        return keep(self.name, ratio, detail)


def _script(language: str, text: str) -> str | None:
    """The script the bounds are taken for: the language's own, else the text's."""
    expected = expected_scripts(language)
    found = dominant_script(text)
    if expected is None or found in expected:
        return found
    return min(expected)


def _distance(ratio: float) -> float:
    return abs(math.log(ratio)) if 0 < ratio < math.inf else math.inf
