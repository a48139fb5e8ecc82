"""MITS / TaCo: translate an instruction set into every language (each record's
back-translation chained to its own forward translation), validate, and write MITS and TaCo
records; then the round-trip figures per language."""

import asyncio
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from babelforge.generators.client import ChatClient
from babelforge.generators.instructions.metrics import language_metrics
from babelforge.generators.instructions.readers import read_instructions
from babelforge.generators.instructions.taco import mits_record, taco_record
from babelforge.generators.instructions.translate import (
    back_translate_shard,
    llm_translator,
    translate_shard,
)
from babelforge.generators.prompts import load_prompt
from babelforge.generators.translate import LLMTranslator
from babelforge.recipes.judges import stage_judges
from babelforge.recipes.stage import (
    Dedup,
    ExportSubset,
    Recipe,
    ShardReader,
    Stage,
    StageContext,
    merged,
)
from babelforge.schemas.config import RunConfig
from babelforge.schemas.errors import ConfigError
from babelforge.schemas.instructions_config import InstructionsConfig, InstructionValidatorSettings
from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.records import InstructionRecord, TacoRecord
from babelforge.validators.base import Check
from babelforge.validators.instr_candidate import InstructionCandidate
from babelforge.validators.instr_corpus import sample_ids
from babelforge.validators.suites import instructions_suite

TRANSLATE = "instructions.translate"
VALIDATE = "instructions.validate"
DEDUP = "instructions.dedup"
MITS = "instructions.mits"
TACO = "instructions.taco"


def settings(config: RunConfig) -> InstructionsConfig:
    """The recipe's section (the executor runs this recipe only when it is set)."""
    assert config.instructions is not None, "needs an `instructions:` section"
    return config.instructions


def preflight(config: RunConfig) -> None:
    """Fail before any token is spent: an unknown prompt or a malformed input record."""
    prompt = settings(config).translation_prompt
    try:
        load_prompt(prompt)
    except FileNotFoundError as e:
        raise ConfigError(
            f"instructions.translation_prompt: no template generators/prompts/{prompt}.j2; "
            "name an existing one (e.g. instructions_translate)"
        ) from e
    for _ in english(config, config.source_language):
        pass


def english(config: RunConfig, language: str) -> Iterator[InstructionRecord]:
    """The English instruction records (the same source for every target language)."""
    recipe = settings(config)
    return read_instructions(
        recipe.input_paths,
        shape=recipe.shape,
        language=config.source_language,
        max_records=recipe.max_records,
    )


def back_translated(config: RunConfig, position: int) -> bool:
    """Whether the record at `position` of the input is back-translated: all when the
    round-trip filter is on, else the first `roundtrip_sample_size` (for the figures)."""
    recipe = settings(config)
    size = recipe.roundtrip_sample_size
    return "roundtrip_chrf" in recipe.validators.enabled or size is None or position < size


async def translate(
    context: StageContext, records: list[InstructionRecord]
) -> ShardOutcome[InstructionCandidate]:
    """Translate each record, and back-translate it as soon as its own translation returns."""
    translator = llm_translator(context.llm(), context.config, settings(context.config))
    chains = [
        _chain(context, translator, record, back_translated(context.config, context.offset + n))
        for n, record in enumerate(records)
    ]
    return merged(InstructionCandidate, await asyncio.gather(*chains))


async def _chain(
    context: StageContext, translator: LLMTranslator, record: InstructionRecord, back: bool
) -> ShardOutcome[InstructionCandidate]:
    protect = settings(context.config).protect
    forward = await translate_shard(
        translator, [record], context.language, stage=TRANSLATE, protect_kinds=protect
    )
    if not back or not forward.accepted:
        return forward
    return await back_translate_shard(translator, forward.accepted, stage=TRANSLATE)


def suite(config: RunConfig, client: ChatClient | None) -> Sequence[Check]:
    """The checks of `instructions.validators`, the LLM judges on the stage's client."""
    section = settings(config)
    judges = stage_judges(
        config,
        client,
        recipe="instructions",
        stage=VALIDATE,
        settings=section.validators.judges,
    )
    return instructions_suite(section.validators, judges)


async def mits(
    context: StageContext, kept: list[InstructionCandidate]
) -> ShardOutcome[InstructionRecord]:
    """One MITS record per kept translation."""
    return ShardOutcome[InstructionRecord](
        n_input=len(kept), accepted=tuple(mits_record(c) for c in kept)
    )


