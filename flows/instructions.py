"""The `instructions` flow (MITS/TaCo): translate an instruction set into every language.

read (fail fast on a malformed record) -> translate -> back-translate -> validate ->
MITS records + TaCo records, per language; then the round-trip figures per language.
"""

from collections.abc import Iterator

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from babelforge.flows.context import RunContext
from babelforge.flows.stages import LLMWork, ShardFn, llm_shard, run_stage
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
from babelforge.schemas.config import RunConfig
from babelforge.schemas.errors import ConfigError
from babelforge.schemas.instructions_config import InstructionsConfig
from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.records import InstructionRecord, TacoRecord
from babelforge.validators.instr_candidate import InstructionCandidate
from babelforge.validators.instr_corpus import sample_ids
from babelforge.validators.instr_suite import instruction_validators
from babelforge.validators.runner import apply_validators

TRANSLATE = "instructions.translate"
BACKTRANSLATE = "instructions.backtranslate"
VALIDATE = "instructions.validate"
MITS = "instructions.mits"
TACO = "instructions.taco"


@flow(name="instructions")
def instructions_flow(config: RunConfig) -> None:
    """Translate, back-translate and validate every record; write MITS and TaCo records."""
    settings = _settings(config)
    context = RunContext.open(config)
    count_inputs(config, settings)
    figures = {language: _language(context, settings, language) for language in config.languages}
    context.store.write_json(
        "metrics/instructions.json",
        {
            "source_language": config.source_language,
            "roundtrip_sample_size": settings.roundtrip_sample_size,
            "validators": list(settings.validators.enabled),
            "languages": figures,
        },
    )


def _language(
    context: RunContext, settings: InstructionsConfig, language: str
) -> dict[str, object]:
    """Run every stage for one language; return its figures."""
    config, store, size = context.config, context.store, context.config.shard_size
    roundtrip = "roundtrip" in settings.validators.enabled

    def translated() -> Iterator[InstructionCandidate]:
        return store.accepted(TRANSLATE, language, InstructionCandidate)

    def kept() -> Iterator[InstructionCandidate]:
        return store.accepted(VALIDATE, language, InstructionCandidate)

    run_stage(
        store, TRANSLATE, language, _english(config, settings), size,
        llm_shard(context, _translate_work(config, settings, language)),
    )  # fmt: skip
    sample = sample_ids((c.id for c in translated()), settings.roundtrip_sample_size)
    back_inputs = translated() if roundtrip else (c for c in translated() if c.id in sample)
    run_stage(
        store, BACKTRANSLATE, language, back_inputs, size,
        llm_shard(context, _back_work(config, settings)),
    )  # fmt: skip
    checked = BACKTRANSLATE if roundtrip else TRANSLATE
    run_stage(
        store, VALIDATE, language, store.accepted(checked, language, InstructionCandidate), size,
        _validate_work(settings),
    )  # fmt: skip
    run_stage(store, MITS, language, kept(), size, _emit_mits)
    run_stage(store, TACO, language, kept(), size, _emit_taco)
    return language_metrics(
        {
            name.split(".", 1)[1]: [s for s in store.summaries(name) if s.language == language]
            for name in (TRANSLATE, BACKTRANSLATE, VALIDATE, MITS, TACO)
        },
        store.accepted(BACKTRANSLATE, language, InstructionCandidate),
        sample=sample,
        accepted_ids={c.id for c in kept()},
    )


@task(cache_policy=NO_CACHE)
def count_inputs(config: RunConfig, settings: InstructionsConfig) -> int:
    """Read every input once before any token is spent, so a malformed record stops the run."""
    n = sum(1 for _ in _english(config, settings))
    get_run_logger().info("instructions: %d English records in %s", n, settings.input_paths)
    return n


def _settings(config: RunConfig) -> InstructionsConfig:
    if config.instructions is None:
        raise ConfigError("the instructions flow needs an `instructions:` section in the config")
    prompt = config.instructions.translation_prompt
    try:
        load_prompt(prompt)
    except FileNotFoundError as e:
        raise ConfigError(
            f"instructions.translation_prompt: no template generators/prompts/{prompt}.j2; "
            "name an existing one (e.g. instructions_translate)"
        ) from e
    return config.instructions


def _english(config: RunConfig, settings: InstructionsConfig) -> Iterator[InstructionRecord]:
    return read_instructions(
        settings.input_paths,
        shape=settings.shape,
        language=config.source_language,
        max_records=settings.max_records,
    )


def _translate_work(
    config: RunConfig, settings: InstructionsConfig, language: str
) -> LLMWork[InstructionRecord, InstructionCandidate]:
    async def work(
        client: ChatClient, shard: list[InstructionRecord]
    ) -> ShardOutcome[InstructionCandidate]:
        translator = llm_translator(client, config, settings)
        return await translate_shard(
            translator, shard, language, stage=TRANSLATE, protect_kinds=settings.protect
        )

    return work


def _back_work(
    config: RunConfig, settings: InstructionsConfig
) -> LLMWork[InstructionCandidate, InstructionCandidate]:
    async def work(
        client: ChatClient, shard: list[InstructionCandidate]
    ) -> ShardOutcome[InstructionCandidate]:
        translator = llm_translator(client, config, settings)
        return await back_translate_shard(translator, shard, stage=BACKTRANSLATE)

    return work


def _validate_work(
    settings: InstructionsConfig,
) -> ShardFn[InstructionCandidate, InstructionCandidate]:
    validators = instruction_validators(settings.validators)

    async def work(shard: list[InstructionCandidate]) -> ShardOutcome[InstructionCandidate]:
        return apply_validators(shard, validators, stage=VALIDATE)

    return work


async def _emit_mits(shard: list[InstructionCandidate]) -> ShardOutcome[InstructionRecord]:
    return ShardOutcome[InstructionRecord](
        n_input=len(shard), accepted=tuple(mits_record(c) for c in shard)
    )


async def _emit_taco(shard: list[InstructionCandidate]) -> ShardOutcome[TacoRecord]:
    return ShardOutcome[TacoRecord](
        n_input=len(shard), accepted=tuple(taco_record(c) for c in shard)
    )
