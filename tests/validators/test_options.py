"""Options: four, none empty, distinct after normalisation, a valid answer index."""

from babelforge.schemas.records import MCQItem
from babelforge.validators.options import OptionsValidator, check_options
from tests.validators.items import german_item, hindi_item


def test_four_distinct_options_with_a_valid_answer_are_kept() -> None:
    assert OptionsValidator()(german_item()).keep


def test_three_options_are_the_wrong_count() -> None:
    verdict = check_options(["Berlin", "Hamburg", "München"], 0)
    assert verdict.reason == "options.wrong_count"


def test_answer_index_outside_the_options_is_rejected() -> None:
    verdict = check_options(["Berlin", "Hamburg", "München", "Köln"], 4)
    assert verdict.reason == "options.bad_answer_index"


def test_blank_hindi_option_is_empty() -> None:
    item = hindi_item(options=("मुमताज़ महल", "नूरजहाँ", "  ", "रज़िया सुल्तान"))
    assert OptionsValidator()(item).reason == "options.empty"


def test_options_equal_up_to_case_and_spaces_are_duplicates() -> None:
    item = german_item(
        options=(
            "die Regierung der DDR",
            "Die  Regierung der DDR",
            "der Berliner Senat",
            "die Vereinigten Staaten",
        )
    )
    verdict = OptionsValidator()(item)
    assert verdict.reason == "options.duplicate"
    assert verdict.detail is not None and "0 and 1" in verdict.detail


def test_english_mcq_items_are_checked_the_same_way() -> None:
    item = MCQItem(
        id="mcq-1",
        pair_id="pair-1",
        language="en",
        paragraph="The Berlin Wall fell on 9 November 1989.",
        question="When did the Berlin Wall fall?",
        options=("In 1989", "In 1961", "In 1990", "In 1989 "),
        answer_index=0,
    )
    assert OptionsValidator()(item).reason == "options.duplicate"
