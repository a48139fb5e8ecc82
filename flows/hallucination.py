"""The `hallucination` flow: queries from references with the studied model's answers,
labeled data by injection, and labeled data by translation, per target language.

references -> queries -> answers (the model under study)
references -> injected FAVA tags -> spans
English FAVA-tagged texts -> translated with tags protected -> spans
then the span figures per language in metrics/hallucination.json.
"""

from collections.abc import Iterator
from contextlib import ExitStack
from itertools import islice

from prefect import flow, get_run_logger

from babelforge.flows.context import RunContext
from babelforge.flows.stages import LLMWork, llm_shard, run_stage
from babelforge.generators.backends import llm_endpoint
from babelforge.generators.client import ChatClient
from babelforge.generators.hallucination.inject import (
    INJECT_STAGE,
    InjectionTask,
    inject,
    injection_tasks,
)
from babelforge.generators.hallucination.queries import (
    ANSWERS_STAGE,
    QUERIES_STAGE,
    QuerySettings,
    answer_queries,
    write_queries,
)
from babelforge.generators.hallucination.references import ReferenceSet, read_reference_sets
from babelforge.generators.hallucination.report import span_figures
from babelforge.generators.hallucination.translate_tagged import (
    TRANSLATE_STAGE,
    TaggedSource,
    read_tagged,
    tag_translator,
    translate_tagged,
)
from babelforge.schemas.config import LLMConfig, RunConfig
from babelforge.schemas.errors import ConfigError
from babelforge.schemas.hallucination_config import HallucinationConfig
from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.provenance import SamplingParams
from babelforge.schemas.records import HallucinationSample
from babelforge.validators.halluc_suite import (
    answer_validators,
    injection_validators,
    query_validators,
    translation_validators,
)


@flow(name="hallucination")
def hallucination_flow(config: RunConfig) -> None:
    """Run the configured hallucination stages for every language; write the span figures."""
    settings = _settings(config)
    context = RunContext.open(config)
    with ExitStack() as stack:
        answer_llm = answer_llm_config(config.llm, settings)
        if answer_llm != config.llm:
            answer_llm = stack.enter_context(llm_endpoint(answer_llm))
        answering = RunContext(
            config=config.model_copy(update={"llm": answer_llm}),
            store=context.store,
            cache=context.cache,
        )
        for language in config.languages:
            _language(context, answering, settings, language)
    figures = {language: _figures(context, language) for language in config.languages}
    context.store.write_json(
        "metrics/hallucination.json",
        {
            "answer_model": answer_llm.model,
            "stages": list(settings.stages),
            "languages": figures,
        },
    )


def _language(
    context: RunContext, answering: RunContext, settings: HallucinationConfig, language: str
) -> None:
    """Run every enabled stage for one language."""
    store, size, stages = context.store, context.config.shard_size, settings.stages
    log = get_run_logger()
    if language not in settings.article_paths and {"queries", "inject"} & set(stages):
        log.warning("hallucination: no article_paths for %s: no queries or injections", language)
    if "queries" in stages:
        run_stage(
            store, QUERIES_STAGE, language, _reference_sets(settings, language), size,
            llm_shard(context, _queries_work(context.config, settings)),
        )  # fmt: skip
    if "answers" in stages:
        run_stage(
            store, ANSWERS_STAGE, language,
            store.accepted(QUERIES_STAGE, language, HallucinationSample), size,
            llm_shard(answering, _answers_work(answering.config, settings)),
        )  # fmt: skip
    if "inject" in stages:
        tasks = injection_tasks(
            _reference_sets(settings, language), settings.inject_types, settings.inject_per_article
        )
        run_stage(
            store, INJECT_STAGE, language, tasks, size,
            llm_shard(context, _inject_work(context.config, settings)),
        )  # fmt: skip
    translating = language != context.config.source_language and settings.tagged_paths
    if "translate" in stages and translating:
        run_stage(
            store, TRANSLATE_STAGE, language, _tagged(context.config, settings), size,
            llm_shard(context, _translate_work(context.config, settings, language)),
        )  # fmt: skip


