"""The run configuration: a YAML file on disk becomes a typed, validated model."""

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, model_validator

from babelforge.schemas.base import Record
from babelforge.schemas.delivery_config import ExportConfig, TrackingConfig
from babelforge.schemas.errors import ConfigError
from babelforge.schemas.gold_config import GoldConfig
from babelforge.schemas.hallucination_config import HallucinationConfig
from babelforge.schemas.instructions_config import InstructionsConfig
from babelforge.schemas.languages import LanguageCode
from babelforge.schemas.provenance import SamplingParams
from babelforge.schemas.yaml_lines import load_yaml_with_lines

Backend = Literal["embedded", "openai", "vllm-engine"]
StructuredMode = Literal["auto", "json_schema", "json_object", "none"]


class LLMConfig(Record):
    """Which model to call and how; the API key is read from the environment variable named."""

    backend: Backend = "embedded"
    base_url: str | None = None
    model: str = "smollm2-135m-instruct"
    api_key_env: str | None = Field(
        default=None, description="name of the environment variable that holds the API key"
    )
    structured_output: StructuredMode = "auto"
    max_concurrency: int = Field(default=4, ge=1, le=1024)
    timeout_s: float = Field(default=120.0, gt=0)
    max_retries: int = Field(default=5, ge=0)
    parse_retries: int = Field(default=2, ge=0)
    sampling: SamplingParams = SamplingParams()
    context_length: int = Field(default=2048, ge=256)
    engine_options: dict[str, str | int | float | bool] = {}

    def api_key(self, environ: dict[str, str]) -> SecretStr | None:
        """Return the key from the environment, never from the file."""
        if self.api_key_env is None:
            return None
        value = environ.get(self.api_key_env)
        return SecretStr(value) if value else None


class MiningConfig(Record):
    """Where the parallel content comes from and which pairs to keep."""

    source_paths: tuple[str, ...] = ()
    target_paths: dict[LanguageCode, tuple[str, ...]] = {}
    paired_path: str | None = Field(
        default=None, description="pre-paired JSONL; used instead of source_paths/target_paths"
    )
    langlinks_path: str | None = None
    pair_by: Literal["langlinks", "id", "title"] = "langlinks"
    length_unit: Literal["chars", "tokens"] = "chars"
    max_length_ratio: float = Field(default=2.5, gt=1.0)
    min_chars: int = Field(default=120, ge=0)
    min_popularity: float | None = None
    min_alignment: float = Field(default=0.0, ge=0.0, le=1.0)
    max_pairs: int | None = Field(default=None, ge=1)
    intro_max_chars: int = Field(default=1200, ge=100)

    @model_validator(mode="after")
    def _has_source(self) -> "MiningConfig":
        if not self.source_paths and self.paired_path is None:
            raise ValueError("give source_paths (and target_paths) or a paired_path")
        return self


ValidatorName = Literal[
    "options",
    "langid",
    "answer_match",
    "roundtrip_chrf",
    "length_ratio",
    "near_duplicate",
    "numbers",
    "protected_spans",
    "llm_judge",
]


class ValidatorSettings(Record):
    """Thresholds of the translation-validation filters."""

    enabled: tuple[ValidatorName, ...] = (
        "protected_spans",
        "options",
        "langid",
        "answer_match",
        "roundtrip_chrf",
        "length_ratio",
        "near_duplicate",
    )
    answer_match_threshold: float = Field(default=70.0, ge=0, le=100)
    answer_margin: float = Field(default=5.0, ge=0, le=100)
    chrf_threshold: float = Field(default=30.0, ge=0, le=100)
    min_length_ratio: float = Field(default=0.5, gt=0)
    max_length_ratio: float = Field(default=2.0, gt=0)
    near_duplicate_threshold: float = Field(default=0.8, gt=0, le=1)
    langid_min_confidence: float = Field(default=0.7, ge=0, le=1)
    langid_min_letters: int = Field(default=12, ge=0)
    script_min_share: float = Field(default=0.6, ge=0, le=1)
    near_duplicate_num_perm: int = Field(default=128, ge=16)
    judge_max_paragraph_chars: int = Field(default=4000, ge=100)


class SyndarinConfig(Record):
    """SynDARin: mine pairs, write MCQs from English, translate, validate."""

    mining: MiningConfig
    questions_per_paragraph: int = Field(default=2, ge=1, le=20)
    mcq_prompt: Literal["mcq", "mcq_fewshot"] = Field(
        default="mcq",
        description="'mcq_fewshot' adds worked examples: better for capable models, while "
        "tiny ones (the embedded SmolLM2-135M) copy the examples instead",
    )
    answer_in_paragraph_threshold: float = Field(default=80.0, ge=0, le=100)
    validators: ValidatorSettings = ValidatorSettings()


class RunConfig(Record):
    """One run of the factory."""

    name: str = Field(pattern=r"^[A-Za-z0-9._-]+$")
    run_dir: str
    source_language: LanguageCode = "en"
    languages: tuple[LanguageCode, ...] = Field(min_length=1)
    llm: LLMConfig = LLMConfig()
    shard_size: int = Field(default=200, ge=1)
    syndarin: SyndarinConfig | None = None
    instructions: InstructionsConfig | None = None
    hallucination: HallucinationConfig | None = None
    gold: GoldConfig | None = None
    export: ExportConfig = ExportConfig()
    tracking: TrackingConfig = TrackingConfig()


def load_config(path: str | Path) -> RunConfig:
    """Read a YAML run config; a bad one raises ConfigError naming the file, line and field."""
    path = Path(path)
    data, lines = load_yaml_with_lines(path)
    try:
        return RunConfig.model_validate(data)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            loc = tuple(str(p) for p in err["loc"])
            where = ".".join(loc) or "<top>"
            line = lines.get(loc) or _nearest_line(lines, loc)
            at = f"{path}:{line}" if line else str(path)
            problems.append(f"{at}: field '{where}': {err['msg']}")
        raise ConfigError("; ".join(problems) + " (fix the field and run again)") from e


def _nearest_line(lines: dict[tuple[str, ...], int], loc: tuple[str, ...]) -> int | None:
    for n in range(len(loc) - 1, 0, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None
