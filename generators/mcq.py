"""SynDARin MCQ generation: one question per slot, a type per slot, the answer checked."""

import asyncio
from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, Field
from rapidfuzz import fuzz

from babelforge.generators.client import ChatClient, user_message
from babelforge.generators.prompts import Prompt, load_prompt
from babelforge.generators.structured import Parsed, ask_structured
from babelforge.schemas.base import stable_id
from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.provenance import Provenance, SamplingParams
from babelforge.schemas.records import MCQItem, ParallelPair, QuestionType
from babelforge.schemas.verdict import Failed, Rejected, Verdict

QUESTION_TYPES: tuple[QuestionType, ...] = (
    "factual",
    "numerical",
    "causal",
    "temporal",
    "comparison",
)
_TYPE_HINTS: dict[str, str] = {
    "factual": "who, what or where, answered by a name or phrase",
    "numerical": "how many or how much, answered by a number",
    "causal": "why or what caused something",
    "temporal": "when, answered by a date or year",
    "comparison": "which of two things is larger, earlier or different",
}
STAGE = "syndarin.generate"


class MCQPayload(BaseModel):
    """What the model must return for one question."""

    question: str = Field(min_length=5, max_length=200)
    options: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        min_length=4, max_length=4
    )
    answer_index: Literal[0, 1, 2, 3]


def answer_score(answer: str, paragraph: str) -> float:
    """Fuzzy containment of the answer in the paragraph (rapidfuzz partial ratio, 0-100)."""
    return float(fuzz.partial_ratio(answer.casefold().strip(), paragraph.casefold()))


async def generate_mcqs(
    client: ChatClient,
    pairs: Sequence[ParallelPair],
    *,
    per_paragraph: int,
    sampling: SamplingParams,
    parse_retries: int,
    answer_threshold: float,
    language: str,
    prompt_id: str = "mcq",
) -> ShardOutcome[MCQItem]:
    """Ask `per_paragraph` questions of each English paragraph; every slot is accounted for."""
    prompt = load_prompt(prompt_id)
    slots = [(pair, i) for pair in pairs for i in range(per_paragraph)]
    results = await asyncio.gather(
        *(
            _one(client, prompt, pair, i, sampling, parse_retries, answer_threshold, language)
            for pair, i in slots
        )
    )
    return ShardOutcome[MCQItem](
        n_input=len(slots),
        accepted=tuple(r for r in results if isinstance(r, MCQItem)),
        rejected=tuple(r for r in results if isinstance(r, Rejected)),
        failed=tuple(r for r in results if isinstance(r, Failed)),
    )


async def _one(
    client: ChatClient,
    prompt: Prompt,
    pair: ParallelPair,
    slot: int,
    sampling: SamplingParams,
    parse_retries: int,
    threshold: float,
    language: str,
) -> MCQItem | Rejected[MCQItem] | Failed:
    qtype = QUESTION_TYPES[slot % len(QUESTION_TYPES)]
    paragraph = pair.source.text
    content = prompt.render(paragraph=paragraph, question_type=qtype, type_hint=_TYPE_HINTS[qtype])
    slot_sampling = sampling.model_copy(
        update={"seed": None if sampling.seed is None else sampling.seed + 1000 * slot}
    )
    outcome = await ask_structured(
        client,
        user_message(content),
        MCQPayload,
        sampling=slot_sampling,
        parse_retries=parse_retries,
        stage=STAGE,
        language=language,
    )
    slot_id = stable_id("mcq", pair.id, slot)
    if not isinstance(outcome, Parsed):
        return outcome.failed(STAGE, slot_id)
    payload, reply = outcome.payload, outcome.reply
    item = MCQItem(
        id=stable_id("mcq", pair.id, slot, payload.question, payload.options),
        pair_id=pair.id,
        language=pair.source.language,
        paragraph=paragraph,
        question=payload.question.strip(),
        options=(payload.options[0], payload.options[1], payload.options[2], payload.options[3]),
        answer_index=payload.answer_index,
        question_type=qtype,
        provenance=Provenance(
            source_ids=(pair.source.id,),
            source_urls=(pair.source.url,) if pair.source.url else (),
            source_language=pair.source.language,
            model=reply.model,
            backend=reply.backend,
            prompt_id=prompt.id,
            prompt_version=prompt.version,
            sampling=slot_sampling,
            seed=slot_sampling.seed,
            usage=reply.usage,
            generated_at=reply.generated_at,
        ),
    )
    score = answer_score(item.answer, paragraph)
    if score < threshold:
        verdict = Verdict(
            validator="source_answer",
            keep=False,
            reason="source_answer.not_in_paragraph",
            score=score,
            detail=f"answer {item.answer!r} matches the English paragraph at {score:.0f}",
        )
        return Rejected[MCQItem](stage=STAGE, record=item, verdicts=(verdict,))
    return item
