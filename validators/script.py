"""Unicode scripts: which script a language is written in, and how much of a text uses it.

Used by the langid validator and reusable on plain strings by the instruction and
hallucination recipes. Script codes are ISO 15924 (`Armn`, `Deva`, `Cyrl`, `Hani`, ...).
"""

import unicodedata
from collections.abc import Callable
from functools import lru_cache

import pycountry

# First word of a character's Unicode name -> ISO 15924 code.
_NAME_TO_SCRIPT = {
    "LATIN": "Latn",
    "ARMENIAN": "Armn",
    "DEVANAGARI": "Deva",
    "CYRILLIC": "Cyrl",
    "CJK": "Hani",
    "HIRAGANA": "Hira",
    "KATAKANA": "Kana",
    "HANGUL": "Hang",
    "ARABIC": "Arab",
    "HEBREW": "Hebr",
    "GEORGIAN": "Geor",
    "GREEK": "Grek",
    "BENGALI": "Beng",
    "THAI": "Thai",
    "ETHIOPIC": "Ethi",
    "TAMIL": "Taml",
    "TELUGU": "Telu",
    "KANNADA": "Knda",
    "MALAYALAM": "Mlym",
    "GUJARATI": "Gujr",
    "GURMUKHI": "Guru",
    "ORIYA": "Orya",
    "SINHALA": "Sinh",
    "MYANMAR": "Mymr",
    "KHMER": "Khmr",
    "LAO": "Laoo",
    "TIBETAN": "Tibt",
    "THAANA": "Thaa",
    "SYRIAC": "Syrc",
    "MONGOLIAN": "Mong",
}

# fmt: off
_LATIN_LANGUAGES = (
    "af", "az", "bs", "ca", "cs", "cy", "da", "de", "en", "eo", "es", "et", "eu", "fi", "fil",
    "fr", "ga", "gl", "ha", "hr", "hu", "id", "ig", "is", "it", "jv", "la", "lb", "lt", "lv",
    "mg", "ms", "mt", "nb", "nl", "nn", "no", "om", "pl", "pt", "qu", "ro", "rw", "sk", "sl",
    "sm", "sn", "so", "sq", "st", "su", "sv", "sw", "tk", "tl", "tn", "tr", "uz", "vi", "wo",
    "xh", "yo", "zu",
)
# fmt: on

_OTHER_LANGUAGES: dict[str, frozenset[str]] = {
    "hy": frozenset({"Armn"}),
    "hi": frozenset({"Deva"}),
    "mr": frozenset({"Deva"}),
    "ne": frozenset({"Deva"}),
    "sa": frozenset({"Deva"}),
    "ru": frozenset({"Cyrl"}),
    "uk": frozenset({"Cyrl"}),
    "be": frozenset({"Cyrl"}),
    "bg": frozenset({"Cyrl"}),
    "mk": frozenset({"Cyrl"}),
    "kk": frozenset({"Cyrl"}),
    "ky": frozenset({"Cyrl"}),
    "tg": frozenset({"Cyrl"}),
    "mn": frozenset({"Cyrl"}),
    "sr": frozenset({"Cyrl", "Latn"}),
    "zh": frozenset({"Hani"}),
    "ja": frozenset({"Hani", "Hira", "Kana"}),
    "ko": frozenset({"Hang", "Hani"}),
    "ar": frozenset({"Arab"}),
    "fa": frozenset({"Arab"}),
    "ur": frozenset({"Arab"}),
    "ps": frozenset({"Arab"}),
    "ckb": frozenset({"Arab"}),
    "he": frozenset({"Hebr"}),
    "yi": frozenset({"Hebr"}),
    "ka": frozenset({"Geor"}),
    "el": frozenset({"Grek"}),
    "bn": frozenset({"Beng"}),
    "as": frozenset({"Beng"}),
    "th": frozenset({"Thai"}),
    "am": frozenset({"Ethi"}),
    "ti": frozenset({"Ethi"}),
    "ta": frozenset({"Taml"}),
    "te": frozenset({"Telu"}),
    "kn": frozenset({"Knda"}),
    "ml": frozenset({"Mlym"}),
    "gu": frozenset({"Gujr"}),
    "pa": frozenset({"Guru"}),
    "or": frozenset({"Orya"}),
    "si": frozenset({"Sinh"}),
    "my": frozenset({"Mymr"}),
    "km": frozenset({"Khmr"}),
    "lo": frozenset({"Laoo"}),
    "bo": frozenset({"Tibt"}),
    "dv": frozenset({"Thaa"}),
}

