"""Multilingual hallucination data: queries from target-language references answered by the
model under study, labeled data by injection, and labeled data by translating English
FAVA-tagged texts with the tags protected; then the span figures per language.

The hallucination checks judge a candidate (the tagged text) before it becomes a stored
sample, so each stage hands its declared suite to its generator instead of the executor
applying it to the samples (the same runner, cheap checks first, judges on the survivors).
The translate stage gets the MQM judge on its client, reading the translation beside its
clean source text; queries, answers and injections are not translations and get none.
"""

from collections.abc import Iterator, Mapping
from itertools import islice
from typing import Any

from babelforge.generators.hallucination.inject import InjectionTask, inject, injection_tasks
from babelforge.generators.hallucination.queries import (
    QuerySettings,
    answer_queries,
    write_queries,
)
from babelforge.generators.hallucination.references import ReferenceSet, read_reference_sets
from babelforge.generators.hallucination.report import span_figures
from babelforge.generators.hallucination.translate_tagged import (
    TaggedSource,
    read_tagged,
    tag_translator,
    translate_tagged,
)
from babelforge.recipes.hallucination_import import IMPORT, IMPORT_STAGE
from babelforge.recipes.judges import stage_judges
from babelforge.recipes.stage import (
    Dedup,
    ExportSubset,
    Recipe,
    ShardReader,
    Stage,
    StageContext,
)
from babelforge.schemas.config import LLMConfig, RunConfig
from babelforge.schemas.hallucination_config import (
    HallucinationConfig,
    HallucinationValidatorSettings,
)
from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.provenance import SamplingParams
from babelforge.schemas.records import HallucinationSample
from babelforge.validators.suites import (
    halluc_answer_suite,
    halluc_inject_suite,
    halluc_query_suite,
    halluc_translate_suite,
)

QUERIES = "hallucination.queries"
DEDUP = "hallucination.dedup"
ANSWERS = "hallucination.answers"
INJECT = "hallucination.inject"
TRANSLATE = "hallucination.translate"


def settings(config: RunConfig) -> HallucinationConfig:
    """The recipe's section (the executor runs this recipe only when it is set)."""
    assert config.hallucination is not None, "needs a `hallucination:` section"
    return config.hallucination


def answer_llm_config(llm: LLMConfig, recipe: HallucinationConfig) -> LLMConfig:
    """The run's LLM config with the model-under-study fields the recipe sets."""
    overrides = recipe.answer_model.model_dump(exclude_none=True)
    if not overrides:
        return llm
    if "backend" in overrides or "base_url" in overrides:
        overrides.setdefault("base_url", None)
    return LLMConfig.model_validate({**llm.model_dump(), **overrides})


def studied(config: RunConfig) -> LLMConfig:
    """The LLM of the answers stage: the model under study."""
    return answer_llm_config(config.llm, settings(config))


def _sampling(config: RunConfig) -> SamplingParams:
    return settings(config).sampling or config.llm.sampling


def _runs(stage: str) -> Any:
    def enabled(config: RunConfig, language: str) -> bool:
        return stage in settings(config).stages

    return enabled


def reference_sets(config: RunConfig, language: str) -> Iterator[ReferenceSet]:
    """The reference sets of the language's articles (none without `article_paths`)."""
    recipe = settings(config)
    return read_reference_sets(
        recipe.article_paths.get(language, ()),
        language,
        min_length=recipe.min_article_length,
        limit=recipe.max_articles,
        max_references=recipe.max_references,
        max_sentences=recipe.max_reference_sentences,
        max_chars=recipe.max_reference_chars,
    )


def injections(config: RunConfig, language: str) -> Iterator[InjectionTask]:
    """One injection task per reference passage (up to `inject_per_article` per article)."""
    recipe = settings(config)
    return injection_tasks(
        reference_sets(config, language), recipe.inject_types, recipe.inject_per_article
    )


def tagged(config: RunConfig, language: str) -> Iterator[TaggedSource]:
    """The English FAVA-tagged texts (at most `max_tagged`)."""
    recipe = settings(config)
    sources = read_tagged(recipe.tagged_paths, config.source_language)
    return islice(sources, recipe.max_tagged) if recipe.max_tagged else sources


def translating(config: RunConfig, language: str) -> bool:
    """Tagged texts are translated into every target language but the source one."""
    recipe = settings(config)
    return (
        "translate" in recipe.stages
        and language != config.source_language
        and bool(recipe.tagged_paths)
    )


async def queries(
    context: StageContext, refsets: list[ReferenceSet]
) -> ShardOutcome[HallucinationSample]:
    """Knowledge-intensive queries written from each reference set."""
    config = context.config
    query = QuerySettings(
        per_article=settings(config).queries_per_article,
        sampling=_sampling(config),
        parse_retries=config.llm.parse_retries,
    )
    return await write_queries(
        context.llm(), refsets, query, halluc_query_suite(settings(config).validators, {})
    )


