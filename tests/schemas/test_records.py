"""Records are frozen, refuse unknown fields, and enforce their shape."""

import pytest
from pydantic import ValidationError

from babelforge.schemas.records import HallucinationSample, MCQItem, Span, SpanType

OPTIONS = ("1946", "1889", "1920", "1991")


def _mcq(**changes: object) -> MCQItem:
    fields: dict[str, object] = {
        "id": "mcq-1",
        "pair_id": "pair-1",
        "language": "en",
        "paragraph": "The Byurakan Observatory was founded in 1946.",
        "question": "When was the Byurakan Observatory founded?",
        "options": OPTIONS,
        "answer_index": 0,
    }
    fields.update(changes)
    return MCQItem.model_validate(fields)


def test_an_mcq_has_exactly_four_options() -> None:
    with pytest.raises(ValidationError):
        _mcq(options=OPTIONS[:3])
    with pytest.raises(ValidationError):
        _mcq(options=(*OPTIONS, "2001"))


def test_an_mcq_answer_index_points_at_an_option() -> None:
    assert _mcq(answer_index=0).answer == "1946"
    with pytest.raises(ValidationError):
        _mcq(answer_index=4)


def test_records_are_frozen_and_refuse_unknown_fields() -> None:
    item = _mcq()
    with pytest.raises(ValidationError):
        item.question = "changed"
    with pytest.raises(ValidationError):
        _mcq(difficulty="hard")


def test_spans_must_lie_inside_the_text() -> None:
    text = "Երևանը հիմնադրվել է 782 թվականին։"
    last = Span(start=len(text) - 9, end=len(text), type=SpanType.ENTITY)
    sample = HallucinationSample(
        id="h-1",
        language="hy",
        text=text,
        spans=(Span(start=20, end=23, type=SpanType.ENTITY), last),
        method="injection",
    )
    assert sample.hard_labels == [[20, 23], [len(text) - 9, len(text)]]
    with pytest.raises(ValidationError, match=f"ends past the text \\({len(text)}\\)"):
        HallucinationSample(
            id="h-2",
            language="hy",
            text=text,
            spans=(Span(start=20, end=len(text) + 1, type=SpanType.ENTITY),),
            method="injection",
        )


def test_an_empty_span_is_refused() -> None:
    with pytest.raises(ValidationError):
        Span(start=5, end=5, type=SpanType.INVENTED)
