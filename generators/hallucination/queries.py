"""Knowledge-intensive queries written from references, and the studied model's answers.

Islam et al. (2025): an LLM writes questions in the target language that need the references
of one article to answer; the model under study answers them without the references, and a
detector later compares its answer with them. Both steps keep the references and provenance.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field

from babelforge.generators.client import ChatClient, ChatReply, ChatRequest, user_message
from babelforge.generators.errors import LLMError, failure_reason
from babelforge.generators.hallucination.outcome import judge_samples
from babelforge.generators.hallucination.references import ReferenceSet
from babelforge.generators.prompts import load_prompt
from babelforge.generators.structured import Parsed, ask_structured
from babelforge.schemas.base import stable_id
from babelforge.schemas.languages import language_name
from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.provenance import Provenance, SamplingParams
from babelforge.schemas.records import HallucinationSample
from babelforge.schemas.verdict import Failed
from babelforge.validators.base import Check

QUERIES_STAGE = "hallucination.queries"
ANSWERS_STAGE = "hallucination.answers"


class QueriesPayload(BaseModel):
    """What the query writer must reply."""

    queries: list[str] = Field(min_length=1)


@dataclass(frozen=True)
class QuerySettings:
    """How many queries per article and how to ask for them."""

    per_article: int
    sampling: SamplingParams
    parse_retries: int = 2


async def write_queries(
    client: ChatClient,
    refsets: Sequence[ReferenceSet],
    settings: QuerySettings,
    validators: Sequence[Check],
) -> ShardOutcome[HallucinationSample]:
    """Ask for queries on every reference set; the first `per_article` of each are judged.

    A reference set whose reply does not parse is one failure; each query written is one
    input of the outcome, so accepted + rejected + failed still balances.
    """
    prompt = load_prompt("hallucination_queries")
    replies = await asyncio.gather(
        *(
            ask_structured(
                client,
                user_message(
                    prompt.render(
                        language_name=language_name(r.language),
                        title=r.title,
                        count=settings.per_article,
                        references=r.references,
                    )
                ),
                QueriesPayload,
                sampling=settings.sampling,
                parse_retries=settings.parse_retries,
                stage=QUERIES_STAGE,
                language=r.language,
            )
            for r in refsets
        )
    )
    samples: list[HallucinationSample] = []
    failed: list[Failed] = []
    for refset, outcome in zip(refsets, replies, strict=True):
        if not isinstance(outcome, Parsed):
            failed.append(outcome.failed(QUERIES_STAGE, refset.id))
            continue
        for query in outcome.payload.queries[: settings.per_article]:
            samples.append(
                _query_sample(refset, query.strip(), outcome.reply, prompt.version, settings)
            )
    return await judge_samples(samples, validators, failed, stage=QUERIES_STAGE)


def _query_sample(
    refset: ReferenceSet,
    query: str,
    reply: ChatReply,
    prompt_version: str,
    settings: QuerySettings,
) -> HallucinationSample:
    return HallucinationSample(
        id=stable_id("hq", refset.id, query),
        language=refset.language,
        text="",
        method="query",
        query=query,
        references=refset.references,
        source_id=refset.article_id,
        provenance=_provenance(
            (refset.article_id,),
            refset,
            reply,
            "hallucination_queries",
            prompt_version,
            settings.sampling,
        ),
    )


def _provenance(
    source_ids: tuple[str, ...],
    refset: ReferenceSet | None,
    reply: ChatReply,
    prompt_id: str,
    prompt_version: str,
    sampling: SamplingParams | None = None,
) -> Provenance:
    return Provenance(
        source_ids=source_ids,
        source_urls=(refset.url,) if refset is not None and refset.url else (),
        source_language=refset.language if refset is not None else None,
        model=reply.model,
        backend=reply.backend,
        prompt_id=prompt_id,
        prompt_version=prompt_version,
        sampling=sampling,
        seed=sampling.seed if sampling is not None else None,
        usage=reply.usage,
        generated_at=reply.generated_at,
    )


async def answer_queries(
    client: ChatClient,
    queries: Sequence[HallucinationSample],
    sampling: SamplingParams,
    validators: Sequence[Check],
) -> ShardOutcome[HallucinationSample]:
    """Ask the model under study each query (without the references); judge its answers.

    The answer record keeps the query, the references and the query's verdicts; its
    provenance names the answering model, and its sources are the article and the query.
    """
    prompt = load_prompt("hallucination_answer")

    async def ask(query: HallucinationSample) -> ChatReply | Failed:
        content = prompt.render(language_name=language_name(query.language), query=query.query)
        request = ChatRequest(
            messages=user_message(content),
            sampling=sampling,
            stage=ANSWERS_STAGE,
            language=query.language,
        )
        try:
            return await client.complete(request)
        except LLMError as e:
            return Failed(
                stage=ANSWERS_STAGE, input_id=query.id, reason=failure_reason(e), error=str(e)
            )

    replies = await asyncio.gather(*(ask(q) for q in queries))
    samples: list[HallucinationSample] = []
    failed: list[Failed] = []
    for query, reply in zip(queries, replies, strict=True):
        if isinstance(reply, Failed):
            failed.append(reply)
            continue
        source_ids = (*query.provenance.source_ids, query.id)
        provenance = _provenance(
            source_ids, None, reply, "hallucination_answer", prompt.version, sampling
        ).model_copy(
            update={
                "source_urls": query.provenance.source_urls,
                "source_language": query.language,
            }
        )
        samples.append(
            query.model_copy(
                update={
                    "id": stable_id("ha", query.id, reply.model, reply.text),
                    "text": reply.text.strip(),
                    "source_id": query.id,
                    "provenance": provenance,
                }
            )
        )
    return await judge_samples(samples, validators, failed, stage=ANSWERS_STAGE)
