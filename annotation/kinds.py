"""The record kinds a person checks, the stages and records each reads (from the recipe
declarations), and its Label Studio config."""

from pathlib import Path

from pydantic import BaseModel

from babelforge.recipes.catalog import RECIPES
from babelforge.schemas.gold_config import GoldConfig, GoldKind
from babelforge.schemas.records import HallucinationSample, InstructionRecord, TranslatedMCQ
from babelforge.validators.instr_candidate import InstructionCandidate

CONFIGS = Path(__file__).parent / "configs"

KINDS: tuple[GoldKind, ...] = tuple(dict.fromkeys(recipe.gold_kind for recipe in RECIPES))

GoldSubject = TranslatedMCQ | InstructionCandidate | InstructionRecord | HallucinationSample


def kind_models(kind: GoldKind) -> dict[str, type[BaseModel]]:
    """The record types the stages of a kind's recipes declare, by name (as shard markers
    record them)."""
    return {
        stage.output.__name__: stage.output
        for recipe in RECIPES
        if recipe.gold_kind == kind
        for stage in recipe.stages
    }


def gold_stages(config: GoldConfig) -> dict[GoldKind, tuple[str, ...]]:
    """The stage patterns of each kind: the config's, else the recipes' declared ones."""
    if config.stages is not None:
        return config.stages
    out: dict[GoldKind, tuple[str, ...]] = {}
    for recipe in RECIPES:
        out[recipe.gold_kind] = (*out.get(recipe.gold_kind, ()), *recipe.gold_stages)
    return out


def label_config(kind: GoldKind) -> str:
    """The Label Studio XML of a kind, shipped in annotation/configs/."""
    return (CONFIGS / f"{kind}.xml").read_text(encoding="utf-8")


def project_title(prefix: str, kind: GoldKind) -> str:
    """The Label Studio project of one kind: runs share it, told apart by model_version."""
    return f"{prefix} gold {kind}"