def _settings(config: RunConfig) -> HallucinationConfig:
    if config.hallucination is None:
        raise ConfigError("the hallucination flow needs a `hallucination:` section in the config")
    return config.hallucination


def answer_llm_config(llm: LLMConfig, settings: HallucinationConfig) -> LLMConfig:
    """The run's LLM config with the model-under-study fields the recipe sets."""
    overrides = settings.answer_model.model_dump(exclude_none=True)
    if not overrides:
        return llm
    if "backend" in overrides or "base_url" in overrides:
        overrides.setdefault("base_url", None)
    return LLMConfig.model_validate({**llm.model_dump(), **overrides})


def _sampling(config: RunConfig, settings: HallucinationConfig) -> SamplingParams:
    return settings.sampling or config.llm.sampling


def _reference_sets(settings: HallucinationConfig, language: str) -> Iterator[ReferenceSet]:
    return read_reference_sets(
        settings.article_paths.get(language, ()),
        language,
        min_length=settings.min_article_length,
        limit=settings.max_articles,
        max_references=settings.max_references,
        max_sentences=settings.max_reference_sentences,
        max_chars=settings.max_reference_chars,
    )


def _tagged(config: RunConfig, settings: HallucinationConfig) -> Iterator[TaggedSource]:
    sources = read_tagged(settings.tagged_paths, config.source_language)
    return islice(sources, settings.max_tagged) if settings.max_tagged else sources


def _queries_work(
    config: RunConfig, settings: HallucinationConfig
) -> LLMWork[ReferenceSet, HallucinationSample]:
    query = QuerySettings(
        per_article=settings.queries_per_article,
        sampling=_sampling(config, settings),
        parse_retries=config.llm.parse_retries,
    )
    validators = query_validators(settings)

    async def work(
        client: ChatClient, shard: list[ReferenceSet]
    ) -> ShardOutcome[HallucinationSample]:
        return await write_queries(client, shard, query, validators)

    return work


def _answers_work(
    config: RunConfig, settings: HallucinationConfig
) -> LLMWork[HallucinationSample, HallucinationSample]:
    sampling = settings.answer_model.sampling or config.llm.sampling
    validators = answer_validators(settings)

    async def work(
        client: ChatClient, shard: list[HallucinationSample]
    ) -> ShardOutcome[HallucinationSample]:
        return await answer_queries(client, shard, sampling, validators)

    return work


def _inject_work(
    config: RunConfig, settings: HallucinationConfig
) -> LLMWork[InjectionTask, HallucinationSample]:
    sampling = _sampling(config, settings)
    validators = injection_validators(settings)

    async def work(
        client: ChatClient, shard: list[InjectionTask]
    ) -> ShardOutcome[HallucinationSample]:
        return await inject(
            client,
            shard,
            sampling=sampling,
            validators=validators,
            parse_retries=config.llm.parse_retries,
        )

    return work


def _translate_work(
    config: RunConfig, settings: HallucinationConfig, language: str
) -> LLMWork[TaggedSource, HallucinationSample]:
    sampling = _sampling(config, settings).model_copy(update={"temperature": 0.0})
    validators = translation_validators(settings)

    async def work(
        client: ChatClient, shard: list[TaggedSource]
    ) -> ShardOutcome[HallucinationSample]:
        translator = tag_translator(client, sampling, parse_retries=config.llm.parse_retries)
        return await translate_tagged(translator, shard, language, validators)

    return work


def _figures(context: RunContext, language: str) -> dict[str, object]:
    """Counts of queries and answers, and the span figures of each kind of labeled data."""
    store = context.store

    def count(stage: str) -> int:
        return sum(s.accepted for s in store.summaries(stage) if s.language == language)

    return {
        "queries": count(QUERIES_STAGE),
        "answers": count(ANSWERS_STAGE),
        "injection": span_figures(store.accepted(INJECT_STAGE, language, HallucinationSample)),
        "translation": span_figures(store.accepted(TRANSLATE_STAGE, language, HallucinationSample)),
    }
