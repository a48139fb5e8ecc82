"""MITS and TaCo records: the TaCo output format, exactly, with language names from codes."""

import pytest

from babelforge.generators.instructions.taco import mits_record, taco_output, taco_record
from babelforge.schemas.verdict import Verdict
from tests.validators.instr_items import GREET, GREET_EN, RESET, RESET_EN, greet, reset


@pytest.mark.parametrize(
    ("language", "name"), [("de", "German"), ("hy", "Armenian"), ("hi", "Hindi"), ("sw", "Swahili")]
)
def test_the_taco_output_reads_english_then_the_target_language(language: str, name: str) -> None:
    record = taco_record(reset(language))
    assert record.output == (
        f"Instruction in English: {RESET_EN[0]}\n"
        f"Response in English: {RESET_EN[1]}\n"
        f"Response in {name}: {RESET[language][1]}"
    )
    assert record.instruction == RESET[language][0]
    assert record.language == language
    assert record.source_id == "instr-en"


def test_taco_output_is_three_labelled_parts() -> None:
    text = taco_output("Say hi.", "Hi!", "Բարև։", "hy")
    assert (
        text
        == "Instruction in English: Say hi.\nResponse in English: Hi!\nResponse in Armenian: Բարև։"
    )


def test_the_taco_record_keeps_the_translated_input_and_provenance() -> None:
    candidate = greet("hi")
    candidate = candidate.model_copy(
        update={"translation": candidate.translation.model_copy(update={"input": "नाम: आना"})}
    )
    record = taco_record(candidate)
    assert record.input == "नाम: आना"
    assert record.provenance == candidate.translation.provenance
    assert record.id == taco_record(candidate).id != candidate.translation.id
    assert record.output.endswith(f"Response in Hindi: {GREET['hi'][1]}")
    assert GREET_EN[0] in record.output


def test_the_mits_record_is_the_translation_with_its_verdicts() -> None:
    verdict = Verdict(validator="instr_copy", keep=True, score=20.0)
    candidate = greet("sw").model_copy(update={"verdicts": (verdict,)})
    record = mits_record(candidate)
    assert record.verdicts == (verdict,)
    assert record.model_copy(update={"verdicts": ()}) == candidate.translation
