"""Length ratio: a translation far shorter or longer than its source is truncated or padded.

Lengths are characters after whitespace normalisation. Scripts that pack more meaning per
character than English (Han, kana, Hangul) are divided by a density factor, so that one pair
of bounds serves every target language.
"""

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from babelforge.schemas.records import TranslatedMCQ
from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.script import char_script
from babelforge.validators.text import normalize

# Characters per English character, typical of each script (1.0 when not listed).
SCRIPT_DENSITY = {"Hani": 0.3, "Hira": 0.4, "Kana": 0.4, "Hang": 0.45}

MIN_SOURCE_CHARS = 20


def dominant_script(text: str) -> str | None:
    """Return the ISO 15924 code most of the letters of `text` are written in."""
    counts = Counter(s for s in map(char_script, text) if s is not None)
    return counts.most_common(1)[0][0] if counts else None


def length_ratio(translated: str, source: str) -> float:
    """Return len(translated)/len(source), divided by the density of the translation's script."""
    tgt, src = normalize(translated), normalize(source)
    if not src:
        return math.inf if tgt else 1.0
    script = dominant_script(tgt)
    density = SCRIPT_DENSITY.get(script, 1.0) if script else 1.0
    return len(tgt) / len(src) / density


def _worst(ratios: Iterable[tuple[str, float]]) -> tuple[str, float] | None:
    return max(ratios, key=lambda fr: abs(math.log(fr[1])) if fr[1] > 0 else math.inf, default=None)


@dataclass(frozen=True)
class LengthRatioValidator:
    """Question and options (pooled) are each between `min_ratio` and `max_ratio` of the source.

    Fields whose source is shorter than 20 characters are not judged (too noisy).
    Reason codes: `length_ratio.too_short`, `length_ratio.too_long`.
    Score: the ratio farthest from 1 (density-corrected).
    """

    min_ratio: float = 0.5
    max_ratio: float = 2.0
    name: str = "length_ratio"

    def __call__(self, record: TranslatedMCQ) -> Verdict:
        fields = [
            ("question", record.question, record.source_question),
            ("options", "\n".join(record.options), "\n".join(record.source_options)),
        ]
        ratios = [
            (name, length_ratio(tgt, src))
            for name, tgt, src in fields
            if len(normalize(src)) >= MIN_SOURCE_CHARS
        ]
        worst = _worst(ratios)
        if worst is None:
            return keep(self.name, detail="sources too short to judge")
        field_name, ratio = worst
        detail = f"{field_name} ratio {ratio:.2f}"
        if ratio < self.min_ratio:
            return drop(self.name, "too_short", ratio, f"{detail} < {self.min_ratio}")
        if ratio > self.max_ratio:
            return drop(self.name, "too_long", ratio, f"{detail} > {self.max_ratio}")
        return keep(self.name, ratio, detail)
