"""Translate SynDARin MCQs into the target language and back (for the round-trip filter)."""

from collections.abc import Sequence
from dataclasses import dataclass

from babelforge.generators.translate import Translation, Translator
from babelforge.schemas.base import stable_id
from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.provenance import Usage
from babelforge.schemas.records import MCQItem, TranslatedMCQ
from babelforge.schemas.verdict import Failed

STAGE = "syndarin.translate"


@dataclass(frozen=True)
class MCQWithTarget:
    """An English MCQ and the human-written target paragraph of its pair."""

    item: MCQItem
    target_paragraph: str


async def translate_mcqs(
    translator: Translator, batch: Sequence[MCQWithTarget], source: str, target: str
) -> ShardOutcome[TranslatedMCQ]:
    """Translate question and options of each item, then back-translate them.

    Only a translation that produced nothing fails here; lost protected spans are recorded on
    the item for the `protected_spans` filter to judge.
    """
    texts = [t for entry in batch for t in (entry.item.question, *entry.item.options)]
    forward = await translator.translate(texts, source, target, stage=STAGE)
    ok_texts = [t.text or "" for t in forward]
    backward = await translator.translate(ok_texts, target, source, stage=STAGE)
    accepted: list[TranslatedMCQ] = []
    failed: list[Failed] = []
    for n, entry in enumerate(batch):
        there, back = forward[5 * n : 5 * n + 5], backward[5 * n : 5 * n + 5]
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
        accepted.append(_record(entry, there, back, target, translator))
    return ShardOutcome[TranslatedMCQ](
        n_input=len(batch), accepted=tuple(accepted), failed=tuple(failed)
    )


def _record(
    entry: MCQWithTarget,
    there: list[Translation],
    back: list[Translation],
    target: str,
    translator: Translator,
) -> TranslatedMCQ:
    item = entry.item
    texts = [t.text or "" for t in there]
    back_ok = all(b.ok for b in back)
    replies = [t.reply for t in (*there, *back) if t.reply is not None]
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
                "prompt_id": "translate",
                "prompt_version": translator.prompt_version,
                "usage": usage,
                "generated_at": latest,
            }
        ),
    )