async def taco(context: StageContext, kept: list[InstructionCandidate]) -> ShardOutcome[TacoRecord]:
    """One TaCo chain-of-thought record per kept translation."""
    return ShardOutcome[TacoRecord](n_input=len(kept), accepted=tuple(taco_record(c) for c in kept))


def metrics(config: RunConfig, store: ShardReader) -> dict[str, object]:
    """Yield, reasons and round-trip figures per language (metrics/instructions.json)."""
    recipe = settings(config)
    return {
        "source_language": config.source_language,
        "roundtrip_sample_size": recipe.roundtrip_sample_size,
        "validators": list(recipe.validators.enabled),
        "languages": {language: _figures(config, store, language) for language in config.languages},
    }


def _figures(config: RunConfig, store: ShardReader, language: str) -> dict[str, object]:
    def back() -> Iterator[InstructionCandidate]:
        for candidate in store.accepted(TRANSLATE, language, InstructionCandidate):
            if candidate.back_translation is not None:
                yield candidate

    sample = sample_ids((c.id for c in back()), settings(config).roundtrip_sample_size)
    kept = {
        c.id for c in store.accepted(VALIDATE, language, InstructionCandidate) if c.id in sample
    }
    return language_metrics(
        {
            name.split(".", 1)[1]: [s for s in store.summaries(name) if s.language == language]
            for name in (TRANSLATE, VALIDATE, MITS, TACO)
        },
        back(),
        sample=sample,
        accepted_ids=kept,
    )


def dedup_text(candidate: InstructionCandidate) -> str:
    """What near-duplicates are compared on: the translated instruction and input."""
    return f"{candidate.translation.instruction}\n{candidate.translation.input}"


def _dedup_settings(config: RunConfig) -> InstructionValidatorSettings:
    return settings(config).validators


def _mits_from_gold(raw: Mapping[str, Any]) -> InstructionRecord:
    if "translation" in raw:
        return mits_record(InstructionCandidate.model_validate(raw))
    return InstructionRecord.model_validate(raw)


def _taco_from_gold(raw: Mapping[str, Any]) -> TacoRecord | None:
    if "translation" in raw:
        return taco_record(InstructionCandidate.model_validate(raw))
    return None


RECIPE = Recipe(
    name="instructions",
    stages=(
        Stage(
            name=TRANSLATE,
            reads=english,
            output=InstructionCandidate,
            make=translate,
            llm="run",
        ),
        Stage(name=VALIDATE, reads=TRANSLATE, output=InstructionCandidate, checks=suite, llm="run"),
        Stage(
            name=DEDUP,
            reads=VALIDATE,
            output=InstructionCandidate,
            dedup=Dedup(text=dedup_text, settings=_dedup_settings),
        ),
        Stage(name=MITS, reads=DEDUP, output=InstructionRecord, make=mits),
        Stage(name=TACO, reads=DEDUP, output=TacoRecord, make=taco),
    ),
    subsets=(
        ExportSubset(
            name="instructions-mits",
            stages=(MITS,),
            model=InstructionRecord,
            task_categories=("text-generation",),
            summary="instruction records translated with code, URLs and numbers kept (MITS)",
            gold_stages=(VALIDATE, MITS),
            from_gold=_mits_from_gold,
        ),
        ExportSubset(
            name="instructions-taco",
            stages=(TACO,),
            model=TacoRecord,
            task_categories=("text-generation",),
            summary="TaCo chain-of-thought records: target-language instruction, answer "
            "through English",
            gold_stages=(VALIDATE, TACO),
            from_gold=_taco_from_gold,
        ),
    ),
    gold_kind="instruction",
    gold_stages=(VALIDATE,),
    title="MITS / TaCo translated instructions",
    method="Instruction records (Alpaca, Dolly, ShareGPT shapes) are translated with code "
    "blocks, URLs, numbers and placeholders protected, back-translated, and validated "
    "(language, protected spans intact, Markdown structure, length ratio, no copy of the "
    "English, round-trip chrF). Each kept translation gives a MITS record and a TaCo "
    "chain-of-thought record (instruction in English, response in English, response in "
    "the target language).",
    citations=("upadhayay2024taco",),
    metrics=metrics,
    preflight=preflight,
)
