"""Translate SynDARin MCQs into the target language and back (for the round-trip filter).

Two modes (`syndarin.translation_mode`): `per_field` sends one request per text (question and
four options, 5 requests each way); `batched` sends the five texts in one structured request
each way (a list of five strings, each protected on its own as in per-field mode).
"""

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from babelforge.generators.client import ChatReply, user_message
from babelforge.generators.prompts import load_prompt
from babelforge.generators.protect import protect, restore
from babelforge.generators.structured import Parsed, ask_structured
from babelforge.generators.translate import LLMTranslator, Translation, Translator
from babelforge.schemas.base import stable_id
from babelforge.schemas.errors import ConfigError
from babelforge.schemas.languages import language_name
from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.provenance import Usage
from babelforge.schemas.records import MCQItem, TranslatedMCQ
from babelforge.schemas.verdict import Failed

STAGE = "syndarin.translate"
BATCH_PROMPT = "mcq_translate"
TranslationMode = Literal["per_field", "batched"]


@dataclass(frozen=True)
class MCQWithTarget:
    """An English MCQ and the human-written target paragraph of its pair."""

    item: MCQItem
    target_paragraph: str


class MCQTranslationPayload(BaseModel):
    """What the model must return for one MCQ in batched mode: question, then four options."""

    translations: list[Annotated[str, Field(min_length=1)]] = Field(min_length=5, max_length=5)


async def translate_mcqs(
    translator: Translator,
    batch: Sequence[MCQWithTarget],
    source: str,
    target: str,
    *,
    mode: TranslationMode = "per_field",
) -> ShardOutcome[TranslatedMCQ]:
    """Translate question and options of each item, then back-translate them.

    Only a translation that produced nothing fails here; lost protected spans are recorded on
    the item for the `protected_spans` filter to judge. `batched` needs the LLM translator
    (an MT system has no joint request) and raises ConfigError otherwise.
    """
    many: Callable[[Sequence[str], str, str], Awaitable[list[Translation]]]
    version: str | None
    if mode == "batched":
        if not isinstance(translator, LLMTranslator):
            raise ConfigError(
                f"syndarin.translation_mode: batched needs the LLM translator, not "
                f"{translator.name}; set translation_mode: per_field"
            )
        many = partial(_translate_five, translator)  # an item's five texts: one request
        prompt_id, version = BATCH_PROMPT, load_prompt(BATCH_PROMPT).version
    else:
        many = partial(translator.translate, stage=STAGE)
        prompt_id, version = "translate", translator.prompt_version

    async def round_trip(item: MCQItem) -> tuple[list[Translation], list[Translation]]:
        """One item there and back: its back-translations start when its own forward
        translations return, not when the shard's last one does."""
        there = await many((item.question, *item.options), source, target)
        return there, await many([t.text or "" for t in there], target, source)

    trips = await asyncio.gather(*(round_trip(entry.item) for entry in batch))
    accepted: list[TranslatedMCQ] = []
    failed: list[Failed] = []
    for entry, (there, back) in zip(batch, trips, strict=True):
        broken = next((t for t in there if not t.ok), None)
        if broken is not None:
            failed.append(
                Failed(
                    stage=STAGE,
                    input_id=entry.item.id,
                    reason=broken.reason or "translate.failed",
                    error=broken.error or "translation failed",
                    raw_text=broken.raw_text,
                )
            )
            continue
        accepted.append(_record(entry, there, back, target, translator, prompt_id, version))
    return ShardOutcome[TranslatedMCQ](
        n_input=len(batch), accepted=tuple(accepted), failed=tuple(failed)
    )


async def _translate_five(
    translator: LLMTranslator, texts: Sequence[str], source: str, target: str
) -> list[Translation]:
    """One request for the five texts; every text fails with the request when it fails.

    Five empty texts (the back-translation of an item whose translation failed) cost nothing.
    """
    if not any(t.strip() for t in texts):
        return [Translation(source=t, text=t) for t in texts]
    masked = [protect(t, translator.protect_kinds) for t in texts]
    prompt = load_prompt(BATCH_PROMPT)
    content = prompt.render(
        source_name=language_name(source),
        target_name=language_name(target),
        texts_json=json.dumps([m.text for m in masked], ensure_ascii=False),
        has_markers=any(m.spans for m in masked),
    )
    outcome = await ask_structured(
        translator.client,
        user_message(content),
        MCQTranslationPayload,
        sampling=translator.sampling,
        parse_retries=translator.parse_retries,
        stage=STAGE,
        language=target,
    )
    if not isinstance(outcome, Parsed):
        return [
            Translation(
                source=t,
                text=None,
                reason=outcome.reason,
                error=outcome.error,
                raw_text=outcome.raw_text,
                reply=outcome.reply,
            )
            for t in texts
        ]
    out: list[Translation] = []
    for text, mask, translated in zip(texts, masked, outcome.payload.translations, strict=True):
        restored = restore(translated, mask)
        out.append(Translation(text, restored.text, restored=restored, reply=outcome.reply))
    return out


def _record(
    entry: MCQWithTarget,
    there: list[Translation],
    back: list[Translation],
    target: str,
    translator: Translator,
    prompt_id: str,
    prompt_version: str | None,
) -> TranslatedMCQ:
    item = entry.item
    texts = [t.text or "" for t in there]
    back_ok = all(b.ok for b in back)
    replies = _distinct(t.reply for t in (*there, *back))  # a batched reply serves five texts
    usage = sum((r.usage for r in replies), Usage())
    latest = max((r.generated_at for r in replies), default=None)
    return TranslatedMCQ(
        id=stable_id("tmcq", item.id, target, texts),
        mcq_id=item.id,
        pair_id=item.pair_id,
        language=target,
        question=texts[0],
        options=(texts[1], texts[2], texts[3], texts[4]),
        answer_index=item.answer_index,
        target_paragraph=entry.target_paragraph,
        source_question=item.question,
        source_options=item.options,
        back_translated_question=back[0].text if back_ok else None,
        lost_protected_spans=tuple(s for t in there if t.restored for s in t.restored.lost),
        back_translated_options=(
            (back[1].text or "", back[2].text or "", back[3].text or "", back[4].text or "")
            if back_ok
            else None
        ),
        provenance=item.provenance.model_copy(
            update={
                "model": replies[0].model if replies else translator.name,
                "backend": replies[0].backend if replies else None,
                "prompt_id": prompt_id,
                "prompt_version": prompt_version,
                "usage": usage,
                "generated_at": latest,
            }
        ),
    )


def _distinct(replies: Iterable[ChatReply | None]) -> list[ChatReply]:
    seen: dict[int, ChatReply] = {}
    for reply in replies:
        if reply is not None:
            seen.setdefault(id(reply), reply)
    return list(seen.values())
