"""The SynDARin flow: mine pairs -> write MCQs -> translate -> validate, per target language."""

from prefect import flow

from babelforge.flows.context import RunContext
from babelforge.flows.stages import llm_shard, run_stage
from babelforge.generators.client import ChatClient
from babelforge.generators.mcq import generate_mcqs
from babelforge.generators.mcq_translate import MCQWithTarget, translate_mcqs
from babelforge.generators.mining.mine import MiningResult, mine_pairs, to_outcome
from babelforge.generators.translate import LLMTranslator
from babelforge.schemas.config import RunConfig, SyndarinConfig
from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.records import MCQItem, ParallelPair, TranslatedMCQ
from babelforge.validators.mcq_suite import mcq_validators
from babelforge.validators.runner import apply_validators_async

MINE, GENERATE, TRANSLATE, VALIDATE = (
    "syndarin.mine",
    "syndarin.generate",
    "syndarin.translate",
    "syndarin.validate",
)


@flow(name="syndarin")
def syndarin_flow(config: RunConfig) -> None:
    """Run the four SynDARin stages for every target language; resumes where it stopped."""
    if config.syndarin is None:
        return
    context = RunContext.open(config)
    for language in config.languages:
        mine(context, config.syndarin, language)
        generate(context, config.syndarin, language)
        translate(context, language)
        validate(context, config.syndarin, language)


def mine(context: RunContext, recipe: SyndarinConfig, language: str) -> None:
    """Pair English and target introductions; keep pairs that pass the mining filters."""
    results = mine_pairs(recipe.mining, context.config.source_language, language)

    async def shard(batch: list[MiningResult]) -> ShardOutcome[ParallelPair]:
        return to_outcome(batch)

    run_stage(context.store, MINE, language, results, context.config.shard_size, shard)


def generate(context: RunContext, recipe: SyndarinConfig, language: str) -> None:
    """Write questions from the English paragraph of every kept pair."""
    llm = context.config.llm

    async def work(client: ChatClient, pairs: list[ParallelPair]) -> ShardOutcome[MCQItem]:
        return await generate_mcqs(
            client,
            pairs,
            per_paragraph=recipe.questions_per_paragraph,
            sampling=llm.sampling,
            parse_retries=llm.parse_retries,
            answer_threshold=recipe.answer_in_paragraph_threshold,
            language=language,
            prompt_id=recipe.mcq_prompt,
        )

    pairs = context.store.accepted(MINE, language, ParallelPair)
    shard_size = max(1, context.config.shard_size // recipe.questions_per_paragraph)
    run_stage(context.store, GENERATE, language, pairs, shard_size, llm_shard(context, work))


def translate(context: RunContext, language: str) -> None:
    """Translate every kept question into the target language and back."""
    targets = {p.id: p.target.text for p in context.store.accepted(MINE, language, ParallelPair)}
    source = context.config.source_language
    llm = context.config.llm

    async def work(client: ChatClient, batch: list[MCQWithTarget]) -> ShardOutcome[TranslatedMCQ]:
        translator = LLMTranslator(client, parse_retries=llm.parse_retries)
        return await translate_mcqs(translator, batch, source, language)

    items = (
        MCQWithTarget(item, targets[item.pair_id])
        for item in context.store.accepted(GENERATE, language, MCQItem)
    )
    run_stage(
        context.store,
        TRANSLATE,
        language,
        items,
        context.config.shard_size,
        llm_shard(context, work),
    )


def validate(context: RunContext, recipe: SyndarinConfig, language: str) -> None:
    """Apply the configured translation-validation filters."""
    settings = recipe.validators

    async def work(client: ChatClient, batch: list[TranslatedMCQ]) -> ShardOutcome[TranslatedMCQ]:
        validators = mcq_validators(
            settings,
            judge_client=client if "llm_judge" in settings.enabled else None,
            parse_retries=context.config.llm.parse_retries,
        )
        return await apply_validators_async(batch, validators, stage=VALIDATE)

    items = context.store.accepted(TRANSLATE, language, TranslatedMCQ)
    run_stage(
        context.store,
        VALIDATE,
        language,
        items,
        context.config.shard_size,
        llm_shard(context, work),
    )
