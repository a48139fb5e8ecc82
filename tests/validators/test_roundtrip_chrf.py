"""roundtrip_chrf: the back-translation stays close to the source, for every recipe."""

import pytest
from sacrebleu.metrics import CHRF

from babelforge.validators.roundtrip_chrf import RoundtripChrfCheck, roundtrip_chrf
from babelforge.validators.views import instruction_view, mcq_view
from tests.validators.instr_items import GREET_EN, RESET_EN, candidate, english, greet, reset
from tests.validators.items import armenian_item, hindi_item

check = RoundtripChrfCheck(mcq_view, threshold=30)
instr_check = RoundtripChrfCheck(instruction_view, threshold=25)


def test_faithful_armenian_round_trip_is_kept_with_its_chrf() -> None:
    verdict = check(armenian_item())
    assert verdict.keep
    assert verdict.score is not None and verdict.score > 50


def test_item_without_back_translation_is_its_own_reason() -> None:
    item = armenian_item(back_translated_question=None, back_translated_options=None)
    assert check(item).reason == "roundtrip_chrf.missing_back_translation"


def test_back_translation_that_asks_something_else_has_low_chrf() -> None:
    item = hindi_item(
        back_translated_question="How many people live in Agra today?",
        back_translated_options=("Two million", "Five thousand", "Ten", "Nobody"),
    )
    assert check(item).reason == "roundtrip_chrf.low_chrf"


@pytest.mark.parametrize("language", ["de", "hy", "hi", "sw"])
def test_a_faithful_instruction_round_trip_scores_100(language: str) -> None:
    assert instr_check(greet(language)).score == 100.0
    assert instr_check(reset(language)).score == 100.0


def test_an_instruction_without_back_translation_is_missing() -> None:
    source = english(*RESET_EN)
    record = candidate(source, "de", "Nenne drei Schritte.", "1. Öffne die Seite.")
    assert instr_check(record).reason == "roundtrip_chrf.missing_back_translation"


def test_code_copied_both_ways_does_not_lift_a_wrong_round_trip() -> None:
    wrong = ("Tell me a joke about cats.", GREET_EN[1].split("\n\n")[1])
    record = candidate(english(*GREET_EN), "de", "x", "y", back=(wrong[0], wrong[1]))
    assert instr_check(record).reason == "roundtrip_chrf.low_chrf"


@pytest.mark.parametrize(
    ("hyps", "refs"),
    [
        (
            ["Who erected the Berlin Wall?", "the Soviet Army"],
            ["Who built the Berlin Wall?", "the Soviet Army"],
        ),
        (
            ["In whose memory was the Taj Mahal built?", "Noor Jahan"],
            ["In whose memory was the Taj Mahal built?", "Nur Jahan"],
        ),
        (["Tell me a joke.", "x"], ["Write a Python function.", "Here is the function"]),
        (["", "Argishti I"], ["Which king built the Erebuni fortress?", "Argishti I"]),
    ],
)
def test_the_figure_is_sacrebleus_corpus_chrf(hyps: list[str], refs: list[str]) -> None:
    expected = CHRF().corpus_score(hyps, [refs]).score
    assert roundtrip_chrf(hyps, refs) == pytest.approx(expected, abs=1e-9)


def test_pooled_chrf_of_identical_segments_is_100() -> None:
    assert roundtrip_chrf(["Who built it?", "Argishti I"], ["Who built it?", "Argishti I"]) == 100.0
