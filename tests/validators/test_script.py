"""Scripts of languages and of texts."""

from babelforge.validators.script import (
    char_script,
    expected_scripts,
    normalize_language,
    script_share,
)


def test_armenian_letters_are_armenian_script() -> None:
    assert char_script("Երևան"[0]) == "Armn"


def test_devanagari_vowel_signs_count_as_devanagari() -> None:
    share, letters = script_share("मुमताज़ महल", frozenset({"Deva"}))
    assert share == 1.0
    assert letters > 5


def test_three_letter_codes_and_script_subtags_are_understood() -> None:
    assert normalize_language("hye") == "hy"
    assert expected_scripts("hye") == frozenset({"Armn"})
    assert expected_scripts("sr-Latn") == frozenset({"Latn"})


def test_unknown_language_has_no_expected_script() -> None:
    assert expected_scripts("tlh") is None


def test_text_without_letters_is_never_penalised() -> None:
    assert script_share("1632–1653", frozenset({"Deva"})) == (1.0, 0)
