"""The numbers a text states, read the way any locale may write them.

One number has many spellings: "711,988" / "711 988" / "711.988" (thousands separators,
thin and narrow no-break spaces included), "56.2" / "56,2" (decimal point or comma),
"१९९९" / "১৯৯৯" / "١٩٩٩" (digits of other scripts), "½" / "1/2", "1990s" / "90er Jahre" /
"the '90s" (decades), "3:08" / "3 min 8 s" (a time's parts, ":00" optional: "7 a.m." /
"7:00 Uhr"), and in English "thirty-two" / "32" (validators/number_words.py). Where a spelling is
ambiguous ("1,500" is 1500 in English and 1.5 in German) a mention carries every value it
may stand for, and two mentions agree when they share one.
"""

import re
import unicodedata
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache

from babelforge.validators.number_words import conversions, roman_numbers, scales, word_numbers

_SPACES = " \u00a0\u202f\u2009"  # space, no-break, narrow no-break, thin
_NUMBER = re.compile(
    r"(?P<apos>['’]\s?)?"
    r"(?P<num>\d+(?:(?:[.,'’\u066b\u066c]|[ \u00a0\u202f\u2009](?=\d{3}(?!\d)))\d+)*)"
    r"(?::(?P<time>00)(?!\d))?"
    r"(?:[/\u2044](?P<den>\d{1,2})(?![\d/\u2044]))?"
    r"(?P<frac>[\u00bc-\u00be\u2150-\u215e])?"
    r"(?P<decade>s\b|’s\b|'s\b|er\b|er-|er\s+Jahre|-е|-х)?"
    r"|(?P<lone>[\u00bc-\u00be\u2150-\u215e])"
)
# What every match of `_NUMBER` holds: a digit or a vulgar fraction (a text without one
# is not scanned).
_NUMERAL = re.compile(r"[\d\u00bc-\u00be\u2150-\u215e]")
_RANGE_UNIT = re.compile(r"^\s?(?:to|or|and|-|–|—)\s?\d+(?:[.,]\d+)?(?P<rest>.{0,24})", re.DOTALL)
_PM = re.compile(r"^\s?p\.?\s?m\b\.?", re.IGNORECASE)
_CLOCK = re.compile(r"^\s?[ap]\.?\s?m\b", re.IGNORECASE)
_HOUR_MINUTES = re.compile(r"(\d{1,2})[.](\d{2})")
_SWAHILI_HOUR = re.compile(r"\bsaa\s?$", re.IGNORECASE)  # Swahili hours start at 6 a.m.
_YEAR_BEFORE = re.compile(r"(?P<century>\d{2})\d{2}\s?[-–]\s?$")
_DATE = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{2,4})$")
# "300 km (190 miles)", "six meters (18 feet)": a converted amount in brackets after an
# amount with its unit, which a translator may drop or add.
_BRACKETED_CONVERSION = re.compile(
    r"(?:\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve))"
    r"[\d.,]*\s?[^\s\d()]{1,16}\s?\(\s?$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Mention:
    """One number of a text: the values it may stand for, as written, whether it may go
    unmatched (the month of a numeric date, a number written in words), and the metric
    amounts it converts to (an amount in miles, feet, pounds, °F)."""

    values: frozenset[Fraction]
    raw: str
    optional: bool = False
    converted: frozenset[Fraction] = frozenset()


class _AsciiDigitTable(dict[int, str]):
    """str.translate table from a digit of another script to its ASCII digit, filled on
    first sight of each character (a text is translated in C, not char by char)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        value = str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch
        self[code] = value
        return value


_ASCII_DIGITS = _AsciiDigitTable()
_SEPARATOR = re.compile(r"([.,'’ \u066b\u066c])")  # between the digit groups of a token
_INDIAN_GROUPING = re.compile(r"\d{1,2}(?:,\d{2})+,\d{3}")
_OTHER_DIGIT = re.compile(r"[^\D0-9]")  # a decimal digit of another script


def _ascii_digits(text: str) -> str:
    if text.isascii() or not _OTHER_DIGIT.search(text):
        return text
    return text.translate(_ASCII_DIGITS)


def _token_values(token: str) -> set[Fraction]:
    """The values a run of digits and separators may stand for."""
    token = "".join(" " if ch in _SPACES else ch for ch in token)
    parts = _SEPARATOR.split(token)
    groups, seps = parts[0::2], parts[1::2]
    if not seps:
        return {Fraction(int(groups[0]))}
    values: set[Fraction] = set()
    first, rest = groups[0], groups[1:]
    if len(set(seps)) == 1 and 1 <= len(first) <= 3 and all(len(g) == 3 for g in rest):
        values.add(Fraction(int("".join(groups))))  # 711,988 / 711 988 / 1.000.000
    if _INDIAN_GROUPING.fullmatch(token):
        values.add(Fraction(int("".join(groups))))  # Indian grouping: 12,34,567
    decimal_sep = seps[-1]
    if decimal_sep in ".,\u066b" and seps.count(decimal_sep) == 1:
        whole = groups[:-1]
        thousands = {s for s in seps[:-1]}
        if not whole[1:] or (len(thousands) == 1 and all(len(g) == 3 for g in whole[1:])):
            values.add(Fraction(int("".join(whole))) + Fraction(f"0.{groups[-1]}"))
    if not values:  # a version, a score, a list: its integers, as written
        values.update(Fraction(int(g)) for g in groups)
    return values


def _decade_values(value: Fraction) -> set[Fraction]:
    n = int(value)
    if value != n:
        return {value}
    if n < 100:
        return {Fraction(n), Fraction(1900 + n), Fraction(2000 + n)}
    return {Fraction(n), Fraction(n % 100)}


def _context_values(values: set[Fraction], before: str, after: str) -> set[Fraction]:
    """What the words around a number add: a scale ("2.8bn"), an afternoon hour
    ("5.30pm" is 17.30), a Swahili hour ("saa 1" is 7 or 19), a year range's
    abbreviated end ("1950-53" is 1953)."""
    out = {v * scale for scale in scales(after) for v in values}
    if _PM.match(after):
        out |= {v + 12 for v in values if v < 12}
    if _SWAHILI_HOUR.search(before):  # "saa 1 asubuhi" is 7 a.m.
        out |= {(v + 6) % 12 or Fraction(12) for v in values} | {v + 6 for v in values}
        out |= {v + 18 for v in values}
    year = _YEAR_BEFORE.search(before)
    if year:
        out |= {int(year["century"]) * 100 + v for v in values if v < 100 and v == int(v)}
    return out


@lru_cache(maxsize=65536)
def mentions(text: str, english: bool = True) -> tuple[Mention, ...]:
    """Return the numbers `text` states, in order (see the module docstring); English
    number words only when `english` (they mean nothing in another language's text)."""
    text = _ascii_digits(text)
    out: list[Mention] = []
    for m in _NUMBER.finditer(text) if _NUMERAL.search(text) else ():
        found = _read(m, text)
        before = text[max(0, m.start() - 32) : m.start()]
        # A bracket opens in the last 3 characters of every match of the pattern.
        if "(" in before[-3:] and _BRACKETED_CONVERSION.search(before):
            found = [replace(f, optional=True) for f in found]
        out += found
    words = (*(word_numbers(text) if english else ()), *roman_numbers(text))
    out += [Mention(frozenset({v}), raw, optional=True) for v, raw in words]
    return tuple(out)


def _read(m: re.Match[str], text: str) -> list[Mention]:
    """The mentions one match of `_NUMBER` in `text` stands for."""
    out: list[Mention] = []
    if m["lone"]:
        out.append(Mention(frozenset({Fraction(unicodedata.numeric(m["lone"]))}), m[0]))
        return out
    token = m["num"].rstrip(_SPACES)
    date = _DATE.match(token)
    if date and int(date[2]) <= 12:
        day, month, year = (Fraction(int(g)) for g in date.groups())
        out += [Mention(frozenset({day}), date[1]), Mention(frozenset({year}), date[3])]
        out.append(Mention(frozenset({month}), date[2], optional=True))
        return out
    if m["time"] is not None and int(m["time"]) == 0:
        out.append(Mention(frozenset(_token_values(token)), token))
        out.append(Mention(frozenset({Fraction(0)}), m["time"], optional=True))
        return out
    clock = _HOUR_MINUTES.fullmatch(token)
    if clock and _CLOCK.match(text[m.end() : m.end() + 6]):  # "5.30pm": 17 and 30
        hour, minutes = Fraction(int(clock[1])), Fraction(int(clock[2]))
        afternoon = {hour + 12} if _PM.match(text[m.end() : m.end() + 6]) else set()
        out.append(Mention(frozenset({hour, *afternoon}), clock[1]))
        out.append(Mention(frozenset({minutes}), clock[2], optional=minutes == 0))
        return out
    if m["den"]:
        whole = Fraction(int(token)) if token.isdigit() else None
        den = int(m["den"])
        if whole is not None and den and whole < den:
            out.append(Mention(frozenset({whole / den}), m[0]))
            return out
    values = _token_values(token)
    if m["den"]:  # not a fraction (13/15): two numbers
        out.append(Mention(frozenset(values), token))
        out.append(Mention(frozenset({Fraction(int(m["den"]))}), m["den"]))
        return out
    if m["frac"]:
        values = {
            v + Fraction(unicodedata.numeric(m["frac"])).limit_denominator(100) for v in values
        }
    glued = m.start() > 0 and text[m.start() - 1].isalpha()  # "SS19", "FY21": a year
    if m["decade"] or (len(token) == 2 and (m["apos"] or glued)):
        values = {d for v in values for d in _decade_values(v)}
    after = text[m.end() : m.end() + 24]
    values |= _context_values(values, text[max(0, m.start() - 8) : m.start()], after)
    ranged = _RANGE_UNIT.match(after)  # "2 to 3 inches": the unit of the range's end
    unit_text = ranged["rest"] if ranged and not conversions(Fraction(1), after) else after
    metric = frozenset(c for v in values for c in conversions(v, unit_text))
    out.append(Mention(frozenset(values), m[0], converted=metric))
    return out
