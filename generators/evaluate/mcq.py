"""Ask a model the exported multiple-choice items, in the target language and in English.

The answer is constrained to one of A-D by the JSON schema of `LetterChoice` (an enum), sent
through the endpoint's structured-output mechanism and parsed afterwards. Where the endpoint
returns log-probabilities, the four letters' values at the answer position give a second
score (the most likely letter), independent of what the sampler picked.
"""

import asyncio
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from babelforge.generators.client import ChatClient, ChatReply, TokenLogprob, user_message
from babelforge.generators.prompts import load_prompt
from babelforge.generators.structured import Parsed, ask_structured
from babelforge.schemas.evaluation import LETTERS, BenchMCQ, Letter, MCQAnswer, Variant
from babelforge.schemas.provenance import SamplingParams

STAGE = "evaluate.mcq"
PROMPT_ID = "evaluate_mcq"
_ANSWER_VALUE = re.compile(r'"answer"\s*:\s*"')


class LetterChoice(BaseModel):
    """What the model must reply: one letter, A-D (a JSON schema enum)."""

    answer: Letter


@dataclass(frozen=True)
class MCQSettings:
    """How to ask: sampling, parse retries, and how many top log-probabilities to request
    (None: do not ask for them)."""

    sampling: SamplingParams
    parse_retries: int = 1
    top_logprobs: int | None = 10


def askable(item: BenchMCQ, variant: Variant) -> bool:
    """Whether the item can be asked in this variant: English needs the English paragraph."""
    return variant == "target" or item.source_paragraph is not None


async def answer_items(
    client: ChatClient,
    model: str,
    items: Sequence[BenchMCQ],
    variant: Variant,
    settings: MCQSettings,
) -> list[MCQAnswer]:
    """One answer per askable item, in the order given; a reply with no letter is a counted
    failure (wrong, raw text kept), never an exception."""
    asked = [item for item in items if askable(item, variant)]
    replies = (_answer(client, model, item, variant, settings) for item in asked)
    return list(await asyncio.gather(*replies))


async def _answer(
    client: ChatClient, model: str, item: BenchMCQ, variant: Variant, settings: MCQSettings
) -> MCQAnswer:
    outcome = await ask_structured(
        client,
        user_message(render_question(item, variant)),
        LetterChoice,
        sampling=settings.sampling,
        parse_retries=settings.parse_retries,
        stage=STAGE,
        language=item.language if variant == "target" else "en",
        top_logprobs=settings.top_logprobs,
    )
    unanswered = MCQAnswer(
        item_id=item.id,
        model=model,
        config=item.config,
        split=item.split,
        language=item.language,
        variant=variant,
        question_type=item.question_type or "unknown",
        answer_index=item.answer_index,
        predicted=None,
        correct=False,
    )
    if not isinstance(outcome, Parsed):
        return unanswered.model_copy(
            update={
                "failure": outcome.reason,
                "raw_text": outcome.raw_text,
                "cached": bool(outcome.reply and outcome.reply.cached),
            }
        )
    letters = letter_logprobs(outcome.reply)
    return unanswered.model_copy(
        update={
            "predicted": outcome.payload.answer,
            "correct": outcome.payload.answer == LETTERS[item.answer_index],
            "logprob_predicted": max(letters, key=letters.__getitem__) if letters else None,
            "letter_logprobs": letters,
            "cached": outcome.reply.cached,
        }
    )


def render_question(item: BenchMCQ, variant: Variant) -> str:
    """The prompt of one item: paragraph, question and lettered options in one language."""
    if variant == "target":
        paragraph, question, options = item.paragraph, item.question, item.options
    else:
        assert item.source_paragraph is not None, "askable() checks the English paragraph"
        paragraph, question, options = (
            item.source_paragraph,
            item.source_question,
            item.source_options,
        )
    return load_prompt(PROMPT_ID).render(
        paragraph=paragraph, question=question, options=list(zip(LETTERS, options, strict=True))
    )


def letter_logprobs(reply: ChatReply) -> dict[str, float]:
    """Log-probabilities of the letters A-D at the answer position of a JSON reply, from the
    token there and its top alternatives; {} when the reply carries no log-probabilities or
    the answer token is not found."""
    if not reply.logprobs:
        return {}
    match = _ANSWER_VALUE.search(reply.text)
    if match is None:
        return {}
    token = _token_at(reply.logprobs, match.end())
    if token is None:
        return {}
    out: dict[str, float] = {}
    for text, logprob in [(token.token, token.logprob), *token.top.items()]:
        letter = text.strip().strip('"').strip().upper()
        if letter in LETTERS and logprob > out.get(letter, -math.inf):
            out[letter] = logprob
    return out


def _token_at(tokens: Sequence[TokenLogprob], offset: int) -> TokenLogprob | None:
    """The token whose text covers character `offset` of the concatenated reply."""
    position = 0
    for token in tokens:
        end = position + len(token.token)
        if position <= offset < end:
            return token
        position = end
    return None
