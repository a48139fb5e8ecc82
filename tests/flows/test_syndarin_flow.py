"""The SynDARin flow on the sample corpus with the real embedded model: structure, accounting,
provenance (the tiny model's wording is not judged)."""

import re
from pathlib import Path

from babelforge.flows.recipe_flow import run_recipes
from babelforge.flows.store import RunStore
from babelforge.generators.embedded import EmbeddedServer
from babelforge.schemas.config import (
    LLMConfig,
    MiningConfig,
    RunConfig,
    SyndarinConfig,
    ValidatorSettings,
)
from babelforge.schemas.provenance import SamplingParams
from babelforge.schemas.records import MCQItem, ParallelPair, TranslatedMCQ

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples" / "wikipedia"
REASON = re.compile(r"^[a-z_]+\.[a-z_]+$")


def test_syndarin_flow_accounts_for_every_record(
    embedded_server: EmbeddedServer, tmp_path: Path
) -> None:
    config = RunConfig(
        name="syndarin-test",
        run_dir=str(tmp_path / "run"),
        languages=("hy",),
        shard_size=4,
        llm=LLMConfig(
            backend="embedded",
            base_url=embedded_server.base_url,
            model=embedded_server.model,
            parse_retries=1,
            sampling=SamplingParams(temperature=0.3, max_tokens=96, seed=1),
        ),
        syndarin=SyndarinConfig(
            questions_per_paragraph=2,
            mining=MiningConfig(
                source_paths=(str(SAMPLES / "en.parquet"),),
                target_paths={"hy": (str(SAMPLES / "hy.parquet"),)},
                langlinks_path=str(SAMPLES / "langlinks.tsv"),
                max_pairs=2,
            ),
            validators=ValidatorSettings(
                enabled=("options", "langid", "answer_match", "roundtrip_chrf")
            ),
        ),
    )
    report = run_recipes(config)

    assert report.balanced
    rows = {(r.stage, r.language): r for r in report.stages}
    for stage in ("syndarin.mine", "syndarin.generate", "syndarin.translate", "syndarin.validate"):
        assert (stage, "hy") in rows, f"{stage} did not run"
    assert rows[("syndarin.mine", "hy")].accepted == 2
    assert rows[("syndarin.generate", "hy")].input == 4  # 2 pairs x 2 questions
    assert rows[("syndarin.generate", "hy")].accepted == rows[("syndarin.translate", "hy")].input
    assert rows[("syndarin.translate", "hy")].accepted == rows[("syndarin.validate", "hy")].input
    for row in report.stages:
        assert all(REASON.match(reason) for reason in row.reasons), row.reasons
    assert report.usage.requests > 0

    store = RunStore(config.run_dir)
    pairs = list(store.accepted("syndarin.mine", "hy", ParallelPair))
    assert len(pairs) == 2
    for pair in pairs:
        assert pair.source.language == "en" and pair.target.language == "hy"
    items = list(store.accepted("syndarin.generate", "hy", MCQItem))
    assert len(items) == rows[("syndarin.generate", "hy")].accepted
    targets = {p.id: p.target.text for p in pairs}
    for translated in store.accepted("syndarin.translate", "hy", TranslatedMCQ):
        assert translated.target_paragraph == targets[translated.pair_id]  # the stream join
    for item in items:
        p = item.provenance
        assert p.model == embedded_server.model and p.backend == "llama.cpp"
        assert p.prompt_id == "mcq" and p.prompt_version and len(p.prompt_version) == 12
        assert p.source_ids and p.generated_at is not None
    for rejected in store.rejected("syndarin.validate", "hy", TranslatedMCQ):
        assert rejected.reasons and all(REASON.match(r) for r in rejected.reasons)
    for failed in store.failed("syndarin.generate", "hy"):
        assert failed.reason.startswith("llm.")
    assert (tmp_path / "run" / "report.md").read_text().startswith("# babelforge run report")
