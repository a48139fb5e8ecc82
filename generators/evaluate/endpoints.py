"""Turn a model spec (`embedded`, an endpoint URL, or an LLM config file) into an LLMConfig."""

from pathlib import Path

from pydantic import ValidationError

from babelforge.schemas.config import LLMConfig
from babelforge.schemas.errors import ConfigError
from babelforge.schemas.evaluate_config import model_spec_kind
from babelforge.schemas.yaml_lines import load_yaml_with_lines


def parse_model_option(option: str) -> tuple[str, str]:
    """`NAME=SPEC` of the command line as (name, spec); ConfigError when malformed."""
    name, sep, spec = option.partition("=")
    if not sep or not name.strip() or not spec.strip():
        raise ConfigError(
            f"--model {option!r}: write NAME=SPEC, e.g. qwen7b=http://127.0.0.1:8000/v1, "
            "smollm=embedded or big=configs/llm-big.yaml"
        )
    return name.strip(), spec.strip()


def llm_for(name: str, spec: str) -> LLMConfig:
    """The LLMConfig a spec names. An endpoint URL is asked for model `name`; a YAML file holds
    the LLMConfig fields, at its top level or under `llm:`."""
    try:
        kind = model_spec_kind(spec)
    except ValueError as e:
        raise ConfigError(f"model {name!r}: {e}") from e
    if kind == "embedded":
        return LLMConfig()
    if kind == "url":
        return LLMConfig(backend="openai", base_url=spec.rstrip("/"), model=name)
    path = Path(spec)
    if not path.is_file():
        raise ConfigError(f"model {name!r}: no LLM config file at {path}")
    data, _ = load_yaml_with_lines(path)
    if isinstance(data, dict) and isinstance(data.get("llm"), dict):
        data = data["llm"]
    try:
        return LLMConfig.model_validate(data)
    except ValidationError as e:
        problems = "; ".join(
            f"field '{'.'.join(str(p) for p in err['loc']) or '<top>'}': {err['msg']}"
            for err in e.errors()
        )
        raise ConfigError(f"{path}: {problems} (fix the LLM config of model {name!r})") from e
