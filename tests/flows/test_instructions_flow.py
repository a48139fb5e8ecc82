"""The `instructions` flow end to end on the real embedded model: structure, accounting,
provenance, TaCo format, metrics, and a rerun that spends nothing (not the wording)."""

import json
import re
from pathlib import Path

import pytest

from babelforge.flows.recipe_flow import run_recipes
from babelforge.flows.store import RunStore
from babelforge.generators.embedded import EmbeddedServer
from babelforge.generators.instructions.readers import read_instructions
from babelforge.generators.instructions.taco import taco_output
from babelforge.generators.prompts import load_prompt
from babelforge.recipes.instructions import MITS, TACO, TRANSLATE, VALIDATE
from babelforge.schemas.config import LLMConfig, RunConfig
from babelforge.schemas.instructions_config import InstructionsConfig
from babelforge.schemas.provenance import SamplingParams
from babelforge.schemas.records import InstructionRecord, TacoRecord
from babelforge.validators.instr_candidate import InstructionCandidate

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "instructions" / "alpaca.json"
LANGUAGES = ("de", "hy")
REASON = re.compile(r"^[a-z_]+\.[a-z_]+$")
STAGES = (TRANSLATE, VALIDATE, MITS, TACO)


@pytest.fixture(scope="module")
def run(
    embedded_server: EmbeddedServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[RunConfig, RunStore]:
    config = RunConfig(
        name="instructions-test",
        run_dir=str(tmp_path_factory.mktemp("instructions") / "run"),
        languages=LANGUAGES,
        shard_size=1,
        llm=LLMConfig(
            backend="embedded",
            base_url=embedded_server.base_url,
            model=embedded_server.model,
            parse_retries=1,
            sampling=SamplingParams(max_tokens=96, seed=0),
        ),
        instructions=InstructionsConfig(
            input_paths=(str(SAMPLE),), shape="alpaca", max_records=2, roundtrip_sample_size=1
        ),
    )
    run_recipes(config)
    return config, RunStore(config.run_dir)


def test_every_stage_and_language_is_balanced_and_chained(run: tuple[RunConfig, RunStore]) -> None:
    _, store = run
    for language in LANGUAGES:
        totals = {}
        for stage in STAGES:
            summaries = [s for s in store.summaries(stage) if s.language == language]
            for s in summaries:
                assert s.accepted + s.rejected + s.failed == s.n_input, (stage, language)
            totals[stage] = (sum(s.n_input for s in summaries), sum(s.accepted for s in summaries))
        assert totals[TRANSLATE][0] == 2
        assert totals[VALIDATE][0] == totals[TRANSLATE][1]
        assert totals[MITS] == totals[TACO] == (totals[VALIDATE][1], totals[VALIDATE][1])


def test_records_carry_provenance_and_the_taco_format(run: tuple[RunConfig, RunStore]) -> None:
    config, store = run
    english = {r.id: r for r in read_instructions([str(SAMPLE)], max_records=2)}
    prompt = load_prompt("instructions_translate")
    for language in LANGUAGES:
        candidates = list(store.accepted(TRANSLATE, language, InstructionCandidate))
        for candidate in candidates:
            provenance = candidate.translation.provenance
            assert candidate.source.id in english
            assert provenance.source_ids == (candidate.source.id,)
            assert provenance.model == config.llm.model and provenance.backend == "llama.cpp"
            assert (provenance.prompt_id, provenance.prompt_version) == (prompt.id, prompt.version)
            assert provenance.sampling is not None and provenance.sampling.temperature == 0.0
        for failure in store.failed(TRANSLATE, language):
            assert failure.input_id in english and failure.reason.startswith("llm.")
        mits = {r.id: r for r in store.accepted(MITS, language, InstructionRecord)}
        for taco in store.accepted(TACO, language, TacoRecord):
            source = english[taco.source_id]
            translated = next(m for m in mits.values() if m.source_id == taco.source_id)
            assert taco.output == taco_output(
                source.instruction, source.output, translated.output, language
            )
            checks = len(config.instructions.validators.enabled) if config.instructions else 0
            assert len(translated.verdicts) == checks and all(v.keep for v in translated.verdicts)
        for rejected in store.rejected(VALIDATE, language, InstructionCandidate):
            assert rejected.reasons and all(REASON.match(r) for r in rejected.reasons)
            assert rejected.record.back_translation is not None


def test_metrics_report_yield_and_roundtrip_per_language(run: tuple[RunConfig, RunStore]) -> None:
    _, store = run
    metrics = json.loads(store.read_text("metrics/instructions.json"))
    assert set(metrics["languages"]) == set(LANGUAGES)
    for figures in metrics["languages"].values():
        assert figures["input"] == 2
        assert figures["yield"] == figures["accepted"] / 2
        assert set(figures["roundtrip"]) == {"all", "accepted"}
        assert figures["roundtrip"]["all"]["records"] <= 1  # roundtrip_sample_size
        rejected_or_failed = sum(figures["reasons"].values())
        assert figures["accepted"] + rejected_or_failed == 2


def test_a_rerun_skips_every_shard_and_changes_nothing(run: tuple[RunConfig, RunStore]) -> None:
    config, store = run
    before = {s: [x.model_dump() for x in store.summaries(s)] for s in STAGES}
    run_recipes(config)
    after = {s: [x.model_dump() for x in store.summaries(s)] for s in STAGES}
    assert before == after
