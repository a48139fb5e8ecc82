"""Config of the MITS/TaCo instruction recipe."""

from typing import Literal

from pydantic import Field, field_validator

from babelforge.schemas.base import Record
from babelforge.schemas.judge_config import JudgeSettings
from babelforge.schemas.validator_config import LengthBounds, TranslationCheckSettings

__all__ = ["InstructionValidatorSettings", "InstructionsConfig", "LengthBounds"]

InstructionShape = Literal["auto", "alpaca", "dolly", "sharegpt"]
InstructionValidator = Literal[
    "copy",
    "protected_spans",
    "markdown",
    "langid",
    "numbers",
    "length_ratio",
    "roundtrip_chrf",
    "near_duplicate",
    "mqm_judge",
]
# Names of earlier releases, still read from configs.
_RENAMED_CHECKS = {
    "protected": "protected_spans",
    "length": "length_ratio",
    "roundtrip": "roundtrip_chrf",
}
ProtectKind = Literal[
    "code_block", "inline_code", "url", "tag", "placeholder", "quoted_name", "number"
]


class InstructionValidatorSettings(TranslationCheckSettings):
    """Which instruction checks run, in this order, and their thresholds.

    A copied or empty field explains every other failure, so `copy` comes first by default.
    """

    enabled: tuple[InstructionValidator, ...] = (
        "copy",
        "protected_spans",
        "markdown",
        "langid",
        "numbers",
        "length_ratio",
        "roundtrip_chrf",
    )
    langid_min_confidence: float = Field(default=0.5, ge=0, le=1)
    chrf_threshold: float = Field(
        default=25.0, ge=0, le=100, description="minimum round-trip chrF of a record's prose"
    )
    judges: JudgeSettings = JudgeSettings()

    @field_validator("enabled", mode="before")
    @classmethod
    def _renamed(cls, value: object) -> object:
        if isinstance(value, list | tuple):
            return tuple(_RENAMED_CHECKS.get(v, v) if isinstance(v, str) else v for v in value)
        return value


class InstructionsConfig(Record):
    """Translate instruction sets (Alpaca, Dolly, ShareGPT shapes) and build TaCo records."""

    input_paths: tuple[str, ...] = Field(min_length=1)
    shape: InstructionShape = "auto"
    max_records: int | None = Field(default=None, ge=1)
    protect: tuple[ProtectKind, ...] = (
        "code_block",
        "inline_code",
        "url",
        "tag",
        "placeholder",
        "number",
    )
    translation_prompt: str = Field(
        default="instructions_translate",
        pattern=r"^[A-Za-z0-9_]+$",
        description="prompt template id under generators/prompts/ ('translate': the shared one)",
    )
    translation_temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    max_tokens: int | None = Field(
        default=None, gt=0, description="per translated field; llm.sampling.max_tokens when unset"
    )
    roundtrip_sample_size: int | None = Field(
        default=None,
        ge=1,
        description="records per language in the corpus round-trip report; all when unset",
    )
    validators: InstructionValidatorSettings = InstructionValidatorSettings()
