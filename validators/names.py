"""Texts that carry no language: names, titles, acronyms, numerals, codes.

"Wojciech Bogusławski", "Super Bowl XXXIII", "NASA", "1990", "H2O" read the same in every
language that writes them, so language ID cannot judge them and script share must not count
them. The rules are about the form of the text, never about a list of known names.
"""

import re
import unicodedata
from functools import lru_cache
from itertools import filterfalse

# Combining marks of the Basic Multilingual Plane (vowel signs of Indic scripts, accents):
# part of a word, though not `\w` for Python's `re`.
_MARKS = "".join(
    re.escape(chr(c)) for c in range(0x300, 0x10000) if unicodedata.category(chr(c))[0] == "M"
)
_WORD = re.compile(rf"[\w{_MARKS}]+(?:['’\-.][\w{_MARKS}]+)*")
_JOINERS = re.compile(r"['’\-.]")
_DIGIT = re.compile(r"\d")
_ROMAN_1 = "MDCLXVI"  # the one-letter Roman numerals
_ROMAN = re.compile(r"^(?=[MDCLXVI])M{0,4}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})$")
# Lower-case words a name or a title may hold between its capitalised words, in the
# languages whose names keep them ("Ludwig van Beethoven", "Lord of the Rings").
_PARTICLES = frozenset(
    {"a", "al", "and", "bin", "da", "das", "de", "del", "della", "der", "des", "di", "do"}
    | {"dos", "du", "e", "el", "en", "et", "for", "ibn", "in", "la", "las", "le", "les"}
    | {"los", "of", "on", "the", "to", "und", "van", "von", "y", "zu"}
)
MAX_NAME_WORDS = 6


@lru_cache(maxsize=65536)
def words(text: str) -> tuple[str, ...]:
    """Return the words of `text`: runs of letters, marks and digits (Devanagari vowel signs
    are marks, not letters), with inner apostrophes, hyphens and dots."""
    return tuple(_WORD.findall(text))


@lru_cache(maxsize=65536)
def languageless(word: str) -> bool:
    """True for a word that is the same in any language: a number, a Roman numeral, an
    acronym ("NASA", "DDR"), or a code mixing letters and digits ("5G", "mp3", "H2O")."""
    if _DIGIT.search(word):
        return True
    if _ROMAN.match(word):
        return True
    return len(word) >= 2 and word.isupper()


@lru_cache(maxsize=65536)
def name_like(text: str) -> bool:
    """True when `text` is a short name or title: at most 6 words, each languageless or
    capitalised, save lower-case particles ("Wojciech Bogusławski", "Super Bowl XXXIII",
    "Ludwig van Beethoven", "1990"). Texts in scripts without case are never name-like
    unless every word is languageless."""
    found = words(text)
    if not found or len(found) > MAX_NAME_WORDS:
        return False
    named = 0
    for word in found:
        if languageless(word):
            continue
        if word[0].isupper():
            named += 1
        elif word.lower() not in _PARTICLES:
            return False
    return named > 0 or all(languageless(w) for w in found)


@lru_cache(maxsize=65536)
def language_letters(text: str) -> str:
    """Return the letters and marks of `text`'s words that carry language (languageless
    words left out), as one string: what script share and letter counts are taken over."""
    found = words(text)
    if _DIGIT.search(text):
        kept = "".join(filterfalse(languageless, found))
    else:  # `languageless` without digits: upper case (a Roman numeral is upper case)
        kept = "".join([w for w in found if not w.isupper() or (len(w) == 1 and w not in _ROMAN_1)])
    if "'" in kept or "’" in kept or "-" in kept or "." in kept:
        return _JOINERS.sub("", kept)
    return kept
