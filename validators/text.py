"""Text normalisation shared by the validators: Unicode form, case, whitespace."""

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    """Return `text` NFKC-normalised, case-folded, with runs of whitespace made one space
    and none at either end (cached: several checks normalise the same fields of a record).
    `str.split` cuts at exactly the characters `re`'s `\\s` matches, without a regex."""
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()