_SCRIPTS: dict[str, frozenset[str]] = {
    **{code: frozenset({"Latn"}) for code in _LATIN_LANGUAGES},
    **_OTHER_LANGUAGES,
}

# Script subtags that stand for several scripts of ours.
_SUBTAG_SCRIPTS = {
    "Hans": frozenset({"Hani"}),
    "Hant": frozenset({"Hani"}),
    "Jpan": frozenset({"Hani", "Hira", "Kana"}),
    "Kore": frozenset({"Hang", "Hani"}),
}


@lru_cache(maxsize=4096)
def normalize_language(code: str) -> str:
    """Return the ISO 639-1 code of a tag when one exists ('hye' -> 'hy', 'sr-Latn' -> 'sr')."""
    base = code.split("-", 1)[0].lower()
    if len(base) == 3:
        lang = pycountry.languages.get(alpha_3=base)
        alpha_2 = getattr(lang, "alpha_2", None) if lang is not None else None
        if alpha_2:
            return str(alpha_2)
    return base


def expected_scripts(language: str) -> frozenset[str] | None:
    """Return the scripts `language` is written in, or None when we do not know it.

    A script subtag wins ('sr-Latn' -> {'Latn'}); otherwise a table of common languages.
    """
    parts = language.split("-")
    for part in parts[1:]:
        if len(part) == 4 and part[0].isupper():
            return _SUBTAG_SCRIPTS.get(part, frozenset({part}))
    return _SCRIPTS.get(normalize_language(language))


@lru_cache(maxsize=65536)
def char_script(char: str) -> str | None:
    """Return the ISO 15924 code of a letter or combining mark; None for anything else."""
    if unicodedata.category(char)[0] not in "LM":
        return None
    name = unicodedata.name(char, "")
    first = name.split(" ", 1)[0].split("-", 1)[0]
    return _NAME_TO_SCRIPT.get(first)


class _Table(dict[int, str | None]):
    """str.translate table deleting the characters `drop_char` is true of, filled on first
    sight of each character (a text is then counted in C, not char by char)."""

    def __init__(self, drop_char: Callable[[str], bool]) -> None:
        super().__init__()
        self._drop = drop_char

    def __missing__(self, code: int) -> str | None:
        ch = chr(code)
        value = None if self._drop(ch) else ch
        self[code] = value
        return value


def _uncounted(ch: str) -> bool:
    return char_script(ch) is None and not ch.isalpha()


_COUNTED = _Table(_uncounted)  # deletes what the share does not count
_INSIDE: dict[frozenset[str], _Table] = {}


@lru_cache(maxsize=65536)
def script_share(text: str, scripts: frozenset[str]) -> tuple[float, int]:
    """Return (share of the letters written in one of `scripts`, number of letters seen).

    Letters whose script is not known to us count against the share; a text with no
    letter returns (1.0, 0), so that numbers and punctuation are never penalised.
    """
    counted = text.translate(_COUNTED)
    if not counted:
        return 1.0, 0
    inside = _INSIDE.get(scripts)
    if inside is None:
        inside = _INSIDE.setdefault(scripts, _Table(lambda ch: char_script(ch) in scripts))
    outside = counted.translate(inside)
    return (len(counted) - len(outside)) / len(counted), len(counted)
