"""The benchmark's statistics on hand-computed values: Wilson intervals (checked against the
published table values), consistency, position bias, hallucinated token shares."""

import pytest

from babelforge.generators.evaluate.stats import (
    accuracy,
    consistency,
    hallucinated_token_share,
    hallucination_rate,
    logprob_accuracy,
    position_accuracy,
    predicted_share,
    token_counts,
    wilson_interval,
)
from babelforge.schemas.evaluation import HallucinationAnswer, Letter, MCQAnswer, Variant
from babelforge.schemas.records import Span, SpanType


def answer(
    item: str,
    right: int,
    said: Letter | None,
    variant: Variant = "target",
    by_logprob: Letter | None = None,
) -> MCQAnswer:
    return MCQAnswer(
        item_id=item,
        model="smollm",
        config="syndarin-hy",
        split="test",
        language="hy",
        variant=variant,
        question_type="factual",
        answer_index=right,
        predicted=said,
        correct=said == "ABCD"[right],
        logprob_predicted=by_logprob,
        failure=None if said else "llm.unparseable",
    )


def test_wilson_interval_matches_the_table_values() -> None:
    assert wilson_interval(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson_interval(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-4)


def test_wilson_interval_of_nothing_is_everything_and_bad_counts_are_refused() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError, match="0 <= k <= n"):
        wilson_interval(11, 10)


def test_a_failed_reply_counts_as_wrong() -> None:
    answers = [answer("q1", 0, "A"), answer("q2", 1, None), answer("q3", 2, "A")]
    result = accuracy(answers)
    assert (result.k, result.n) == (1, 3)
    assert result.rate == pytest.approx(1 / 3)
    assert result.low < result.rate < result.high


def test_logprob_accuracy_uses_only_answers_that_carry_logprobs() -> None:
    answers = [answer("q1", 0, "B", by_logprob="A"), answer("q2", 1, "B"), answer("q3", 3, "D")]
    result = logprob_accuracy(answers)
    assert result is not None and (result.k, result.n) == (1, 1)
    assert logprob_accuracy([answer("q2", 1, "B")]) is None


def test_consistency_is_the_share_right_in_the_target_of_those_right_in_english() -> None:
    english = [
        answer("q1", 0, "A", "english"),
        answer("q2", 1, "B", "english"),
        answer("q3", 2, "C", "english"),
        answer("q4", 3, "A", "english"),  # wrong in English: not counted
    ]
    target = [
        answer("q1", 0, "A"),
        answer("q2", 1, "C"),
        answer("q3", 2, "C"),
        answer("q4", 3, "D"),
    ]
    result = consistency(target, english)
    assert (result.k, result.n) == (2, 3)


def test_position_bias_shows_a_model_that_always_says_a() -> None:
    answers = [answer(f"q{i}", i % 4, "A") for i in range(8)]
    by_position = position_accuracy(answers)
    assert {k: (v.k, v.n) for k, v in by_position.items()} == {
        "A": (2, 2),
        "B": (0, 2),
        "C": (0, 2),
        "D": (0, 2),
    }
    assert predicted_share(answers)["A"].rate == 1.0
    assert predicted_share(answers)["B"].rate == 0.0


def test_token_counts_mark_every_word_a_span_touches() -> None:
    text = "Jerewan ist seit 1918 die Hauptstadt Armeniens."
    start = text.index("1918")
    assert token_counts(text, [(start, start + 4)]) == (7, 1)
    assert token_counts(text, [(start + 2, text.index("Hauptstadt") + 3)]) == (7, 3)
    assert token_counts(text, []) == (7, 0)


def halluc(
    item: str, text: str, spans: tuple[Span, ...], failure: str | None = None
) -> HallucinationAnswer:
    tokens, bad = token_counts(text, [(s.start, s.end) for s in spans])
    return HallucinationAnswer(
        item_id=item,
        model="smollm",
        config="hallucination-qa-de",
        split="test",
        language="de",
        query="Seit wann ist Jerewan die Hauptstadt Armeniens?",
        answer=text,
        spans=spans,
        tokens=tokens,
        hallucinated_tokens=bad,
        failure=failure,
    )


def test_hallucination_rate_and_token_share_leave_failures_out() -> None:
    wrong = "Jerewan ist seit 1920 die Hauptstadt."
    right = "Seit 1918 ist Jerewan die Hauptstadt Armeniens."
    answers = [
        halluc("a", wrong, (Span(start=17, end=21, type=SpanType.ENTITY),)),
        halluc("b", right, ()),
        halluc("c", "", (), failure="evaluate.empty_answer"),
    ]
    rate = hallucination_rate(answers)
    assert (rate.k, rate.n) == (1, 2)
    assert hallucinated_token_share(answers) == pytest.approx(1 / 13)
