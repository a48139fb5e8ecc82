"""near_duplicate: within a shard and language the first of near-identical texts is kept."""

from babelforge.validators.near_duplicate import NearDuplicateCheck, find_near_duplicates
from babelforge.validators.views import instruction_view, mcq_view
from tests.validators.instr_items import greet, reset
from tests.validators.items import armenian_item, hindi_item

check = NearDuplicateCheck(mcq_view, fields=("question",), threshold=0.8)


def test_armenian_question_differing_only_in_punctuation_is_a_duplicate_of_the_first() -> None:
    first = armenian_item()
    second = armenian_item(id="hy-erebuni-2", question="Ո՞ր թագավորն է կառուցել Էրեբունի ամրոցը")
    verdicts = check.check_batch([first, second])
    assert verdicts[0].keep
    assert verdicts[1].reason == "near_duplicate.duplicate"
    assert "hy-erebuni" in (verdicts[1].detail or "")


def test_different_questions_on_the_same_paragraph_are_kept() -> None:
    other = armenian_item(id="hy-year", question="Ո՞ր թվականին է հիմնադրվել Երևանը։")
    assert all(v.keep for v in check.check_batch([armenian_item(), other]))


def test_questions_are_compared_only_within_their_language() -> None:
    same_text_other_language = hindi_item(id="mr-taj", language="mr")
    assert all(v.keep for v in check.check_batch([hindi_item(), same_text_other_language]))


def test_the_same_instruction_twice_is_a_duplicate_and_another_is_not() -> None:
    instr = NearDuplicateCheck(instruction_view, fields=("instruction", "input"))
    twice = greet("de").model_copy(update={"id": "instr-de-2"})
    verdicts = instr.check_batch([greet("de"), twice, reset("de")])
    assert [v.keep for v in verdicts] == [True, False, True]


def test_find_near_duplicates_points_at_the_earliest_kept_text() -> None:
    texts = [
        "ताजमहल किसकी याद में बनवाया गया था?",
        "गंगा कहाँ से निकलती है?",
        "ताजमहल किसकी याद में बनवाया गया था",
    ]
    found = find_near_duplicates(texts, threshold=0.8)
    assert found[0] is None and found[1] is None
    assert found[2] is not None and found[2][0] == 0
