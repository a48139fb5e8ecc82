"""Numbers of the English question and options survive translation."""

from babelforge.validators.numbers import NumbersValidator, check_numbers
from tests.validators.items import german_item, hindi_item


def test_german_dates_with_the_same_numbers_are_kept() -> None:
    verdict = check_numbers(["Am 9. November 1989"], ["On 9 November 1989"])
    assert verdict.keep


def test_year_changed_in_translation_is_changed() -> None:
    item = german_item(
        question="Was geschah am 9. November 1998?",
        source_question="What happened on 9 November 1989?",
    )
    assert NumbersValidator()(item).reason == "numbers.changed"


def test_year_dropped_in_translation_is_missing() -> None:
    verdict = check_numbers(
        ["Warum wurde die Grenze im November geöffnet?"],
        ["Why was the border opened on 9 November 1989?"],
    )
    assert verdict.reason == "numbers.missing"


def test_year_invented_by_the_translation_is_added() -> None:
    verdict = check_numbers(["Wann fiel die Mauer im Jahr 1989?"], ["When did the Wall fall?"])
    assert verdict.reason == "numbers.added"


def test_devanagari_digits_equal_ascii_digits() -> None:
    item = hindi_item(
        question="ताजमहल का निर्माण १६३२ में किसने शुरू करवाया?",
        source_question="Who had the construction of the Taj Mahal begun in 1632?",
    )
    assert NumbersValidator()(item).keep


def test_thousands_separators_do_not_matter() -> None:
    assert check_numbers(["etwa 1.000 Menschen"], ["about 1,000 people"]).keep


def test_armenian_thousands_without_separator_match_the_english_grouping() -> None:
    verdict = check_numbers(
        ["Քաղաքում ապրում է մոտ 380000 մարդ։"], ["About 380,000 people live there."]
    )
    assert verdict.keep
