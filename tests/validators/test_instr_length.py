"""instr_length: truncated or padded translations are caught, per script."""

import pytest

from babelforge.validators.instr_length import InstructionLengthValidator, bounds_for
from tests.validators.instr_items import GREET, RESET, greet, reset

check = InstructionLengthValidator()


@pytest.mark.parametrize("language", ["de", "hy", "hi", "sw"])
def test_real_translations_have_a_plausible_length(language: str) -> None:
    assert check(greet(language)).keep
    assert check(reset(language)).keep


def test_an_armenian_answer_cut_after_the_first_step_is_too_short() -> None:
    cut = RESET["hy"][1].split("\n")[0]
    verdict = check(reset("hy", output=cut))
    assert verdict.reason == "instr_length.too_short"
    assert "Armn" in (verdict.detail or "")


def test_a_german_answer_that_keeps_talking_is_too_long() -> None:
    padded = GREET["de"][1] + (
        " Außerdem kann man die Funktion erweitern, damit sie mehrere Sprachen unterstützt,"
        " Zeitzonen beachtet, Höflichkeitsformen wählt und Protokolle schreibt." * 4
    )
    verdict = check(greet("de", output=padded))
    assert verdict.reason == "instr_length.too_long"


def test_bounds_depend_on_the_script_and_can_be_overridden() -> None:
    assert bounds_for("Latn") == bounds_for("Armn") == (0.5, 2.0)
    assert bounds_for("Mlym")[1] > bounds_for("Latn")[1]
    assert bounds_for("Deva", {"Deva": (0.8, 1.5)}) == (0.8, 1.5)
    strict = InstructionLengthValidator(overrides={"Deva": (0.2, 1.05)})
    assert strict(greet("hi")).reason == "instr_length.too_long"
