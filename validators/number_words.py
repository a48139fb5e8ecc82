"""Numbers an English source writes in words, and amounts a translator converts.

Human translators write "Thirty-two percent" as "32 Prozent", "40 miles" as
"64 Kilometer", "£2.8bn" as "2800 millones" and "19th century" as "siglo XIX"; each is the
same number, not a changed one. English number words and Roman numerals become optional
mentions (they may match a digit of the other side, and may go unmatched, since "one" or
"MIX" is often no number at all); a number before a scale word also stands for the scaled
amount; an amount in an imperial unit also stands for its metric conversion, matched within
`TOLERANCE`.
"""

import re
from fractions import Fraction

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "dozen": 12,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9}
_WORD = re.compile(
    r"\b(?:(?P<tens>" + "|".join(_TENS) + r")(?:[-\s](?P<unit>" + "|".join(_UNITS) + r"))?"
    r"|(?P<alone>" + "|".join(_UNITS) + r"))\b(?:\s+(?P<scale>" + "|".join(_SCALES) + r")s?\b)?",
    re.IGNORECASE,
)
# Imperial unit written after a number -> factor to its metric unit (°F handled apart).
_IMPERIAL: tuple[tuple[re.Pattern[str], Fraction], ...] = tuple(
    (re.compile(r"^\s?-?\s?(?:" + pattern + r")\b", re.IGNORECASE), Fraction(factor))
    for pattern, factor in (
        (r"square miles?|sq\.? mi", "2.589988"),
        (r"miles?|mi", "1.609344"),
        (r"feet|foot|ft", "0.3048"),
        (r"inch(?:es)?", "2.54"),
        (r"yards?|yd", "0.9144"),
        (r"pounds?|lbs?", "0.45359237"),
        (r"ounces?|oz", "28.349523"),
        (r"gallons?", "3.785411"),
        (r"acres?", "0.404686"),
        (r"mph", "1.609344"),
    )
)
# "80 degrees" in an English (US) source is most often Fahrenheit; the value itself stays a
# candidate too, so a Celsius source is not hurt.
_FAHRENHEIT = re.compile(r"^\s?(?:°\s?F\b|degrees?\b|Fahrenheit)", re.IGNORECASE)
TOLERANCE = Fraction(3, 100)  # rounding of a converted amount

# Scale words after a number ("2.8bn", "2800 millones", "37 000 millones", "15 लाख"), in the
# languages the factory targets most; an ambiguous word stands for each scale it may mean.
_SCALE_WORDS: tuple[tuple[str, tuple[int, ...]], ...] = (
    (r"mil millones|mil milliones|Milliarden?|Mrd\.?|milliards?|miliardi|млрд\.?|миллиард\w*"
     r"|միլիարդ\w*|अरब|বিলিয়ন|बिलियन|bilioni|bn|billions?", (10**9, 10**12)),
    (r"billones|billón|Billionen|trillions?|tn", (10**12, 10**18)),
    (r"millones|millón|Millionen|Million|Mio\.?|millions?|milioni|млн\.?|миллион\w*"
     r"|միլիոն\w*|मिलियन|মিলিয়ন|mn|m(?![a-z])", (10**6,)),
    (r"करोड़|करोड|কোটি", (10**7,)),
    (r"लाख|লাখ|লক্ষ", (10**5,)),
    (r"thousands?|Tausend|mil|mille|тысяч\w*|հազար|हज़ार|हजार|হাজার|k(?![a-z])", (10**3,)),
)  # fmt: skip
_SCALE = tuple(
    (re.compile(r"^\s?(?:" + words + r")(?!\w)", re.IGNORECASE), scales)
    for words, scales in _SCALE_WORDS
)
_ROMAN = re.compile(
    r"\b(?=[MDCLXVI]{2,}\b)M{0,4}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})\b"
)
_ROMAN_PAIR = re.compile(r"[MDCLXVI]{2}")  # what every match of `_ROMAN` holds
_ROMAN_VALUES = {"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}


def word_numbers(text: str) -> list[tuple[Fraction, str]]:
    """Return (value, words) of every English number written in words ("thirty-two")."""
    out = []
    for m in _WORD.finditer(text):
        if m["alone"]:
            value = _UNITS[m["alone"].lower()]
        else:
            value = _TENS[m["tens"].lower()] + (_UNITS[m["unit"].lower()] if m["unit"] else 0)
        if m["scale"]:
            value *= _SCALES[m["scale"].lower()]
        out.append((Fraction(value), m[0]))
    return out


def scales(after: str) -> tuple[int, ...]:
    """The scales a number stands for when `after` starts with a scale word ("bn", "लाख")."""
    for pattern, found in _SCALE:
        if pattern.match(after):
            return found
    return ()


def roman_numbers(text: str) -> list[tuple[Fraction, str]]:
    """Return (value, numeral) of every upper-case Roman numeral of two letters or more
    ("siglo XIX", "Super Bowl XXXIII")."""
    out = []
    for m in _ROMAN.finditer(text) if _ROMAN_PAIR.search(text) else ():
        digits = [_ROMAN_VALUES[ch] for ch in m[0]]
        value = sum(
            -d if i + 1 < len(digits) and d < digits[i + 1] else d for i, d in enumerate(digits)
        )
        out.append((Fraction(value), m[0]))
    return out


def conversions(value: Fraction, after: str) -> frozenset[Fraction]:
    """The metric amounts `value` stands for when `after` starts with an imperial unit."""
    if _FAHRENHEIT.match(after):
        return frozenset({(value - 32) * 5 / 9})
    for pattern, factor in _IMPERIAL:
        if pattern.match(after):
            return frozenset({value * factor})
    return frozenset()


def close(converted: frozenset[Fraction], values: frozenset[Fraction]) -> bool:
    """True when a value lies within TOLERANCE of a converted amount, or within 1 of it (a
    small amount rounded to a whole unit: 1 inch written as 2 cm)."""
    return any(
        abs(v - c) <= max(TOLERANCE * abs(c), Fraction(1)) for c in converted for v in values
    )
