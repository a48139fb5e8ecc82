"""Language codes: ISO 639-1/639-3 with optional ISO 15924 script and region subtags."""

import re
from functools import lru_cache
from typing import Annotated

import pycountry
from pydantic import AfterValidator

_TAG = re.compile(
    r"^(?P<lang>[a-z]{2,3})(?:-(?P<script>[A-Z][a-z]{3}))?(?:-(?P<region>[A-Z]{2}|\d{3}))?$"
)


@lru_cache(maxsize=1024)
def _language(code: str) -> object | None:
    if len(code) == 2:
        return pycountry.languages.get(alpha_2=code)
    return pycountry.languages.get(alpha_3=code)


def validate_language_code(value: str) -> str:
    """Return `value` when it is a valid BCP-47-style tag built on ISO 639; raise ValueError."""
    match = _TAG.match(value)
    if match is None:
        raise ValueError(
            f"{value!r} is not a language code: use ISO 639-1 or 639-3 (e.g. 'hy', 'hye'), "
            "optionally with a script subtag ('sr-Latn') or region ('pt-BR'), not a language name"
        )
    if _language(match["lang"]) is None:
        raise ValueError(f"{value!r}: {match['lang']!r} is not an ISO 639-1/639-3 language code")
    script = match["script"]
    if script is not None and pycountry.scripts.get(alpha_4=script) is None:
        raise ValueError(f"{value!r}: {script!r} is not an ISO 15924 script code")
    return value


LanguageCode = Annotated[str, AfterValidator(validate_language_code)]


def base_language(code: str) -> str:
    """Return the ISO 639 part of a tag ('sr-Latn' -> 'sr')."""
    return code.split("-", 1)[0]


def language_name(code: str) -> str:
    """Return the English name of a language code ('hy' -> 'Armenian'), from ISO 639 data."""
    lang = _language(base_language(code))
    if lang is None:
        raise ValueError(f"{code!r} is not an ISO 639 language code")
    name: str = lang.name  # type: ignore[attr-defined]
    return re.sub(r"\s*\(.*?\)\s*", "", name).strip()
