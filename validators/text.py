"""Text normalisation shared by the validators: case, whitespace, digits."""

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Return `text` NFKC-normalised, case-folded, with runs of whitespace made one space."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


_NUMBER = re.compile(r"(?<!\d)\d{1,3}(?:[,.'\u00a0\u202f ]\d{3})+(?!\d)|\d+")
_GROUP_SEPARATORS = str.maketrans("", "", ",.'\u00a0\u202f ")


def numbers(text: str) -> list[str]:
    """Return the numbers written in digits in `text`, as ASCII digit strings, in order.

    Digits of any script count ('१९९९' -> '1999'). Thousands groups are joined, so '1,000',
    '1.000', '1 000' and '1000' all give '1000'; other separators split a number, so '2.5'
    and '2,5' both give ['2', '5'] whatever the locale's convention.
    """
    out = []
    for match in _NUMBER.finditer(text):
        digits = match.group(0).translate(_GROUP_SEPARATORS)
        out.append("".join(str(unicodedata.decimal(ch)) for ch in digits))
    return out
