"""instr_langid: each field's prose is in the target language and script, code excluded."""

import pytest

from babelforge.validators.instr_langid import InstructionLangidValidator
from tests.validators.instr_items import RESET, candidate, english, greet, reset

check = InstructionLangidValidator()


@pytest.mark.parametrize("language", ["de", "hy", "hi", "sw"])
def test_real_translations_are_in_their_language(language: str) -> None:
    assert check(greet(language)).keep
    assert check(reset(language)).keep


def test_german_text_in_a_swahili_record_is_the_wrong_language() -> None:
    verdict = check(reset("sw", instruction=RESET["de"][0], output=RESET["de"][1]))
    assert verdict.reason == "instr_langid.wrong_language"
    assert "detected de" in (verdict.detail or "")


def test_romanised_hindi_is_the_wrong_script() -> None:
    romanised = "Upayogakarta %s ka password reset karne ke teen charan bataiye."
    verdict = check(reset("hi", instruction=romanised))
    assert verdict.reason == "instr_langid.wrong_script"


def test_english_code_does_not_count_against_armenian() -> None:
    code = "```python\n" + "print('this is English inside the code block')\n" * 20 + "```"
    source = english("Explain the program.", f"The program prints one line 20 times:\n\n{code}")
    translated = candidate(
        source, "hy", "Բացատրիր ծրագիրը։", f"Ծրագիրը տպում է մեկ տող 20 անգամ՝\n\n{code}"
    )
    assert check(translated).keep
