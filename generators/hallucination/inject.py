"""Labeled detection data by injection: an LLM puts FAVA-typed errors into a correct passage.

Each task names one hallucination type (the types rotate over the passages, so every type
gets its share); the LLM rewrites the passage with that error tagged inline, the tags are
parsed into spans, and the candidate is judged against the original passage.
"""

import asyncio
from collections.abc import Iterable, Iterator, Sequence

from pydantic import BaseModel, Field

from babelforge.generators.client import ChatClient, ChatMessage, user_message
from babelforge.generators.hallucination.outcome import judge_candidates
from babelforge.generators.hallucination.references import ReferenceSet
from babelforge.generators.hallucination.tags import parse_tags
from babelforge.generators.prompts import Prompt, load_prompt
from babelforge.generators.structured import Parsed, ask_structured
from babelforge.schemas.base import Record, stable_id
from babelforge.schemas.languages import LanguageCode, language_name
from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.provenance import Provenance, SamplingParams
from babelforge.schemas.records import HallucinationSample, SpanType
from babelforge.schemas.verdict import Failed
from babelforge.validators.base import Check
from babelforge.validators.halluc_candidate import HallucinationCandidate

INJECT_STAGE = "hallucination.inject"


class InjectionTask(Record):
    """A correct passage and the hallucination type to put into it."""

    id: str
    language: LanguageCode
    passage: str
    type: SpanType
    source_ids: tuple[str, ...] = ()
    source_url: str | None = None


class InjectedPayload(BaseModel):
    """What the injecting LLM must reply: the passage with inline FAVA tags."""

    text: str = Field(min_length=1)


def injection_tasks(
    refsets: Iterable[ReferenceSet], types: Sequence[SpanType], per_article: int = 1
) -> Iterator[InjectionTask]:
    """Yield a task for the first `per_article` references of each set, types in rotation."""
    n = 0
    for refset in refsets:
        for passage in refset.references[:per_article]:
            kind = types[n % len(types)]
            n += 1
            yield InjectionTask(
                id=stable_id("hinj", refset.id, passage, kind.value),
                language=refset.language,
                passage=passage,
                type=kind,
                source_ids=(refset.article_id,),
                source_url=refset.url,
            )


async def inject(
    client: ChatClient,
    tasks: Sequence[InjectionTask],
    *,
    sampling: SamplingParams,
    validators: Sequence[Check],
    parse_retries: int = 2,
) -> ShardOutcome[HallucinationSample]:
    """Inject one type of hallucination into each passage; judge the tagged results."""
    prompt = load_prompt("hallucination_inject")
    replies = await asyncio.gather(
        *(
            ask_structured(
                client,
                _messages(prompt, task),
                InjectedPayload,
                sampling=sampling,
                parse_retries=parse_retries,
                stage=INJECT_STAGE,
                language=task.language,
            )
            for task in tasks
        )
    )
    candidates: list[HallucinationCandidate] = []
    failed: list[Failed] = []
    for task, outcome in zip(tasks, replies, strict=True):
        if not isinstance(outcome, Parsed):
            failed.append(outcome.failed(INJECT_STAGE, task.id))
            continue
        tagged = outcome.payload.text
        parsed = parse_tags(tagged)
        provenance = Provenance(
            source_ids=task.source_ids,
            source_urls=(task.source_url,) if task.source_url else (),
            source_language=task.language,
            model=outcome.reply.model,
            backend=outcome.reply.backend,
            prompt_id=prompt.id,
            prompt_version=prompt.version,
            sampling=sampling,
            seed=sampling.seed,
            usage=outcome.reply.usage,
            generated_at=outcome.reply.generated_at,
        )
        sample = HallucinationSample(
            id=stable_id("hs", task.id, tagged),
            language=task.language,
            text=parsed.text,
            spans=parsed.spans,
            method="injection",
            references=(task.passage,),
            source_id=task.id,
            provenance=provenance,
        )
        candidates.append(
            HallucinationCandidate(
                id=sample.id,
                sample=sample,
                tagged=tagged,
                events=parsed.events,
                issues=tuple((i.reason, i.raw) for i in parsed.issues),
                original=task.passage,
            )
        )
    return await judge_candidates(candidates, validators, failed, stage=INJECT_STAGE)


def _messages(prompt: Prompt, task: InjectionTask) -> tuple[ChatMessage, ...]:
    return user_message(
        prompt.render(
            language_name=language_name(task.language),
            type=task.type.value,
            passage=task.passage,
        )
    )
