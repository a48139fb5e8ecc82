"""Length ratio of translation to source, with a density factor for compact scripts."""

from babelforge.validators.length_ratio import LengthRatioValidator, length_ratio
from tests.validators.items import german_item, hindi_item


def test_hindi_translation_of_ordinary_length_is_kept() -> None:
    verdict = LengthRatioValidator(min_ratio=0.5, max_ratio=2.0)(hindi_item())
    assert verdict.keep
    assert verdict.score is not None and 0.5 < verdict.score < 2.0


def test_truncated_hindi_question_is_too_short() -> None:
    verdict = LengthRatioValidator(min_ratio=0.5, max_ratio=2.0)(hindi_item(question="ताजमहल?"))
    assert verdict.reason == "length_ratio.too_short"


def test_german_question_repeated_by_a_looping_translation_is_too_long() -> None:
    looped = " ".join(["Wer errichtete die Berliner Mauer?"] * 4)
    verdict = LengthRatioValidator(min_ratio=0.5, max_ratio=2.0)(german_item(question=looped))
    assert verdict.reason == "length_ratio.too_long"


def test_chinese_is_divided_by_its_density_to_come_close_to_one() -> None:
    ratio = length_ratio("柏林墙是谁建造的？", "Who built the Berlin Wall?")
    assert 0.7 < ratio < 1.5
