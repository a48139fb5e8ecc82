"""SynDARin's main filter: the translated answer is found in the target paragraph."""

from babelforge.validators.answer_match import AnswerMatchValidator, match_score
from tests.validators.items import HI_OTHER_PARAGRAPH, armenian_item, german_item, hindi_item

check = AnswerMatchValidator(threshold=70)


def test_armenian_answer_found_in_the_armenian_paragraph_is_kept() -> None:
    verdict = check(armenian_item())
    assert verdict.keep
    assert verdict.score is not None and verdict.score >= 90


def test_hindi_answer_absent_from_a_paragraph_on_another_topic_is_not_in_paragraph() -> None:
    verdict = check(hindi_item(target_paragraph=HI_OTHER_PARAGRAPH))
    assert verdict.reason == "answer_match.not_in_paragraph"


def test_german_distractor_dates_found_in_the_paragraph_do_not_drop_the_item() -> None:
    # Both dates are in the paragraph: a good on-topic distractor, not a reason to drop.
    item = german_item(
        question="Wann wurde die Grenze in Berlin geöffnet?",
        options=("Am 9. November 1989", "Am 13. August 1961", "1990", "1953"),
        source_question="When was the border in Berlin opened?",
        source_options=("On 9 November 1989", "On 13 August 1961", "1990", "1953"),
    )
    verdict = check(item)
    assert verdict.keep
    assert "best distractor 100.0" in (verdict.detail or "")


def test_hindi_distractor_from_the_same_paragraph_keeps_the_item() -> None:
    item = hindi_item(options=("मुमताज़ महल", "शाहजहाँ", "यमुना", "आगरा"))
    assert check(item).keep


def test_match_score_ignores_case_and_spacing() -> None:
    assert match_score("DER  Regierung der DDR", "von der Regierung der DDR errichtet") == 100.0
