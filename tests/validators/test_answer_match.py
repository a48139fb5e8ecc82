"""SynDARin's main filter: the translated answer is in the target paragraph, distractors not."""

from babelforge.validators.answer_match import AnswerMatchValidator, match_score
from tests.validators.items import HI_OTHER_PARAGRAPH, armenian_item, german_item, hindi_item


def test_armenian_answer_found_in_the_armenian_paragraph_is_kept() -> None:
    verdict = AnswerMatchValidator(threshold=70, margin=5)(armenian_item())
    assert verdict.keep
    assert verdict.score is not None and verdict.score >= 90


def test_hindi_answer_absent_from_a_paragraph_on_another_topic_is_not_in_paragraph() -> None:
    item = hindi_item(target_paragraph=HI_OTHER_PARAGRAPH)
    verdict = AnswerMatchValidator(threshold=70, margin=5)(item)
    assert verdict.reason == "answer_match.not_in_paragraph"


def test_german_date_whose_distractor_date_is_also_in_the_paragraph_is_ambiguous() -> None:
    item = german_item(
        question="Wann wurde die Grenze in Berlin geöffnet?",
        options=(
            "Am 9. November 1989",
            "Am 13. August 1961",
            "Am 3. Oktober 1990",
            "Am 17. Juni 1953",
        ),
        source_question="When was the border in Berlin opened?",
        source_options=(
            "On 9 November 1989",
            "On 13 August 1961",
            "On 3 October 1990",
            "On 17 June 1953",
        ),
    )
    verdict = AnswerMatchValidator(threshold=70, margin=5)(item)
    assert verdict.reason == "answer_match.distractor_matches"


def test_match_score_ignores_case_and_spacing() -> None:
    assert match_score("DER  Regierung der DDR", "von der Regierung der DDR errichtet") == 100.0
