"""Text normalisation shared by the validators: Unicode form, case, whitespace."""

import re
import unicodedata
from functools import lru_cache

_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    """Return `text` NFKC-normalised, case-folded, with runs of whitespace made one space
    (cached: several checks normalise the same fields of a record)."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()
