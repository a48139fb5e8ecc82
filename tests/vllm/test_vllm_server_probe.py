"""`structured_output: auto` and `check-endpoint` against a real vLLM OpenAI-compatible server."""

from babelforge.generators.backends import llm_endpoint
from babelforge.generators.endpoint_check import check_endpoint
from babelforge.generators.endpoint_probe import probe_structured, try_mode
from babelforge.schemas.config import LLMConfig
from tests.vllm.conftest import SERVED_NAME


def test_auto_picks_json_schema_on_vllm(vllm_server: str) -> None:
    assert try_mode(vllm_server, SERVED_NAME, "json_schema").parsed
    assert probe_structured(vllm_server, SERVED_NAME) == "json_schema"


def test_a_run_against_vllm_starts_in_json_schema_mode(vllm_server: str) -> None:
    config = LLMConfig(backend="openai", base_url=vllm_server, model=SERVED_NAME)
    with llm_endpoint(config) as ready:
        assert ready.structured_output == "json_schema"


def test_check_endpoint_sees_vllm_models_modes_and_metrics(vllm_server: str) -> None:
    report = check_endpoint(vllm_server)
    assert report.served == (SERVED_NAME,)
    assert report.chosen == "json_schema"
    assert all(t.accepted for t in report.trials)
    assert report.vllm_metrics
    assert report.completion_tokens > 0
