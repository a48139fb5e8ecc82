"""Turning replies into scores: the letters' log-probabilities at the answer position of a
JSON reply, and the judge's quoted spans as character offsets in the answer."""

from datetime import UTC, datetime

from babelforge.generators.client import ChatReply, TokenLogprob
from babelforge.generators.evaluate.hallucination import JudgedSpan, locate_spans
from babelforge.generators.evaluate.mcq import letter_logprobs
from babelforge.schemas.provenance import Usage
from babelforge.schemas.records import SpanType


def reply(tokens: list[TokenLogprob] | None) -> ChatReply:
    return ChatReply(
        text="".join(t.token for t in tokens or []) or '{"answer": "B"}',
        model="smollm2-135m-instruct",
        backend="llama.cpp",
        usage=Usage(requests=1),
        generated_at=datetime.now(UTC),
        logprobs=tuple(tokens) if tokens else None,
    )


def test_letter_logprobs_come_from_the_token_of_the_answer_value() -> None:
    tokens = [
        TokenLogprob(token='{"', logprob=-0.01),
        TokenLogprob(token="answer", logprob=-0.02),
        TokenLogprob(token='":', logprob=-0.01),
        TokenLogprob(token=' "', logprob=-0.1),
        TokenLogprob(token="B", logprob=-0.9, top={"B": -0.9, "A": -1.2, " C": -2.0, "x": -0.5}),
        TokenLogprob(token='"}', logprob=-0.01),
    ]
    assert letter_logprobs(reply(tokens)) == {"B": -0.9, "A": -1.2, "C": -2.0}


def test_a_letter_merged_with_its_quote_is_still_found() -> None:
    tokens = [
        TokenLogprob(token='{"answer": ', logprob=-0.1),
        TokenLogprob(token='"D', logprob=-0.3, top={'"D': -0.3, '"A': -1.5}),
        TokenLogprob(token='"}', logprob=-0.01),
    ]
    assert letter_logprobs(reply(tokens)) == {"D": -0.3, "A": -1.5}


def test_no_logprobs_from_the_server_means_no_second_score() -> None:
    assert letter_logprobs(reply(None)) == {}


def test_quoted_spans_become_offsets_and_missing_quotes_are_counted() -> None:
    answer = "Երևանը Վրաստանի մայրաքաղաքն է 1918 թվականից։"
    spans, missing = locate_spans(
        answer,
        [
            JudgedSpan(text="Վրաստանի", type=SpanType.ENTITY),
            JudgedSpan(text="Թբիլիսի", type=SpanType.INVENTED),
            JudgedSpan(text=" ", type=SpanType.SUBJECTIVE),
        ],
    )
    assert [(s.start, s.end, s.type) for s in spans] == [(7, 15, SpanType.ENTITY)]
    assert answer[7:15] == "Վրաստանի"
    assert missing == 2


def test_the_same_quote_twice_takes_the_next_occurrence() -> None:
    answer = "Berlin liegt an der Spree, Berlin hat 3,7 Millionen Einwohner."
    quote = JudgedSpan(text="Berlin", type=SpanType.ENTITY)
    spans, missing = locate_spans(answer, [quote, quote])
    assert [(s.start, s.end) for s in spans] == [(0, 6), (27, 33)]
    assert missing == 0
