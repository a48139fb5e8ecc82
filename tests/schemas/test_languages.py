"""Language codes are ISO 639 codes with optional script and region, never names."""

import pytest
from pydantic import TypeAdapter, ValidationError

from babelforge.schemas.languages import LanguageCode, language_name

CODES = TypeAdapter(LanguageCode)


@pytest.mark.parametrize("code", ["en", "hy", "hye", "sw", "sr-Latn", "zh-Hans", "pt-BR"])
def test_valid_codes_pass(code: str) -> None:
    assert CODES.validate_python(code) == code


@pytest.mark.parametrize("code", ["Armenian", "xx", "EN", "sr-Latx", "de_DE", ""])
def test_invalid_codes_are_refused(code: str) -> None:
    with pytest.raises(ValidationError):
        CODES.validate_python(code)


@pytest.mark.parametrize(
    ("code", "name"),
    [("hy", "Armenian"), ("de", "German"), ("sw", "Swahili"), ("el", "Modern Greek")],
)
def test_language_names_come_from_the_code(code: str, name: str) -> None:
    assert language_name(code) == name
