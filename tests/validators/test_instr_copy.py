"""instr_copy: blank fields and English copied back are caught; real translations pass."""

import pytest

from babelforge.validators.instr_copy import InstructionCopyValidator
from tests.validators.instr_items import RESET_EN, candidate, english, greet, reset

check = InstructionCopyValidator()


@pytest.mark.parametrize("language", ["de", "hy", "hi", "sw"])
def test_real_translations_are_not_copies(language: str) -> None:
    assert check(greet(language)).keep
    assert check(reset(language)).keep


def test_a_blank_translated_output_is_empty() -> None:
    verdict = check(greet("hy", output="  \n"))
    assert verdict.reason == "instr_copy.empty"
    assert "output" in (verdict.detail or "")


def test_english_copied_into_a_swahili_record_is_untranslated() -> None:
    verdict = check(reset("sw", instruction=RESET_EN[0], output=RESET_EN[1]))
    assert verdict.reason == "instr_copy.untranslated"
    assert verdict.score is not None and verdict.score >= 90


def test_a_field_that_is_only_code_may_be_copied() -> None:
    source = english("Show how to print the variable {name} in Python.", "`print(name)`")
    translated = candidate(
        source, "de", "Zeige, wie man die Variable {name} in Python ausgibt.", "`print(name)`"
    )
    assert check(translated).keep
