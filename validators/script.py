"""Unicode scripts: which script a language is written in, and how much of a text uses it.

Used by the langid validator and reusable on plain strings by the instruction and
hallucination recipes. Script codes are ISO 15924 (`Armn`, `Deva`, `Cyrl`, `Hani`, ...).
"""

import unicodedata
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
KNOWN_SCRIPTS: frozenset[str] = frozenset(_NAME_TO_SCRIPT.values())  # what `char_script` returns

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


# One private-use character standing for each script `char_script` returns, and one for a
# letter of a script not known to us.
MARK_OF: dict[str, str] = {s: chr(0xF0000 + i) for i, s in enumerate(sorted(KNOWN_SCRIPTS))}
UNKNOWN_MARK = chr(0xF0000 + len(MARK_OF))
SCRIPT_OF_MARK: dict[str, str] = {mark: script for script, mark in MARK_OF.items()}


class _Marks(dict[int, str | None]):
    """str.translate table from a letter or mark to the character standing for its script
    (anything else deleted), filled on first sight of each character: a text's scripts are
    then counted in C, not char by char."""

    def __missing__(self, code: int) -> str | None:
        ch = chr(code)
        script = char_script(ch)
        mark = MARK_OF[script] if script is not None else UNKNOWN_MARK if ch.isalpha() else None
        self[code] = mark
        return mark


_MARKS = _Marks()
_ASCII_LETTERS = bytes(range(ord("A"), ord("Z") + 1)) + bytes(range(ord("a"), ord("z") + 1))


def script_marks(text: str) -> str:
    """Return `text` as one mark per letter or combining mark (`MARK_OF` its script, or
    `UNKNOWN_MARK`), in order; anything else is left out."""
    return text.translate(_MARKS)


@lru_cache(maxsize=65536)
def script_share(text: str, scripts: frozenset[str]) -> tuple[float, int]:
    """Return (share of the letters written in one of `scripts`, number of letters seen).

    Letters whose script is not known to us count against the share; a text with no
    letter returns (1.0, 0), so that numbers and punctuation are never penalised.
    """
    if text.isascii():  # only ASCII letters count, all of them Latin
        n = len(text) - len(text.encode("ascii").translate(None, _ASCII_LETTERS))
        return (1.0 if n == 0 or "Latn" in scripts else 0.0), n
    marks = script_marks(text)
    if not marks:
        return 1.0, 0
    inside = sum(marks.count(MARK_OF[s]) for s in scripts if s in MARK_OF)
    return inside / len(marks), len(marks)
