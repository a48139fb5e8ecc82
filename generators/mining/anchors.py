"""Anchors two paragraphs share (numbers, years, names) and an alignment score from them.

Two articles on the same topic in different languages rarely share words, but they share
anchors: numbers and years, and names written in another script or spelling (Yerevan,
Jerewan, Երևան). Numbers are compared after removing thousands and decimal separators
(5,137 = 5137 = 5 137; 27.3 = 27,3). Names are the capitalised words of the source
paragraph; each is looked for among all words of the target paragraph, so targets in
caseless scripts work too. Both sides are transliterated to ASCII with `anyascii`, folded
(kh/h, w/v, sch/sh, ...) and compared by a prefix-tolerant fuzzy ratio, so inflected forms
(Երևանում, Armeniens) still match.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz import fuzz

NAME_MATCH_THRESHOLD = 80.0
_NUMBER = re.compile(
    r"(?<![\d])\d{1,3}(?:[,.\u00a0\u202f\u2009' ]\d{3})+(?:[.,]\d+)?(?![\d])|\d+(?:[.,]\d+)?"
)
_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_END = re.compile(r"[.!?։:…。！？।][\"'”»)\]]*\s*$")
_FOLDS = (
    ("tsch", "ch"),
    ("sch", "sh"),
    ("ow", "u"),
    ("kh", "h"),
    ("gh", "g"),
    ("th", "t"),
    ("ph", "f"),
    ("w", "v"),
    ("j", "y"),
    ("q", "k"),
    ("x", "ks"),
    ("z", "s"),
    ("ei", "ai"),
    ("ay", "ai"),
    ("ey", "ei"),
    ("sh", "s"),
    ("ts", "s"),
)
# English function words that start sentences capitalised; never names.
_STOPWORD_TEXT = (
    "a an the in on at of for from by with to as and but or if it its he she they we you "
    "his her their this that these those there here when while after before during since "
    "until although though today some many most one two three four five six seven eight "
    "nine ten under over between among about around near according"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True)
class Alignment:
    """The share of anchors the two sides agree on, in [0, 1], and the shared anchors."""

    score: float
    shared: tuple[str, ...]


def number_anchors(text: str) -> dict[str, str]:
    """Numbers with at least two digits: normalised digits -> the form in the text."""
    found: dict[str, str] = {}
    for match in _NUMBER.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if len(digits) >= 2:
            found.setdefault(digits, match.group())
    return found


def name_anchors(text: str) -> dict[str, str]:
    """Capitalised words that look like names: folded key -> the word in the text.

    A capitalised word at the start of a sentence counts only when it is not a common
    function word and does not also occur in lower case elsewhere in the text.
    """
    lower_words = {w for w in _WORD.findall(text) if w.islower()}
    found: dict[str, str] = {}
    for match in _WORD.finditer(text):
        word = match.group()
        if len(word) < 3 or not word[0].isupper():
            continue
        start = match.start()
        starts_sentence = start == 0 or _SENTENCE_END.search(text, max(0, start - 6), start)
        if starts_sentence and (word.lower() in _STOPWORDS or word.lower() in lower_words):
            continue
        key = fold(word)
        if len(key) >= 3:
            found.setdefault(key, word)
    return found


def align(source: str, target: str) -> Alignment:
    """Score how well `target` matches `source` by their shared anchors.

    score = (numbers in both + source names found in the target)
            / (numbers in either + source names); 0.0 when neither side has an anchor.
    """
    source_numbers, target_numbers = number_anchors(source), number_anchors(target)
    shared_numbers = [form for key, form in source_numbers.items() if key in target_numbers]
    names = name_anchors(source)
    target_keys = {fold(w) for w in _WORD.findall(target)}
    shared_names = [word for key, word in names.items() if _name_in(key, target_keys)]
    total = len(source_numbers.keys() | target_numbers.keys()) + len(names)
    if total == 0:
        return Alignment(score=0.0, shared=())
    matched = len(shared_numbers) + len(shared_names)
    return Alignment(score=round(matched / total, 4), shared=(*shared_numbers, *shared_names))


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Transliterate to lower-case ASCII and fold spelling variants across languages."""
    key = re.sub(r"[^a-z0-9]", "", anyascii(word).lower())
    key = re.sub(r"c(?!h)", "k", re.sub(r"c(?=[eiy])", "s", key))
    for old, new in _FOLDS:
        key = key.replace(old, new)
    key = re.sub(r"^y(?=[aeiou])", "", key)
    return re.sub(r"(.)\1+", r"\1", key)


def names_match(source_key: str, target_key: str) -> bool:
    """True when two folded words are spellings of the same name (inflection-tolerant)."""
    if source_key == target_key:
        return True
    if len(source_key) < 4:
        return target_key.startswith(source_key) and len(target_key) <= len(source_key) + 3
    if len(target_key) < len(source_key) - 2:
        return False
    if source_key[0] != target_key[0] and not (_vowel(source_key) and _vowel(target_key)):
        return False
    n = len(source_key)
    best = max(fuzz.ratio(source_key, target_key[: n + extra]) for extra in (0, 1, 2))
    return best >= NAME_MATCH_THRESHOLD


def _name_in(source_key: str, target_keys: set[str]) -> bool:
    if source_key in target_keys:
        return True
    return any(names_match(source_key, key) for key in target_keys)


def _vowel(key: str) -> bool:
    return key[0] in "aeiouy"
