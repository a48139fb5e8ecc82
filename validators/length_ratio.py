"""Length ratio: a translation far shorter or longer than its source is truncated or padded.

A field cut off at the token limit, a dropped sentence or a model that kept talking all show
as an odd length. Lengths are characters of the prose (protected spans are copied, not
translated) after whitespace normalisation, divided by a density factor for scripts that
pack more per character than English (Han, kana, Hangul); the accepted range then depends
on the script of the language (the text's own script when the language is not known),
since abugidas and Southeast Asian scripts spell longer than Latin.

Each field whose source prose has at least `min_source_chars` characters is judged alone;
the shorter ones (MCQ options, short instructions) are pooled and judged as one text, so a
set of truncated short options is still seen. Where a back-translation exists, its length
against the source is judged too: it is in the source's language, so a cut translation
shows there without the spread between languages (German runs 1.3 times English).
"""

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from babelforge.schemas.verdict import Verdict
from babelforge.validators.base import drop, keep
from babelforge.validators.script import (
    SCRIPT_OF_MARK,
    UNKNOWN_MARK,
    expected_scripts,
    script_marks,
)
from babelforge.validators.text import normalize
from babelforge.validators.view import ItemView, prose

_ASCII_LETTER = re.compile(r"[A-Za-z]")
# Characters per English character, typical of each script (1.0 when not listed).
SCRIPT_DENSITY = {"Hani": 0.3, "Hira": 0.4, "Kana": 0.4, "Hang": 0.45}
DEFAULT_BOUNDS: tuple[float, float] = (0.5, 2.0)
# Scripts whose translations of English run longer per character (density-corrected).
SCRIPT_BOUNDS: dict[str, tuple[float, float]] = {
    **{s: (0.5, 2.5) for s in ("Taml", "Mlym", "Telu", "Knda", "Sinh", "Ethi")},
    **{s: (0.5, 2.6) for s in ("Mymr", "Khmr", "Thai", "Laoo", "Tibt")},
    **{s: (0.4, 2.2) for s in ("Hani", "Hira", "Kana", "Hang")},
}


@lru_cache(maxsize=8192)
def dominant_script(text: str) -> str | None:
    """Return the ISO 15924 code most of the letters of `text` are written in, the first
    seen among equally frequent ones (cached: the same text is asked for its length ratio
    and for its bounds)."""
    if text.isascii():  # English prose, back-translations: no per-character look-up
        return "Latn" if _ASCII_LETTER.search(text) else None
    marks = script_marks(text)
    found = set(marks)
    found.discard(UNKNOWN_MARK)  # a letter of a script not known to us names none
    if len(found) > 1:  # the most frequent; among equals, the first seen
        return SCRIPT_OF_MARK[max(found, key=lambda m: (marks.count(m), -marks.index(m)))]
    return SCRIPT_OF_MARK[found.pop()] if found else None


def length_ratio(translated: str, source: str) -> float:
    """Return len(translated)/len(source), divided by the density of the translation's script."""
    tgt, src = normalize(translated), normalize(source)
    if not src:
        return math.inf if tgt else 1.0
    script = dominant_script(tgt)
    density = SCRIPT_DENSITY.get(script, 1.0) if script else 1.0
    return len(tgt) / len(src) / density


def bounds_for(
    script: str | None,
    overrides: Mapping[str, tuple[float, float]] | None = None,
    default: tuple[float, float] = DEFAULT_BOUNDS,
) -> tuple[float, float]:
    """Return the (min, max) ratio accepted for a translation written in `script`."""
    if script is not None and overrides and script in overrides:
        return overrides[script]
    return SCRIPT_BOUNDS.get(script or "", default)


@dataclass(frozen=True)
class LengthRatioCheck:
    """Each long field's prose ratio (translation/source), and the pooled short fields',
    lies within the bounds of the target's script.

    Reason codes: `length_ratio.too_short`, `length_ratio.too_long` (detail names the
    field, script and bounds). Score: the ratio farthest from 1.
    """

    view: Callable[[Any], ItemView]
    overrides: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    default: tuple[float, float] = DEFAULT_BOUNDS
    min_source_chars: int = 20
    name: str = "length_ratio"

    def __call__(self, record: Any) -> Verdict:
        item = self.view(record)
        groups: list[tuple[str, str, str, str | None]] = []
        short: list[tuple[str, str, str | None]] = []
        for f in item.fields:
            src, tgt = prose(f.source, f.protected), prose(f.target, f.protected)
            back = (
                prose(f.back_translation, f.protected) if f.back_translation is not None else None
            )
            if len(normalize(src)) >= self.min_source_chars:
                groups.append((f.field, src, tgt, back))
            elif src.strip():
                short.append((src, tgt, back))
        pooled_src = "\n".join(s for s, _, _ in short)
        if short and len(normalize(pooled_src)) >= self.min_source_chars:
            backs = [b for _, _, b in short]
            pooled_back = None if None in backs else "\n".join(b or "" for b in backs)
            groups.append(
                ("short fields", pooled_src, "\n".join(t for _, t, _ in short), pooled_back)
            )
        if not groups:
            return keep(self.name, detail="sources too short to judge")
        judged = []
        expected = expected_scripts(item.language)
        for name, src, tgt, back in groups:
            script = _script(expected, tgt)
            judged.append((name, length_ratio(tgt, src), script))
            if back is not None:  # what was lost in translation is lost in the round trip
                script = dominant_script(normalize(back))
                judged.append((f"{name} back-translation", length_ratio(back, src), script))
        name, ratio, script = max(judged, key=lambda r: _distance(r[1]))
        low, high = bounds_for(script, self.overrides, self.default)
        detail = f"{name} ratio {ratio:.2f} ({script or 'no script'} bounds {low}-{high})"
        if ratio < low:
            return drop(self.name, "too_short", ratio, detail)
        if ratio > high:
            return drop(self.name, "too_long", ratio, detail)
        return keep(self.name, ratio, detail)


def _script(expected: frozenset[str] | None, text: str) -> str | None:
    """The script the bounds are taken for: the language's own (`expected`), else the
    text's."""
    found = dominant_script(normalize(text))  # as `length_ratio` asks: one look-up
    if expected is None or found in expected:
        return found
    return min(expected)


def _distance(ratio: float) -> float:
    return abs(math.log(ratio)) if 0 < ratio < math.inf else math.inf
