"""A model answers the exported knowledge-intensive queries; an LLM judge marks the unsupported
spans of each answer against the query's references, in the FAVA types.

As in Islam et al. (2025) the model answers without the references (hallucination "in the
wild"); the judge sees them. The judge quotes spans, and the quotes are located in the answer
to become character offsets; a quote not found is counted, never silently kept or lost. The
figures are only as good as the judge.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from babelforge.generators.client import ChatClient, ChatRequest, user_message
from babelforge.generators.errors import LLMError
from babelforge.generators.evaluate.stats import token_counts
from babelforge.generators.prompts import load_prompt
from babelforge.generators.structured import Parsed, ask_structured
from babelforge.schemas.evaluation import BenchQuery, HallucinationAnswer
from babelforge.schemas.languages import language_name
from babelforge.schemas.provenance import SamplingParams
from babelforge.schemas.records import Span, SpanType

ANSWER_STAGE = "evaluate.answer"
JUDGE_STAGE = "evaluate.judge"
ANSWER_PROMPT = "hallucination_answer"
JUDGE_PROMPT = "evaluate_judge"


class JudgedSpan(BaseModel):
    """One unsupported part of the answer, quoted exactly, with its FAVA type."""

    text: str
    type: SpanType


class Judgement(BaseModel):
    """What the judge must reply."""

    spans: list[JudgedSpan]


@dataclass(frozen=True)
class HallucinationSettings:
    """Sampling of the studied model's answers and of the judge, and the judge's retries."""

    answer_sampling: SamplingParams
    judge_sampling: SamplingParams
    parse_retries: int = 1


async def answer_and_judge(
    client: ChatClient,
    judge: ChatClient,
    model: str,
    queries: Sequence[BenchQuery],
    settings: HallucinationSettings,
) -> list[HallucinationAnswer]:
    """One judged answer per query, in order; a failed answer or judgement is a counted
    failure with its reason code (`evaluate.answer_failed`, `evaluate.empty_answer`,
    `llm.unparseable`, `llm.request_failed`)."""
    return list(await asyncio.gather(*(_one(client, judge, model, q, settings) for q in queries)))


async def _one(
    client: ChatClient,
    judge: ChatClient,
    model: str,
    query: BenchQuery,
    settings: HallucinationSettings,
) -> HallucinationAnswer:
    blank = HallucinationAnswer(
        item_id=query.id,
        model=model,
        config=query.config,
        split=query.split,
        language=query.language,
        query=query.query,
        answer="",
    )
    prompt = load_prompt(ANSWER_PROMPT).render(
        language_name=language_name(query.language), query=query.query
    )
    request = ChatRequest(
        messages=user_message(prompt),
        sampling=settings.answer_sampling,
        stage=ANSWER_STAGE,
        language=query.language,
    )
    try:
        reply = await client.complete(request)
    except LLMError as e:
        return blank.model_copy(update={"failure": "evaluate.answer_failed", "raw_text": str(e)})
    answer = reply.text.strip()
    if not answer:
        return blank.model_copy(update={"failure": "evaluate.empty_answer"})
    judged = await ask_structured(
        judge,
        user_message(
            load_prompt(JUDGE_PROMPT).render(
                language_name=language_name(query.language),
                references=query.references,
                query=query.query,
                answer=answer,
            )
        ),
        Judgement,
        sampling=settings.judge_sampling,
        parse_retries=settings.parse_retries,
        stage=JUDGE_STAGE,
        language=query.language,
    )
    if not isinstance(judged, Parsed):
        return blank.model_copy(
            update={"answer": answer, "failure": judged.reason, "raw_text": judged.raw_text}
        )
    spans, unmatched = locate_spans(answer, judged.payload.spans)
    tokens, hallucinated = token_counts(answer, [(s.start, s.end) for s in spans])
    return blank.model_copy(
        update={
            "answer": answer,
            "spans": spans,
            "unmatched_spans": unmatched,
            "tokens": tokens,
            "hallucinated_tokens": hallucinated,
        }
    )


def locate_spans(answer: str, quoted: Sequence[JudgedSpan]) -> tuple[tuple[Span, ...], int]:
    """Character-offset spans of the judge's quotes in the answer, sorted, overlaps left out;
    returns (spans, quotes not found or overlapping). A quote is looked up exactly, then
    case-insensitively, at the first place not already taken."""
    taken: list[Span] = []
    missing = 0
    for judged in quoted:
        quote = judged.text.strip()
        span = _find(answer, quote, taken, judged.type) if quote else None
        if span is None:
            missing += 1
        else:
            taken.append(span)
    return tuple(sorted(taken, key=lambda s: (s.start, s.end))), missing


def _find(answer: str, quote: str, taken: Sequence[Span], kind: SpanType) -> Span | None:
    for haystack, needle in ((answer, quote), (answer.casefold(), quote.casefold())):
        if len(haystack) != len(answer):
            continue  # casefold changed lengths: offsets would not map back
        start = haystack.find(needle)
        while start >= 0:
            end = start + len(needle)
            if not any(s.start < end and start < s.end for s in taken):
                return Span(start=start, end=end, type=kind)
            start = haystack.find(needle, start + 1)
    return None
