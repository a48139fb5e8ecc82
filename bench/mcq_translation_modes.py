"""MCQ translation per field (10 requests an item) vs batched (2), on the same questions.

Mines the config's SynDARin pairs, writes the questions once with the config's LLM (the
embedded model by default), then translates the same questions in both modes and runs the
recipe's cheap checks (`syndarin.validators.enabled`, no LLM judge) on each result. Prints per
mode: requests, prompt and completion tokens, translation failures, yield after the checks,
and the mean round-trip chrF of the translated items. Not a test.

    .venv/bin/python -m bench.mcq_translation_modes --config configs/demo.yaml
"""

import argparse
import asyncio
import statistics
from dataclasses import dataclass

from babelforge.generators.accounting import Accounting
from babelforge.generators.embedded import EmbeddedServer
from babelforge.generators.mcq import generate_mcqs
from babelforge.generators.mcq_translate import MCQWithTarget, TranslationMode, translate_mcqs
from babelforge.generators.mining.mine import mine_pairs
from babelforge.generators.openai_client import OpenAICompatibleClient
from babelforge.generators.translate import LLMTranslator
from babelforge.schemas.config import RunConfig, load_config
from babelforge.schemas.records import MCQItem, ParallelPair, TranslatedMCQ
from babelforge.validators.roundtrip_chrf import roundtrip_chrf
from babelforge.validators.runner import apply_validators_async
from babelforge.validators.suites import mcq_suite

MODES: tuple[TranslationMode, ...] = ("per_field", "batched")


@dataclass
class Tally:
    """What one mode cost and kept, over every language."""

    items: int = 0
    failed: int = 0
    kept: int = 0
    chrf: list[float] | None = None
    accounting: Accounting | None = None


def _chrf(item: TranslatedMCQ) -> float:
    back = (item.back_translated_question or "", *(item.back_translated_options or ("",) * 4))
    return roundtrip_chrf(back, (item.source_question, *item.source_options))


async def compare(config: RunConfig, client_of: dict[str, OpenAICompatibleClient]) -> None:
    recipe = config.syndarin
    assert recipe is not None, f"{config.name}: the config has no syndarin section"
    tallies = {mode: Tally(chrf=[], accounting=client_of[mode].accounting) for mode in MODES}
    llm = config.llm
    for language in config.languages:
        pairs = [
            p
            for p in mine_pairs(recipe.mining, config.source_language, language)
            if isinstance(p, ParallelPair)
        ]
        generated = await generate_mcqs(
            client_of["generate"],
            pairs,
            per_paragraph=recipe.questions_per_paragraph,
            sampling=llm.sampling,
            parse_retries=llm.parse_retries,
            answer_threshold=recipe.answer_in_paragraph_threshold,
            language=language,
            prompt_id=recipe.mcq_prompt,
        )
        targets = {p.id: p.target.text for p in pairs}
        items: list[MCQItem] = list(generated.accepted)
        batch = [MCQWithTarget(item, targets[item.pair_id]) for item in items]
        for mode in MODES:
            translator = LLMTranslator(client_of[mode], parse_retries=llm.parse_retries)
            outcome = await translate_mcqs(
                translator, batch, config.source_language, language, mode=mode
            )
            checked = await apply_validators_async(
                list(outcome.accepted), mcq_suite(recipe.validators, {}), stage="bench"
            )
            tally = tallies[mode]
            tally.items += len(batch)
            tally.failed += len(outcome.failed)
            tally.kept += len(checked.accepted)
            assert tally.chrf is not None
            tally.chrf += [_chrf(t) for t in outcome.accepted]
    print(f"{config.name}: languages {', '.join(config.languages)}, model {llm.model}")
    print(
        f"{'mode':>10} {'items':>6} {'requests':>8} {'prompt tok':>10} {'compl tok':>9} "
        f"{'failed':>6} {'kept':>5} {'yield':>6} {'chrF':>6}"
    )
    for mode, t in tallies.items():
        assert t.accounting is not None and t.chrf is not None
        usage = t.accounting.total()
        chrf = statistics.fmean(t.chrf) if t.chrf else float("nan")
        print(
            f"{mode:>10} {t.items:>6} {usage.requests:>8} {usage.prompt_tokens:>10} "
            f"{usage.completion_tokens:>9} {t.failed:>6} {t.kept:>5} "
            f"{t.kept / max(t.items, 1):>6.2f} {chrf:>6.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="configs/demo.yaml")
    parser.add_argument("--max-pairs", type=int, default=None, help="override mining.max_pairs")
    args = parser.parse_args()
    config = load_config(args.config)
    if args.max_pairs is not None and config.syndarin is not None:
        mining = config.syndarin.mining.model_copy(update={"max_pairs": args.max_pairs})
        syndarin = config.syndarin.model_copy(update={"mining": mining})
        config = config.model_copy(update={"syndarin": syndarin})
    llm = config.llm
    with EmbeddedServer(context_length=llm.context_length) as server:

        def client() -> OpenAICompatibleClient:
            return OpenAICompatibleClient(
                server.base_url,
                server.model,
                backend="llama.cpp",
                structured="json_object",
                max_concurrency=llm.max_concurrency,
                accounting=Accounting(),
            )

        clients: dict[str, OpenAICompatibleClient] = {"generate": client()}
        clients |= {mode: client() for mode in MODES}
        asyncio.run(compare(config, clients))


if __name__ == "__main__":
    main()
