"""`structured_output: auto`: one probe per endpoint picks the mode the server accepts."""

from pathlib import Path

import pytest

from babelforge.generators.backends import llm_endpoint
from babelforge.generators.client import user_message
from babelforge.generators.embedded import EmbeddedServer
from babelforge.generators.endpoint_check import check_endpoint
from babelforge.generators.endpoint_probe import (
    check_model,
    probe_structured,
    resolve_structured,
    try_mode,
)
from babelforge.generators.errors import EndpointError
from babelforge.generators.local_process import free_port
from babelforge.generators.mcq import MCQPayload
from babelforge.generators.openai_client import OpenAICompatibleClient
from babelforge.generators.structured import Parsed, ask_structured
from babelforge.schemas.config import LLMConfig
from babelforge.schemas.provenance import SamplingParams
from tests.generators.fault_proxy import FaultProxy

pytestmark = pytest.mark.slow


def test_llama_cpp_refuses_json_schema_and_auto_picks_json_object(
    embedded_server: EmbeddedServer,
) -> None:
    refused = try_mode(embedded_server.base_url, embedded_server.model, "json_schema")
    assert refused.status == 500 and "json_object" in refused.detail
    assert probe_structured(embedded_server.base_url, embedded_server.model) == "json_object"


def test_a_server_without_structured_output_gets_the_schema_in_the_prompt(
    embedded_server: EmbeddedServer,
) -> None:
    with FaultProxy(embedded_server.base_url, refuse_response_format=True).running() as proxy:
        assert probe_structured(proxy.base_url, embedded_server.model) == "none"
        assert proxy.requests == 2  # json_schema and json_object, one request each


async def test_none_mode_still_yields_a_parsed_payload(embedded_server: EmbeddedServer) -> None:
    with FaultProxy(embedded_server.base_url, refuse_response_format=True).running() as proxy:
        client = OpenAICompatibleClient(proxy.base_url, embedded_server.model, structured="none")
        outcome = await ask_structured(
            client,
            user_message(
                "Write one multiple-choice question about Lake Sevan in Armenia, with 4 "
                "options and the index of the correct one."
            ),
            MCQPayload,
            sampling=SamplingParams(temperature=0.2, max_tokens=160, seed=3),
            parse_retries=3,
        )
        await client.aclose()
    assert proxy.requests >= 1
    if isinstance(outcome, Parsed):
        assert len(outcome.payload.options) == 4
    else:  # the tiny model may not manage it, but the reply is kept, never a 400
        assert outcome.reason == "llm.unparseable" and outcome.raw_text, outcome


def test_an_explicit_mode_is_never_probed() -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens: a probe would fail
    assert resolve_structured(nowhere, "any-model", "json_schema") == "json_schema"
    assert resolve_structured(nowhere, "any-model", "none") == "none"


def test_auto_is_probed_once_per_endpoint(embedded_server: EmbeddedServer) -> None:
    with FaultProxy(embedded_server.base_url, every=10**9).running() as proxy:
        first = resolve_structured(proxy.base_url, embedded_server.model, "auto")
        sent = proxy.requests
        again = resolve_structured(proxy.base_url, embedded_server.model, "auto")
    assert first == again == "json_object"
    assert proxy.requests == sent == 2


def test_a_model_the_server_does_not_serve_is_reported_with_the_served_names(
    embedded_server: EmbeddedServer,
) -> None:
    with pytest.raises(EndpointError, match=embedded_server.model) as error:
        check_model(embedded_server.base_url, "gpt-4o-mini")
    assert "gpt-4o-mini" in str(error.value) and "llm.model" in error.value.fix


def test_the_run_start_checks_the_model_before_any_work(
    embedded_server: EmbeddedServer, tmp_path: Path
) -> None:
    config = LLMConfig(
        backend="openai", base_url=embedded_server.base_url, model="Qwen/Qwen2.5-72B-Instruct"
    )
    with pytest.raises(EndpointError, match="does not serve"), llm_endpoint(config):
        pytest.fail("the endpoint must not be yielded")


def test_the_run_start_resolves_auto_to_the_probed_mode(embedded_server: EmbeddedServer) -> None:
    config = LLMConfig(
        backend="openai", base_url=embedded_server.base_url, model=embedded_server.model
    )
    with llm_endpoint(config) as ready:
        assert ready.structured_output == "json_object"
    explicit = config.model_copy(update={"structured_output": "none"})
    with llm_endpoint(explicit) as ready:
        assert ready.structured_output == "none"


def test_an_unreachable_endpoint_stops_the_start_with_the_fix() -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(EndpointError, match="cannot be reached") as error:
        check_model(nowhere, "m")
    assert "llm.base_url" in error.value.fix


def test_check_endpoint_reports_models_modes_speed_and_metrics(
    embedded_server: EmbeddedServer,
) -> None:
    report = check_endpoint(embedded_server.base_url)
    assert report.served == (embedded_server.model,)
    assert [t.mode for t in report.trials] == ["json_schema", "json_object", "none"]
    assert [t.accepted for t in report.trials] == [False, True, True]
    assert report.chosen == "json_object"
    assert report.completion_tokens > 0 and report.tokens_per_s > 0
    assert report.vllm_metrics is False  # llama-cpp-python serves no /metrics
