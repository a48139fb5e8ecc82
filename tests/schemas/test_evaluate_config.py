"""The `evaluate:` section of a run config and the model specs it names."""

from pathlib import Path

import pytest

from babelforge.generators.evaluate.endpoints import llm_for, parse_model_option
from babelforge.schemas.config import load_config
from babelforge.schemas.errors import ConfigError


def test_a_run_config_carries_an_evaluate_section(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text(
        "name: armenian-qa\nrun_dir: out/hy\nlanguages: [hy]\n"
        "evaluate:\n  models:\n    smollm: embedded\n    qwen7b: http://127.0.0.1:8000/v1\n"
        "  configs: ['syndarin-*']\n",
        "utf-8",
    )
    config = load_config(path)
    assert config.evaluate is not None
    assert config.evaluate.models == {"smollm": "embedded", "qwen7b": "http://127.0.0.1:8000/v1"}
    assert config.evaluate.splits == ("test", "gold")


def test_a_bad_model_spec_names_the_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text(
        "name: armenian-qa\nrun_dir: out/hy\nlanguages: [hy]\n"
        "evaluate:\n  models:\n    qwen7b: gpu1:8000\n",
        "utf-8",
    )
    with pytest.raises(ConfigError, match=r"run\.yaml:5: field 'evaluate\.models'.*gpu1:8000"):
        load_config(path)


def test_an_endpoint_url_asks_for_the_model_by_its_name() -> None:
    llm = llm_for(*parse_model_option("Qwen2.5-7B-Instruct=http://127.0.0.1:8000/v1/"))
    assert (llm.backend, llm.base_url, llm.model) == (
        "openai",
        "http://127.0.0.1:8000/v1",
        "Qwen2.5-7B-Instruct",
    )


def test_an_llm_file_is_read_at_its_top_level_or_under_llm(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(
        "llm:\n  backend: openai\n  base_url: http://127.0.0.1:8000/v1\n  model: big\n"
        "  api_key_env: VLLM_KEY\n",
        "utf-8",
    )
    llm = llm_for("big", str(path))
    assert (llm.model, llm.api_key_env) == ("big", "VLLM_KEY")
    path.write_text("backend: openai\nmax_concurrency: 0\n", "utf-8")
    with pytest.raises(ConfigError, match=r"big\.yaml: field 'max_concurrency'"):
        llm_for("big", str(path))
