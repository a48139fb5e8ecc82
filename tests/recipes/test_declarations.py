"""The recipe declarations: names spelled once, stages chained in order, and every other
place (export, gold, card) reading them."""

import asyncio
from pathlib import Path

from babelforge.annotation.kinds import KINDS, gold_stages, kind_models
from babelforge.flows.export.rows import SUBSETS
from babelforge.flows.make_shard import make_shard
from babelforge.flows.store import RunStore
from babelforge.recipes.catalog import RECIPES, recipe, recipe_of
from babelforge.recipes.stage import StageContext
from babelforge.recipes.syndarin import MINE
from babelforge.schemas.config import MiningConfig, RunConfig, SyndarinConfig
from babelforge.schemas.gold_config import GoldConfig
from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.records import Document, ParallelPair
from babelforge.schemas.verdict import Rejected, Verdict
from babelforge.validators.instr_candidate import InstructionCandidate


def test_every_stage_name_is_declared_once_under_its_recipe() -> None:
    names = [stage.name for r in RECIPES for stage in r.stages]
    assert len(names) == len(set(names)) == 16
    for declared in RECIPES:
        for stage in declared.stages:
            assert stage.name.startswith(f"{declared.name}.")
            assert recipe_of(stage.name) == declared.name


def test_a_stage_reads_a_source_or_an_earlier_stage_of_its_recipe() -> None:
    for declared in RECIPES:
        earlier: set[str] = set()
        for stage in declared.stages:
            assert stage.upstream is None or stage.upstream in earlier, stage.name
            earlier.add(stage.name)


def test_export_subsets_and_gold_stages_name_declared_stages() -> None:
    declared = {stage.name for r in RECIPES for stage in r.stages}
    assert [s.name for s in SUBSETS] == [
        "syndarin", "instructions-mits", "instructions-taco",
        "hallucination-qa", "hallucination-spans",
    ]  # fmt: skip
    for subset in SUBSETS:
        assert set(subset.stages) <= declared and set(subset.gold_stages) <= declared
        assert subset.gold_kind == recipe(subset.recipe).gold_kind


def test_the_gold_check_reads_each_kinds_stages_and_record_types_from_the_recipes() -> None:
    assert KINDS == ("mcq", "instruction", "hallucination")
    assert gold_stages(GoldConfig()) == {
        "mcq": ("syndarin.validate",),
        "instruction": ("instructions.validate",),
        "hallucination": ("hallucination.*",),
    }
    assert kind_models("instruction")["InstructionCandidate"] is InstructionCandidate


def _pair(n: int) -> ParallelPair:
    return ParallelPair(
        id=f"pair-{n}",
        source=Document(id=f"en-{n}", language="en", title="Yerevan", text="Yerevan is old."),
        target=Document(id=f"hy-{n}", language="hy", title="Երևան", text="Երևանը հին է։"),
        length_ratio=1.0,
        alignment_score=1.0,
    )


def test_mining_rejects_are_stored_under_the_declared_stage_name(tmp_path: Path) -> None:
    config = RunConfig(
        name="names",
        run_dir=str(tmp_path / "run"),
        languages=("hy",),
        syndarin=SyndarinConfig(mining=MiningConfig(source_paths=("unused",))),
    )
    short = Verdict(validator="length_ratio", keep=False, reason="length_ratio.too_short")
    batch = [_pair(0), Rejected[ParallelPair](stage="mine", record=_pair(1), verdicts=(short,))]
    store = RunStore(config.run_dir)
    context = StageContext(
        config=config, language="hy", index=0, offset=0, client=None, store=store
    )
    stage = recipe("syndarin").stage(MINE)

    outcome: ShardOutcome[ParallelPair] = asyncio.run(make_shard(stage, context, batch))
    summary = store.write_shard(MINE, "hy", 0, outcome, stage.output)

    assert [r.stage for r in outcome.rejected] == ["syndarin.mine"]
    assert [r.stage for r in store.rejected(MINE, "hy", ParallelPair)] == ["syndarin.mine"]
    assert summary.output == "ParallelPair"
    assert (summary.n_input, summary.accepted, summary.rejected) == (2, 1, 1)
