"""Reason codes of earlier releases read as today's."""

import pytest

from babelforge.validators.legacy_reasons import current_check, current_reason


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("instr_langid.wrong_script", "langid.wrong_script"),
        ("halluc_langid.wrong_language", "langid.wrong_language"),
        ("instr_length.too_short", "length_ratio.too_short"),
        ("instr_roundtrip.missing", "roundtrip_chrf.missing_back_translation"),
        ("instr_roundtrip.low_chrf", "roundtrip_chrf.low_chrf"),
        ("instr_protected.missing", "protected_spans.missing"),
        ("protected_spans.lost", "protected_spans.missing"),
        ("instr_copy.untranslated", "copy.untranslated"),
    ],
)
def test_old_codes_map_to_the_shared_checks(old: str, new: str) -> None:
    assert current_reason(old) == new


def test_codes_that_never_changed_come_back_as_they_are() -> None:
    assert current_reason("answer_match.not_in_paragraph") == "answer_match.not_in_paragraph"
    assert current_reason("halluc_tags.lost") == "halluc_tags.lost"


def test_old_check_names_map_to_the_shared_ones() -> None:
    assert current_check("instr_langid") == current_check("halluc_langid") == "langid"
    assert current_check("llm_judge") == "qa_judge"
    assert current_check("options") == "options"
