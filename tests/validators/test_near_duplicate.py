"""Near-duplicate questions within a shard and language: the first is kept."""

from babelforge.validators.near_duplicate import NearDuplicateValidator, find_near_duplicates
from tests.validators.items import armenian_item, hindi_item


def test_armenian_question_differing_only_in_punctuation_is_a_duplicate_of_the_first() -> None:
    first = armenian_item()
    second = armenian_item(id="hy-erebuni-2", question="Ո՞ր թագավորն է կառուցել Էրեբունի ամրոցը")
    verdicts = NearDuplicateValidator(threshold=0.8).check_batch([first, second])
    assert verdicts[0].keep
    assert verdicts[1].reason == "near_duplicate.duplicate"
    assert verdicts[1].detail is not None and "hy-erebuni" in verdicts[1].detail


def test_different_questions_on_the_same_paragraph_are_kept() -> None:
    first = armenian_item()
    other = armenian_item(id="hy-year", question="Ո՞ր թվականին է հիմնադրվել Երևանը։")
    verdicts = NearDuplicateValidator(threshold=0.8).check_batch([first, other])
    assert all(v.keep for v in verdicts)


def test_questions_are_compared_only_within_their_language() -> None:
    hindi = hindi_item()
    same_text_other_language = hindi_item(id="mr-taj", language="mr")
    verdicts = NearDuplicateValidator().check_batch([hindi, same_text_other_language])
    assert all(v.keep for v in verdicts)


def test_find_near_duplicates_points_at_the_earliest_kept_text() -> None:
    texts = [
        "ताजमहल किसकी याद में बनवाया गया था?",
        "गंगा कहाँ से निकलती है?",
        "ताजमहल किसकी याद में बनवाया गया था",
    ]
    found = find_near_duplicates(texts, threshold=0.8)
    assert found[0] is None and found[1] is None
    assert found[2] is not None and found[2][0] == 0
