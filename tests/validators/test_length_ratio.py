"""length_ratio: truncated or padded translations are caught, per script, for every recipe."""

import pytest

from babelforge.validators.length_ratio import LengthRatioCheck, bounds_for, length_ratio
from babelforge.validators.views import instruction_view, mcq_view
from tests.validators.instr_items import GREET, RESET, greet, reset
from tests.validators.items import german_item, hindi_item

check = LengthRatioCheck(mcq_view)
instr_check = LengthRatioCheck(instruction_view)


def test_hindi_translation_of_ordinary_length_is_kept() -> None:
    verdict = check(hindi_item())
    assert verdict.keep
    assert verdict.score is not None and 0.5 < verdict.score < 2.0


def test_truncated_hindi_question_is_too_short() -> None:
    verdict = check(hindi_item(question="ताजमहल?"))
    assert verdict.reason == "length_ratio.too_short"
    assert "question" in (verdict.detail or "")


def test_short_german_options_cut_in_half_are_too_short_together() -> None:
    item = german_item(options=("die Regierung der DDR", "die Sow", "der Ber", "die Ver"))
    verdict = check(item)
    assert verdict.reason == "length_ratio.too_short"
    assert "short fields" in (verdict.detail or "")


def test_german_question_repeated_by_a_looping_translation_is_too_long() -> None:
    looped = " ".join(["Wer errichtete die Berliner Mauer?"] * 4)
    assert check(german_item(question=looped)).reason == "length_ratio.too_long"


def test_chinese_is_divided_by_its_density_to_come_close_to_one() -> None:
    ratio = length_ratio("柏林墙是谁建造的？", "Who built the Berlin Wall?")
    assert 0.7 < ratio < 1.5


@pytest.mark.parametrize("language", ["de", "hy", "hi", "sw"])
def test_real_instruction_translations_have_a_plausible_length(language: str) -> None:
    assert instr_check(greet(language)).keep
    assert instr_check(reset(language)).keep


def test_an_armenian_answer_cut_after_the_first_step_is_too_short() -> None:
    cut = RESET["hy"][1].split("\n")[0]
    verdict = instr_check(reset("hy", output=cut))
    assert verdict.reason == "length_ratio.too_short"
    assert "Armn" in (verdict.detail or "")


def test_a_german_answer_that_keeps_talking_is_too_long() -> None:
    padded = GREET["de"][1] + (
        " Außerdem kann man die Funktion erweitern, damit sie mehrere Sprachen unterstützt,"
        " Zeitzonen beachtet, Höflichkeitsformen wählt und Protokolle schreibt." * 4
    )
    assert instr_check(greet("de", output=padded)).reason == "length_ratio.too_long"


def test_bounds_depend_on_the_script_and_can_be_overridden() -> None:
    assert bounds_for("Latn") == bounds_for("Armn") == (0.5, 2.0)
    assert bounds_for("Mlym")[1] > bounds_for("Latn")[1]
    assert bounds_for("Deva", {"Deva": (0.8, 1.5)}) == (0.8, 1.5)
    strict = LengthRatioCheck(instruction_view, overrides={"Deva": (0.2, 1.05)})
    assert strict(greet("hi")).reason == "length_ratio.too_long"


def test_a_cut_german_option_shows_in_its_back_translation() -> None:
    # German runs longer than English, so the cut option alone still looks long enough
    item = german_item(
        options=("die Regierung der Deutschen Demo", "die Sowjetarmee", "der Senat", "die USA"),
        source_options=(
            "the government of the German Democratic Republic",
            "the Soviet Army",
            "the Senate",
            "the USA",
        ),
        back_translated_options=(
            "the government of the",
            "the Soviet Army",
            "the Senate",
            "the USA",
        ),
    )
    verdict = check(item)
    assert verdict.reason == "length_ratio.too_short"
    assert "option 0 back-translation" in (verdict.detail or "")