async def answers(
    context: StageContext, kept: list[HallucinationSample]
) -> ShardOutcome[HallucinationSample]:
    """The model under study's answer to each kept query."""
    recipe = settings(context.config)
    sampling = recipe.answer_model.sampling or context.config.llm.sampling
    return await answer_queries(
        context.llm(), kept, sampling, halluc_answer_suite(recipe.validators, {})
    )


async def injected(
    context: StageContext, tasks: list[InjectionTask]
) -> ShardOutcome[HallucinationSample]:
    """Correct passages with FAVA-typed hallucinations injected, as labeled spans."""
    config = context.config
    return await inject(
        context.llm(),
        tasks,
        sampling=_sampling(config),
        validators=halluc_inject_suite(settings(config).validators, {}),
        parse_retries=config.llm.parse_retries,
    )


async def translated(
    context: StageContext, sources: list[TaggedSource]
) -> ShardOutcome[HallucinationSample]:
    """Tagged English texts translated with every tag kept, as labeled spans."""
    config = context.config
    sampling = _sampling(config).model_copy(update={"temperature": 0.0})
    translator = tag_translator(context.llm(), sampling, parse_retries=config.llm.parse_retries)
    checks = settings(config).validators
    judges = stage_judges(
        config, context.client, recipe="hallucination", stage=TRANSLATE, settings=checks.judges
    )
    validators = halluc_translate_suite(checks, judges)
    return await translate_tagged(translator, sources, context.language, validators)


def metrics(config: RunConfig, store: ShardReader) -> dict[str, object]:
    """Query and answer counts and the span figures per language."""

    def count(stage: str, language: str) -> int:
        return sum(s.accepted for s in store.summaries(stage) if s.language == language)

    return {
        "answer_model": studied(config).model,
        "stages": list(settings(config).stages),
        "languages": {
            language: {
                "queries": count(QUERIES, language),
                "answers": count(ANSWERS, language),
                "injection": span_figures(store.accepted(INJECT, language, HallucinationSample)),
                "translation": span_figures(
                    store.accepted(TRANSLATE, language, HallucinationSample)
                ),
            }
            for language in config.languages
        },
    }


def dedup_text(sample: HallucinationSample) -> str:
    """What near-duplicates are compared on: the written query (answered once)."""
    return sample.query or ""


def _dedup_settings(config: RunConfig) -> HallucinationValidatorSettings:
    return settings(config).validators


def _from_gold(raw: Mapping[str, Any]) -> HallucinationSample:
    return HallucinationSample.model_validate(raw)


RECIPE = Recipe(
    name="hallucination",
    stages=(
        Stage(
            name=QUERIES,
            reads=reference_sets,
            output=HallucinationSample,
            make=queries,
            llm="run",
            enabled=_runs("queries"),
        ),
        Stage(
            name=DEDUP,
            reads=QUERIES,
            output=HallucinationSample,
            dedup=Dedup(text=dedup_text, settings=_dedup_settings),
        ),
        Stage(
            name=ANSWERS,
            reads=DEDUP,
            output=HallucinationSample,
            make=answers,
            llm="studied",
            enabled=_runs("answers"),
        ),
        Stage(
            name=INJECT,
            reads=injections,
            output=HallucinationSample,
            make=injected,
            llm="run",
            enabled=_runs("inject"),
        ),
        Stage(
            name=TRANSLATE,
            reads=tagged,
            output=HallucinationSample,
            make=translated,
            llm="run",
            enabled=translating,
        ),
        IMPORT_STAGE,
    ),
    subsets=(
        ExportSubset(
            name="hallucination-qa",
            stages=(ANSWERS,),
            model=HallucinationSample,
            task_categories=("question-answering", "text-generation"),
            summary="knowledge-intensive queries written from Wikipedia references, with the "
            "answers of the model under study",
            gold_stages=(ANSWERS,),
            from_gold=_from_gold,
        ),
        ExportSubset(
            name="hallucination-spans",
            stages=(INJECT, TRANSLATE, IMPORT),
            model=HallucinationSample,
            task_categories=("token-classification", "text-classification"),
            summary="texts with hallucination spans (character offsets): FAVA-typed, injected "
            "on purpose or carried through translation, or untyped, imported from Mu-SHROOM",
            gold_stages=(INJECT, TRANSLATE, IMPORT),
            from_gold=_from_gold,
        ),
    ),
    gold_kind="hallucination",
    gold_stages=("hallucination.*",),
    title="Multilingual hallucination data",
    method="An LLM writes knowledge-intensive queries in the target language from up to 5 "
    "references of at most 3 sentences of a target-language article, and the model under "
    "study answers them; labeled detection data comes from FAVA-typed hallucinations "
    "injected into correct text and from English FAVA-tagged texts translated with every "
    "tag protected, converted to character-offset spans and validated.",
    citations=("islam2025hallucinate", "mishra2024fava"),
    metrics=metrics,
    studied=studied,
)
