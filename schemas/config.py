"""The run configuration: a YAML file on disk becomes a typed, validated model."""

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator

from babelforge.schemas.base import Record
from babelforge.schemas.cache_config import CacheConfig
from babelforge.schemas.delivery_config import ExportConfig, TrackingConfig
from babelforge.schemas.endpoint_config import EndpointConfig, Timeouts
from babelforge.schemas.errors import ConfigError
from babelforge.schemas.evaluate_config import EvaluateConfig
from babelforge.schemas.execution_config import ExecutionConfig
from babelforge.schemas.gold_config import GoldConfig
from babelforge.schemas.hallucination_config import HallucinationConfig
from babelforge.schemas.instructions_config import InstructionsConfig
from babelforge.schemas.judge_config import JudgeSettings
from babelforge.schemas.languages import LanguageCode
from babelforge.schemas.provenance import SamplingParams
from babelforge.schemas.secrets import remember
from babelforge.schemas.validator_config import TranslationCheckSettings
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
    model_pack: str | None = Field(
        default=None,
        description="embedded backend: the model pack to serve (`babelforge models` lists "
        "them); default smollm2-135m-instruct",
    )
    model_path: str | None = Field(
        default=None, description="embedded backend: a GGUF file to serve instead of a pack"
    )
    structured_output: StructuredMode = Field(
        default="auto",
        description="auto probes the endpoint once (json_schema, then json_object + schema, "
        "then the schema in the prompt); an explicit mode is used as given",
    )
    max_concurrency: int = Field(default=4, ge=1, le=1024)
    timeouts: Timeouts = Timeouts()
    endpoints: tuple[EndpointConfig, ...] = Field(
        default=(),
        description="several OpenAI-compatible servers of the same model, used together "
        "instead of base_url",
    )
    max_retries: int = Field(default=5, ge=0)
    parse_retries: int = Field(default=2, ge=0)
    sampling: SamplingParams = SamplingParams()
    context_length: int = Field(default=2048, ge=256)
    engine_options: dict[str, str | int | float | bool] = {}

    @property
    def total_concurrency(self) -> int:
        """Requests in flight at most, over every endpoint."""
        if not self.endpoints:
            return self.max_concurrency
        return sum(e.budget(self.max_concurrency) for e in self.endpoints)

    @model_validator(mode="before")
    @classmethod
    def _timeout_s(cls, data: object) -> object:
        """The old single `timeout_s` still reads: it bounds the reply and the attempt."""
        if isinstance(data, dict) and "timeout_s" in data:
            data = dict(data)
            seconds = data.pop("timeout_s")
            given = data.get("timeouts") or {}
            data["timeouts"] = {"first_byte_s": seconds, "total_s": seconds, **given}
        return data

    @model_validator(mode="after")
    def _one_embedded_model(self) -> "LLMConfig":
        if self.model_pack is not None and self.model_path is not None:
            raise ValueError("give llm.model_pack or llm.model_path, not both")
        if (self.model_pack or self.model_path) and self.backend != "embedded":
            raise ValueError("llm.model_pack and llm.model_path are for the embedded backend")
        if self.endpoints and (self.base_url is not None or self.backend != "openai"):
            raise ValueError(
                "llm.endpoints replaces llm.base_url: give one of them, with backend: openai"
            )
        return self

    def api_key(self, environ: dict[str, str]) -> SecretStr | None:
        """Return the key from the environment, never from the file."""
        if self.api_key_env is None:
            return None
        value = environ.get(self.api_key_env)
        remember(value)
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
    "protected_spans",
    "langid",
    "copy",
    "answer_match",
    "numbers",
    "roundtrip_chrf",
    "length_ratio",
    "near_duplicate",
    "qa_judge",
    "mqm_judge",
]
# Names of earlier releases, still read from configs.
_RENAMED_CHECKS = {"llm_judge": "qa_judge"}


class ValidatorSettings(TranslationCheckSettings):
    """Which SynDARin checks run, in this order, and their thresholds.

    The LLM judges (`qa_judge`, `mqm_judge`) are set by `judges` and run last, on the
    records every cheap check kept; naming one in `enabled` is allowed, not needed.
    """

    enabled: tuple[ValidatorName, ...] = (
        "options",
        "protected_spans",
        "langid",
        "copy",
        "answer_match",
        "numbers",
        "roundtrip_chrf",
        "length_ratio",
        "near_duplicate",
    )
    answer_match_threshold: float = Field(default=70.0, ge=0, le=100)
    judges: JudgeSettings = JudgeSettings()

    @field_validator("enabled", mode="before")
    @classmethod
    def _renamed(cls, value: object) -> object:
        if isinstance(value, list | tuple):
            return tuple(_RENAMED_CHECKS.get(v, v) if isinstance(v, str) else v for v in value)
        return value


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
    translation_mode: Literal["per_field", "batched"] = Field(
        default="per_field",
        description="'batched' translates question and four options in one request each way "
        "(2 requests an item instead of 10); 'per_field' sends one request per text",
    )
    validators: ValidatorSettings = ValidatorSettings()


class RunConfig(Record):
    """One run of the factory."""

    name: str = Field(pattern=r"^[A-Za-z0-9._-]+$")
    run_dir: str
    source_language: LanguageCode = "en"
    languages: tuple[LanguageCode, ...] = Field(min_length=1)
    llm: LLMConfig = LLMConfig()
    shard_size: int = Field(default=200, ge=1)
    execution: ExecutionConfig = ExecutionConfig()
    syndarin: SyndarinConfig | None = None
    instructions: InstructionsConfig | None = None
    hallucination: HallucinationConfig | None = None
    gold: GoldConfig | None = None
    export: ExportConfig = ExportConfig()
    tracking: TrackingConfig = TrackingConfig()
    evaluate: EvaluateConfig | None = None
    cache: CacheConfig = CacheConfig()


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
