"""copy: blank fields and sources copied back are caught; names kept as they are are not."""

import pytest

from babelforge.validators.copy import CopyCheck
from babelforge.validators.views import instruction_view, mcq_view
from tests.validators.instr_items import RESET_EN, candidate, english, greet, reset
from tests.validators.items import armenian_item, german_item

check = CopyCheck(instruction_view)
mcq_check = CopyCheck(mcq_view)


@pytest.mark.parametrize("language", ["de", "hy", "hi", "sw"])
def test_real_translations_are_not_copies(language: str) -> None:
    assert check(greet(language)).keep
    assert check(reset(language)).keep


def test_a_blank_translated_output_is_empty() -> None:
    verdict = check(greet("hy", output="  \n"))
    assert verdict.reason == "copy.empty"
    assert "output" in (verdict.detail or "")


def test_english_copied_into_a_swahili_record_is_untranslated() -> None:
    verdict = check(reset("sw", instruction=RESET_EN[0], output=RESET_EN[1]))
    assert verdict.reason == "copy.untranslated"
    assert verdict.score is not None and verdict.score >= 90


def test_a_field_that_is_only_code_may_be_copied() -> None:
    source = english("Show how to print the variable {name} in Python.", "`print(name)`")
    translated = candidate(
        source, "de", "Zeige, wie man die Variable {name} in Python ausgibt.", "`print(name)`"
    )
    assert check(translated).keep


def test_names_kept_as_in_english_are_not_copies() -> None:
    item = german_item(
        options=("Wojciech Bogusławski", "Super Bowl XXXIII", "Ludwig van Beethoven", "NASA"),
        source_options=(
            "Wojciech Bogusławski",
            "Super Bowl XXXIII",
            "Ludwig van Beethoven",
            "NASA",
        ),
    )
    assert mcq_check(item).keep


def test_an_english_question_left_in_an_armenian_item_is_untranslated() -> None:
    item = armenian_item(question="Which king built the Erebuni fortress?")
    assert mcq_check(item).reason == "copy.untranslated"


def test_a_repeated_interjection_spelled_alike_in_spanish_is_not_a_copy() -> None:
    # NTREX-128: "No, no, no, no , no." is the Spanish reference of the same English line.
    item = german_item(
        language="es",
        question="No, no, no, no , no.",
        source_question="No, no, no, no , no.",
    )
    verdict = mcq_check(item)
    assert verdict.keep, verdict.detail
