"""Which texts carry no language: names, titles, acronyms, numerals, codes."""

import pytest

from babelforge.validators.names import language_letters, languageless, name_like, words


@pytest.mark.parametrize(
    "text",
    ["Wojciech Bogusławski", "Super Bowl XXXIII", "NASA", "1990", "Ludwig van Beethoven"],
)
def test_names_titles_acronyms_and_numbers_are_name_like(text: str) -> None:
    assert name_like(text)


@pytest.mark.parametrize(
    "text", ["die Regierung der DDR", "मुमताज़ महल", "a lot of people went home"]
)
def test_phrases_and_uncased_scripts_are_not_name_like(text: str) -> None:
    assert not name_like(text)


@pytest.mark.parametrize("word", ["5G", "mp3", "H2O", "XXXIII", "DDR", "1999"])
def test_codes_numerals_and_acronyms_are_languageless(word: str) -> None:
    assert languageless(word)


def test_devanagari_vowel_signs_stay_inside_their_word() -> None:
    assert words("सुपर बाउल में") == ("सुपर", "बाउल", "में")


def test_language_letters_leave_out_numerals_and_codes() -> None:
    assert language_letters("सुपर बाउल XXXIII 1999 में H2O") == "सुपरबाउलमें"
