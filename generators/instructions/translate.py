"""Translate instruction records field by field, and put translations back into English.

Any `Translator` works (the LLM translator, an MT system); the spans it must keep verbatim
are recorded on the candidate from the English text itself, so the validators judge every
translator the same way. A field that cannot be translated fails the whole record with
the translator's reason and raw reply.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

from babelforge.generators.client import ChatClient
from babelforge.generators.protect import protect
from babelforge.generators.translate import LLMTranslator, Translation, Translator
from babelforge.schemas.base import stable_id
from babelforge.schemas.config import RunConfig
from babelforge.schemas.instructions_config import InstructionsConfig
from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.provenance import Provenance, SamplingParams, Usage
from babelforge.schemas.records import InstructionRecord
from babelforge.schemas.verdict import Failed
from babelforge.validators.instr_candidate import FIELDS, InstructionCandidate, ProtectedSpan


def translation_sampling(config: RunConfig, settings: InstructionsConfig) -> SamplingParams:
    """The run's sampling parameters with the recipe's temperature and token limit."""
    base = config.llm.sampling
    return base.model_copy(
        update={
            "temperature": settings.translation_temperature,
            "max_tokens": settings.max_tokens or base.max_tokens,
        }
    )


def llm_translator(
    client: ChatClient, config: RunConfig, settings: InstructionsConfig
) -> LLMTranslator:
    """The LLM translator a run config asks for, with the recipe's prompt and span kinds."""
    return LLMTranslator(
        client,
        sampling=translation_sampling(config, settings),
        parse_retries=config.llm.parse_retries,
        protect_kinds=settings.protect,
        prompt_id=settings.translation_prompt,
    )


def protected_spans(record: InstructionRecord, kinds: tuple[str, ...]) -> tuple[ProtectedSpan, ...]:
    """The spans of every field that must reach the translation unchanged, in order."""
    return tuple(
        ProtectedSpan(field=field, kind=kind, text=text)
        for field in FIELDS
        for text, kind in _spans(getattr(record, field), kinds)
    )


def _spans(text: str, kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    masked = protect(text, kinds)
    return list(zip(masked.spans, masked.kinds, strict=True))


async def translate_shard(
    translator: Translator,
    records: Sequence[InstructionRecord],
    target: str,
    *,
    stage: str,
    protect_kinds: tuple[str, ...],
) -> ShardOutcome[InstructionCandidate]:
    """Translate every field of every record into `target`; one candidate or failure each."""
    results = await _translate_fields(translator, records, None, target, stage)
    accepted: list[InstructionCandidate] = []
    failed: list[Failed] = []
    for record, fields in zip(records, results, strict=True):
        failure = _failure(stage, record.id, fields)
        if failure is not None:
            failed.append(failure)
            continue
        translation = _record(translator, record, fields, target, "instr")
        accepted.append(
            InstructionCandidate(
                id=translation.id,
                source=record,
                translation=translation,
                protected=protected_spans(record, protect_kinds),
            )
        )
    return ShardOutcome[InstructionCandidate](
        n_input=len(records), accepted=tuple(accepted), failed=tuple(failed)
    )


async def back_translate_shard(
    translator: Translator, candidates: Sequence[InstructionCandidate], *, stage: str
) -> ShardOutcome[InstructionCandidate]:
    """Translate each candidate's translation back into its source language."""
    accepted: list[InstructionCandidate] = []
    failed: list[Failed] = []
    by_language: dict[str, list[InstructionCandidate]] = {}
    for candidate in candidates:
        by_language.setdefault(candidate.language, []).append(candidate)
    for language, group in by_language.items():
        translations = [c.translation for c in group]
        results = await _translate_fields(translator, translations, language, None, stage)
        for candidate, fields in zip(group, results, strict=True):
            failure = _failure(stage, candidate.id, fields)
            if failure is not None:
                failed.append(failure)
                continue
            back = _record(
                translator, candidate.translation, fields, candidate.source.language, "instr-bt"
            )
            accepted.append(candidate.model_copy(update={"back_translation": back}))
    return ShardOutcome[InstructionCandidate](
        n_input=len(candidates), accepted=tuple(accepted), failed=tuple(failed)
    )


async def _translate_fields(
    translator: Translator,
    records: Sequence[InstructionRecord],
    source: str | None,
    target: str | None,
    stage: str,
) -> list[list[Translation]]:
    """Translate all fields of all records in one batch; grouped back per record.

    `source` defaults to each record's own language, `target` to the language the record
    was translated from (so `target=None` back-translates).
    """
    out: list[list[Translation]] = []
    by_pair: dict[tuple[str, str], list[int]] = {}
    for i, record in enumerate(records):
        src = source or record.language
        tgt = target or record.source_language or "en"
        by_pair.setdefault((src, tgt), []).append(i)
        out.append([])
    for (src, tgt), indices in by_pair.items():
        texts = [getattr(records[i], f) for i in indices for f in FIELDS]
        translated = await translator.translate(texts, src, tgt, stage=stage)
        for n, i in enumerate(indices):
            out[i] = translated[n * len(FIELDS) : (n + 1) * len(FIELDS)]
    return out


def _failure(stage: str, input_id: str, fields: list[Translation]) -> Failed | None:
    for name, t in zip(FIELDS, fields, strict=True):
        if not t.ok:
            return Failed(
                stage=stage,
                input_id=input_id,
                reason=t.reason or f"{stage}.failed",
                error=f"field `{name}`: {t.error or 'no translation'}",
                raw_text=t.raw_text,
            )
    return None


def _record(
    translator: Translator,
    source: InstructionRecord,
    fields: list[Translation],
    target: str,
    prefix: str,
) -> InstructionRecord:
    instruction, input_text, output = (t.text or "" for t in fields)
    return InstructionRecord(
        id=stable_id(prefix, source.id, target, translator.name, translator.prompt_version),
        language=target,
        instruction=instruction,
        input=input_text,
        output=output,
        source_id=source.id,
        source_language=source.language,
        provenance=_provenance(translator, source, fields),
    )


def _provenance(
    translator: Translator, source: InstructionRecord, fields: list[Translation]
) -> Provenance:
    replies = [t.reply for t in fields if t.reply is not None]
    llm = translator if isinstance(translator, LLMTranslator) else None
    sampling = llm.sampling if llm else None
    return Provenance(
        source_ids=(source.id,),
        source_urls=source.provenance.source_urls,
        source_language=source.language,
        model=replies[0].model if replies else translator.name,
        backend=replies[0].backend if replies else None,
        prompt_id=llm.prompt.id if llm else None,
        prompt_version=translator.prompt_version,
        sampling=sampling,
        seed=sampling.seed if sampling else None,
        usage=sum((r.usage for r in replies), Usage()),
        generated_at=max((r.generated_at for r in replies), default=datetime.now(UTC)),
    )
