"""Round-trip chrF of the back-translated question and options against the English."""

from babelforge.validators.roundtrip_chrf import RoundtripChrfValidator, roundtrip_chrf
from tests.validators.items import armenian_item, hindi_item


def test_faithful_armenian_round_trip_is_kept_with_its_chrf() -> None:
    verdict = RoundtripChrfValidator(threshold=30)(armenian_item())
    assert verdict.keep
    assert verdict.score is not None and verdict.score > 50


def test_item_without_back_translation_is_its_own_reason() -> None:
    item = armenian_item(back_translated_question=None, back_translated_options=None)
    assert RoundtripChrfValidator()(item).reason == "roundtrip_chrf.missing_back_translation"


def test_back_translation_that_asks_something_else_has_low_chrf() -> None:
    item = hindi_item(
        back_translated_question="How many people live in Agra today?",
        back_translated_options=("Two million", "Five thousand", "Ten", "Nobody"),
    )
    verdict = RoundtripChrfValidator(threshold=30)(item)
    assert verdict.reason == "roundtrip_chrf.low_chrf"


def test_question_alone_is_scored_when_options_were_not_back_translated() -> None:
    item = hindi_item(back_translated_options=None)
    assert RoundtripChrfValidator()(item).score == 100.0


def test_pooled_chrf_of_identical_segments_is_100() -> None:
    assert roundtrip_chrf(["Who built it?", "Argishti I"], ["Who built it?", "Argishti I"]) == 100.0
