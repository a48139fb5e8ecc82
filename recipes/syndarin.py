"""SynDARin: mine English/target paragraph pairs, write MCQs from the English paragraph,
translate them (each item's back-translation chained to its own forward translation), and
validate them against the human-written target paragraph."""

import asyncio
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from babelforge.generators.client import ChatClient
from babelforge.generators.mcq import generate_mcqs
from babelforge.generators.mcq_translate import MCQWithTarget, translate_mcqs
from babelforge.generators.mining.mine import MiningResult, mine_pairs, to_outcome
from babelforge.generators.translate import LLMTranslator
from babelforge.recipes.judges import stage_judges
from babelforge.recipes.stage import Dedup, ExportSubset, Recipe, Stage, StageContext, merged
from babelforge.schemas.config import RunConfig, SyndarinConfig, ValidatorSettings
from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.records import MCQItem, ParallelPair, TranslatedMCQ
from babelforge.validators.base import Check
from babelforge.validators.suites import mcq_suite

MINE = "syndarin.mine"
GENERATE = "syndarin.generate"
TRANSLATE = "syndarin.translate"
DEDUP = "syndarin.dedup"
VALIDATE = "syndarin.validate"


def settings(config: RunConfig) -> SyndarinConfig:
    """The recipe's section (the executor runs this recipe only when it is set)."""
    assert config.syndarin is not None, "the syndarin recipe runs only with a `syndarin:` section"
    return config.syndarin


def mined(config: RunConfig, language: str) -> Iterator[MiningResult]:
    """Every candidate pair of the language, kept or rejected by the mining filters."""
    return mine_pairs(settings(config).mining, config.source_language, language)


async def mine(context: StageContext, batch: list[MiningResult]) -> ShardOutcome[ParallelPair]:
    """The mining verdicts of a shard of candidates, as an outcome."""
    return to_outcome(batch)


async def generate(context: StageContext, pairs: list[ParallelPair]) -> ShardOutcome[MCQItem]:
    """`questions_per_paragraph` questions from the English paragraph of every kept pair."""
    recipe, llm = settings(context.config), context.config.llm
    return await generate_mcqs(
        context.llm(),
        pairs,
        per_paragraph=recipe.questions_per_paragraph,
        sampling=llm.sampling,
        parse_retries=llm.parse_retries,
        answer_threshold=recipe.answer_in_paragraph_threshold,
        language=context.language,
        prompt_id=recipe.mcq_prompt,
    )


async def translate(context: StageContext, items: list[MCQItem]) -> ShardOutcome[TranslatedMCQ]:
    """Translate each question and its options, then back; the target paragraph comes from
    the same shard of the mined pairs (a stream join, never a dict of the whole corpus)."""
    targets = {p.id: p.target.text for p in context.peer(MINE, ParallelPair)}
    translator = LLMTranslator(context.llm(), parse_retries=context.config.llm.parse_retries)
    source, target = context.config.source_language, context.language
    mode = settings(context.config).translation_mode
    chains = [
        translate_mcqs(
            translator, [MCQWithTarget(item, targets[item.pair_id])], source, target, mode=mode
        )
        for item in items
    ]
    return merged(TranslatedMCQ, await asyncio.gather(*chains))


def suite(config: RunConfig, client: ChatClient | None) -> Sequence[Check]:
    """The checks of `syndarin.validators`, the LLM judges on the stage's client."""
    section = settings(config)
    judges = stage_judges(
        config, client, recipe="syndarin", stage=VALIDATE, settings=section.validators.judges
    )
    return mcq_suite(section.validators, judges)


def dedup_text(record: TranslatedMCQ) -> str:
    """What near-duplicates are compared on: the translated question and correct answer."""
    return f"{record.question}\n{record.answer}"


def _dedup_settings(config: RunConfig) -> ValidatorSettings:
    return settings(config).validators


def _from_gold(raw: Mapping[str, Any]) -> TranslatedMCQ:
    return TranslatedMCQ.model_validate(raw)


RECIPE = Recipe(
    name="syndarin",
    stages=(
        Stage(name=MINE, reads=mined, output=ParallelPair, make=mine),
        Stage(name=GENERATE, reads=MINE, output=MCQItem, make=generate, llm="run"),
        Stage(name=TRANSLATE, reads=GENERATE, output=TranslatedMCQ, make=translate, llm="run"),
        Stage(
            name=DEDUP,
            reads=TRANSLATE,
            output=TranslatedMCQ,
            dedup=Dedup(text=dedup_text, settings=_dedup_settings),
        ),
        Stage(name=VALIDATE, reads=DEDUP, output=TranslatedMCQ, checks=suite, llm="run"),
    ),
    subsets=(
        ExportSubset(
            name="syndarin",
            stages=(VALIDATE,),
            model=TranslatedMCQ,
            task_categories=("question-answering", "multiple-choice"),
            summary="multiple-choice questions written from English Wikipedia paragraphs, "
            "translated, and paired with the human-written target-language paragraph",
            gold_stages=(VALIDATE,),
            from_gold=_from_gold,
            derived=(("answer", str, lambda r: r.answer),),
        ),
    ),
    gold_kind="mcq",
    gold_stages=(VALIDATE,),
    title="SynDARin multiple-choice QA",
    method="English and target-language Wikipedia introductions are paired by interlanguage "
    "links and kept when their lengths agree; an LLM writes multiple-choice questions "
    "(4 options, one correct, the answer checked to be in the English paragraph); question "
    "and options are translated and validated (the translated answer must fuzzily match "
    "the human-written target paragraph, distractors must not, every field must be in the "
    "target language, round-trip chrF must pass), and each kept item is paired with the "
    "target paragraph.",
    citations=("ghazaryan2024syndarin",),
)
