"""Spans from right/hallucinated answer pairs (HaluEval-style)."""

from babelforge.generators.hallucination.pairs import diff_spans
from babelforge.generators.hallucination.tags import render_tags
from babelforge.schemas.records import SpanType


def test_a_replaced_name_is_an_entity_span() -> None:
    text = "Milhouse was named after President Lyndon Johnson."
    spans = diff_spans("Milhouse was named after President Richard Nixon.", text)
    assert render_tags(text, spans) == (
        "Milhouse was named after President <entity>Lyndon Johnson</entity>."
    )


def test_added_words_are_an_invented_span() -> None:
    text = "Delhi, where the company was founded in 1901 by a prince"
    spans = diff_spans("Delhi", text)
    assert [(text[s.start : s.end], s.type) for s in spans] == [
        ("where the company was founded in 1901 by a prince", SpanType.INVENTED)
    ]


def test_an_answer_with_nothing_in_common_is_one_span() -> None:
    text = "Mumbai, the financial capital of India."
    spans = diff_spans("Delhi", text)
    assert [(s.start, s.end, s.type) for s in spans] == [(0, 38, SpanType.CONTRADICTORY)]


def test_a_short_replacement_in_armenian_is_an_entity() -> None:
    text = "Երևանը Վրաստանի մայրաքաղաքն է։"
    spans = diff_spans("Երևանը Հայաստանի մայրաքաղաքն է։", text)
    assert [(text[s.start : s.end], s.type) for s in spans] == [("Վրաստանի", SpanType.ENTITY)]


def test_identical_answers_give_no_span() -> None:
    assert diff_spans("Arthur's Magazine", "arthur's magazine") == ()
