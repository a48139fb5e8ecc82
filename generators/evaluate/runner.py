"""Evaluate one model on the items of an export: every MCQ item in the target language and in
English, every query answered and judged. Requests go through the factory's client, response
cache and accounting, so a rerun sends nothing that was answered before."""

from dataclasses import dataclass
from pathlib import Path

from babelforge.generators.accounting import Accounting
from babelforge.generators.backends import chat_client
from babelforge.generators.cache_store import open_segment
from babelforge.generators.evaluate.hallucination import HallucinationSettings, answer_and_judge
from babelforge.generators.evaluate.items import ExportItems
from babelforge.generators.evaluate.mcq import MCQSettings, answer_items
from babelforge.schemas.config import LLMConfig
from babelforge.schemas.evaluate_config import EvaluateConfig
from babelforge.schemas.evaluation import HallucinationAnswer, MCQAnswer, ModelUsage


@dataclass(frozen=True)
class ModelRun:
    """One model's answers and what they cost (its judge's requests included)."""

    mcq: tuple[MCQAnswer, ...]
    hallucination: tuple[HallucinationAnswer, ...]
    usage: ModelUsage


async def evaluate_model(
    name: str,
    llm: LLMConfig,
    judge: LLMConfig,
    items: ExportItems,
    settings: EvaluateConfig,
    cache_dir: Path,
) -> ModelRun:
    """Ask model `name` (at `llm`, a reachable endpoint) everything; `judge` marks the spans;
    replies are kept in the cache segment at `cache_dir`."""
    accounting = Accounting()
    mcq_settings = MCQSettings(
        sampling=settings.sampling,
        parse_retries=settings.parse_retries,
        top_logprobs=settings.top_logprobs if settings.logprobs else None,
    )
    async with (
        open_segment(str(cache_dir)) as cache,
        chat_client(llm, cache=cache, accounting=accounting) as client,
    ):
        mcq = await answer_items(client, name, items.mcq, "target", mcq_settings)
        if settings.english:
            mcq += await answer_items(client, name, items.mcq, "english", mcq_settings)
        hallucination: list[HallucinationAnswer] = []
        if items.queries:
            async with chat_client(judge, cache=cache, accounting=accounting) as judge_client:
                hallucination = await answer_and_judge(
                    client,
                    judge_client,
                    name,
                    items.queries,
                    HallucinationSettings(
                        answer_sampling=settings.answer_sampling,
                        judge_sampling=settings.judge_sampling,
                        parse_retries=settings.parse_retries,
                    ),
                )
    total = accounting.total()
    return ModelRun(
        mcq=tuple(mcq),
        hallucination=tuple(hallucination),
        usage=ModelUsage(
            requests=total.requests,
            cached_requests=total.cached_requests,
            prompt_tokens=total.prompt_tokens,
            completion_tokens=total.completion_tokens,
        ),
    )
