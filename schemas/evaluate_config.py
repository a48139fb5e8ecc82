"""Config of `babelforge evaluate`: which models answer an export's benchmark configs, and how.

A model is named by one string, the same on the command line (`--model NAME=SPEC`) and in a
run config's `evaluate.models` mapping: `embedded` (the bundled llama.cpp model, started for
the evaluation), an OpenAI-compatible endpoint URL (`http://gpu1:8000/v1`; the model name
sent is NAME), or the path of a YAML file holding an `llm:`-shaped section (backend, base_url,
model, api_key_env, ...), for endpoints that need a key or other settings.
"""

import re

from pydantic import Field, field_validator

from babelforge.schemas.base import Record
from babelforge.schemas.provenance import SamplingParams

MODEL_NAME = re.compile(r"^[A-Za-z0-9._-]+$")
DEFAULT_CONFIGS = ("syndarin-*", "hallucination-qa-*")


def model_spec_kind(spec: str) -> str:
    """`embedded`, `url` or `file` for a model spec; ValueError for anything else."""
    if spec == "embedded":
        return "embedded"
    if spec.startswith(("http://", "https://")):
        return "url"
    if spec.endswith((".yaml", ".yml")):
        return "file"
    raise ValueError(
        f"model spec {spec!r} is neither 'embedded', an http(s) endpoint URL nor a .yaml file"
    )


class EvaluateConfig(Record):
    """Models to benchmark, the configs and splits they answer, and the judge of hallucinations.

    `configs` are shell patterns over the export's config names. `judge` marks unsupported
    spans in the hallucination answers (same spec syntax; None: the first model judges).
    `max_items` bounds the items per config and split (None: all of them).
    """

    models: dict[str, str] = Field(min_length=1, description="name -> model spec")
    configs: tuple[str, ...] = DEFAULT_CONFIGS
    splits: tuple[str, ...] = ("test", "gold")
    judge: str | None = None
    english: bool = Field(default=True, description="also ask every MCQ item in English")
    logprobs: bool = Field(
        default=True, description="ask for the letters' log-probabilities as a second score"
    )
    top_logprobs: int = Field(default=10, ge=4, le=20)
    max_items: int | None = Field(default=None, ge=1)
    sampling: SamplingParams = SamplingParams(temperature=0.0, top_p=1.0, max_tokens=24, seed=0)
    answer_sampling: SamplingParams = SamplingParams(
        temperature=0.0, top_p=1.0, max_tokens=192, seed=0
    )
    judge_sampling: SamplingParams = SamplingParams(
        temperature=0.0, top_p=1.0, max_tokens=384, seed=0
    )
    parse_retries: int = Field(default=1, ge=0)
    folder: str = Field(default="evaluation", description="inside the export folder")

    @field_validator("models")
    @classmethod
    def _model_specs(cls, models: dict[str, str]) -> dict[str, str]:
        for name, spec in models.items():
            if not MODEL_NAME.match(name):
                raise ValueError(f"model name {name!r} must match {MODEL_NAME.pattern}")
            model_spec_kind(spec)
        return models

    @field_validator("judge")
    @classmethod
    def _judge_spec(cls, judge: str | None) -> str | None:
        if judge is not None:
            model_spec_kind(judge)
        return judge
