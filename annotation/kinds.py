"""The record kinds a person checks, the records each reads, and its Label Studio config."""

from pathlib import Path

from pydantic import BaseModel

from babelforge.schemas.gold_config import GoldKind
from babelforge.schemas.records import HallucinationSample, InstructionRecord, TranslatedMCQ
from babelforge.validators.instr_candidate import InstructionCandidate

CONFIGS = Path(__file__).parent / "configs"

KINDS: tuple[GoldKind, ...] = ("mcq", "instruction", "hallucination")

# The record models a stage of each kind may hold, most informative first: the instruction
# validators judge an InstructionCandidate (English source + translation), which lets the
# annotator compare both; a stage of plain InstructionRecords has no English beside it.
SHAPES: dict[GoldKind, tuple[type[BaseModel], ...]] = {
    "mcq": (TranslatedMCQ,),
    "instruction": (InstructionCandidate, InstructionRecord),
    "hallucination": (HallucinationSample,),
}

GoldSubject = TranslatedMCQ | InstructionCandidate | InstructionRecord | HallucinationSample


def label_config(kind: GoldKind) -> str:
    """The Label Studio XML of a kind, shipped in annotation/configs/."""
    return (CONFIGS / f"{kind}.xml").read_text(encoding="utf-8")


def project_title(prefix: str, kind: GoldKind) -> str:
    """The Label Studio project of one kind: runs share it, told apart by model_version."""
    return f"{prefix} gold {kind}"
