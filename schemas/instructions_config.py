"""Config of the MITS/TaCo instruction recipe."""

from typing import Literal

from pydantic import Field, model_validator

from babelforge.schemas.base import Record

InstructionShape = Literal["auto", "alpaca", "dolly", "sharegpt"]
InstructionValidator = Literal["langid", "protected", "markdown", "length", "copy", "roundtrip"]
ProtectKind = Literal[
    "code_block", "inline_code", "url", "tag", "placeholder", "quoted_name", "number"
]


class LengthBounds(Record):
    """Accepted range of translated/English character ratio for one script."""

    min_ratio: float = Field(gt=0)
    max_ratio: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> "LengthBounds":
        if self.max_ratio <= self.min_ratio:
            raise ValueError(f"max_ratio {self.max_ratio} must exceed min_ratio {self.min_ratio}")
        return self


class InstructionValidatorSettings(Record):
    """Which instruction validators run, and their thresholds."""

    enabled: tuple[InstructionValidator, ...] = (
        "copy",
        "protected",
        "markdown",
        "langid",
        "length",
        "roundtrip",
    )
    chrf_threshold: float = Field(
        default=25.0, ge=0, le=100, description="minimum round-trip chrF of a record's prose"
    )
    copy_similarity: float = Field(
        default=90.0, ge=0, le=100, description="prose this similar to the English is a copy"
    )
    min_prose_chars: int = Field(
        default=12, ge=1, description="fields with less prose are not judged by ratio or langid"
    )
    langid_min_confidence: float = Field(default=0.5, ge=0, le=1)
    length_bounds: dict[str, LengthBounds] = Field(
        default={},
        description="per ISO 15924 script (e.g. 'Hani'), overrides the built-in ratio bounds",
    )


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
