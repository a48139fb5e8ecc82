"""The OpenAI-compatible adapter against the real llama.cpp server with the bundled model."""

import asyncio
from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from babelforge.generators.accounting import Accounting
from babelforge.generators.cache import CachedClient
from babelforge.generators.cache_store import open_segment
from babelforge.generators.client import ChatRequest, user_message
from babelforge.generators.embedded import EmbeddedServer
from babelforge.generators.errors import EndpointError, LLMError
from babelforge.generators.mcq import MCQPayload
from babelforge.generators.openai_client import OpenAICompatibleClient
from babelforge.generators.structured import Parsed, Unparsed, ask_structured
from babelforge.schemas.endpoint_config import Timeouts
from babelforge.schemas.provenance import SamplingParams
from tests.generators.fault_proxy import FAULTS, FaultProxy

PARAGRAPH = (
    "Mount Aragats is the highest peak of Armenia, at 4,090 metres. It is a volcano with four "
    "summits, and the Byurakan Observatory was built on its slopes in 1946."
)
SAMPLING = SamplingParams(temperature=0.2, max_tokens=120, seed=7)


def _prompt(i: int) -> str:
    return (
        "Write one multiple-choice question about the paragraph, with exactly 4 options and "
        f"the index of the correct one. Question number {i}.\nParagraph: {PARAGRAPH}"
    )


def _client(base_url: str, model: str, **kw: object) -> OpenAICompatibleClient:
    return OpenAICompatibleClient(
        base_url,
        model,
        backend="llama.cpp",
        structured="json_object",
        **kw,  # type: ignore[arg-type]
    )


async def test_structured_mcq_payloads_parse(embedded_server: EmbeddedServer) -> None:
    client = _client(embedded_server.base_url, embedded_server.model, max_concurrency=2)
    outcomes = await asyncio.gather(
        *(
            ask_structured(client, user_message(_prompt(i)), MCQPayload, sampling=SAMPLING)
            for i in range(3)
        )
    )
    await client.aclose()
    # The grammar fixes the shape; the tiny model may still ramble inside a string until
    # max_tokens, which must come back as an accounted failure with its raw text.
    parsed = [o for o in outcomes if isinstance(o, Parsed)]
    assert parsed, outcomes
    for p in parsed:
        assert len(p.payload.options) == 4
        assert p.payload.answer_index in (0, 1, 2, 3)
        assert p.reply.usage.completion_tokens > 0
    for u in outcomes:
        if isinstance(u, Unparsed):
            assert u.reason == "llm.unparseable" and u.raw_text, u


async def test_concurrency_never_exceeds_the_bound(embedded_server: EmbeddedServer) -> None:
    client = _client(embedded_server.base_url, embedded_server.model, max_concurrency=2)
    await asyncio.gather(
        *(
            ask_structured(
                client,
                user_message(f"Say hello number {i} as JSON."),
                MCQPayload,
                sampling=SAMPLING.model_copy(update={"max_tokens": 16}),
                parse_retries=0,
            )
            for i in range(6)
        )
    )
    await client.aclose()
    assert client.limiter.peak_in_flight == 2


async def test_rerun_is_served_from_cache_with_zero_requests(
    embedded_server: EmbeddedServer, tmp_path: Path
) -> None:
    with FaultProxy(embedded_server.base_url, every=10**9).running() as proxy:
        for run in range(2):
            accounting = Accounting()
            inner = _client(proxy.base_url, embedded_server.model, accounting=accounting)
            async with open_segment(str(tmp_path / "cache")) as cache:  # read back from disk
                client = CachedClient(inner, accounting, cache)
                await asyncio.gather(
                    *(
                        ask_structured(
                            client, user_message(_prompt(i)), MCQPayload, sampling=SAMPLING
                        )
                        for i in range(3)
                    )
                )
            await inner.aclose()
            if run == 0:
                first_forwarded = proxy.forwarded
                assert accounting.total().requests == first_forwarded >= 3
        assert proxy.forwarded == first_forwarded
        assert accounting.total().requests == 0
        assert accounting.total().cached_requests >= 3


class Capital(BaseModel):
    city: str = Field(min_length=1, max_length=40)


async def test_faults_end_as_results_or_accounted_failures(embedded_server: EmbeddedServer) -> None:
    countries = ["Armenia", "Germany", "France", "Kenya", "India", "Japan", "Peru", "Egypt"]
    with FaultProxy(embedded_server.base_url, every=5, hang_s=12).running() as proxy:
        client = _client(
            proxy.base_url,
            embedded_server.model,
            max_concurrency=2,
            timeouts=Timeouts(first_byte_s=8, total_s=8),  # the hang outlasts it
            max_retries=6,
            backoff_base_s=0.1,
        )
        outcomes = await asyncio.gather(
            *(
                ask_structured(
                    client,
                    user_message(f"What is the capital of {countries[i % 8]}? ({i})"),
                    Capital,
                    sampling=SamplingParams(temperature=0.2, max_tokens=24, seed=i),
                    parse_retries=2,
                )
                for i in range(32)
            )
        )
        await client.aclose()
    assert len(outcomes) == 32
    assert set(proxy.injected) == set(FAULTS), proxy.injected  # 20% of requests, every kind
    # Transport faults are absorbed by retries; what is left is the tiny model's own output,
    # each failure kept with its raw text.
    for o in outcomes:
        assert isinstance(o, Parsed | Unparsed)
        if isinstance(o, Unparsed):
            assert o.reason == "llm.unparseable", o
            assert o.raw_text is not None
    assert sum(isinstance(o, Parsed) for o in outcomes) > len(outcomes) // 2
    transport_faults = sum(proxy.injected.values()) - proxy.injected["malformed_content"]
    assert client.accounting.retries >= transport_faults


async def test_identical_requests_in_flight_are_sent_once(embedded_server: EmbeddedServer) -> None:
    with FaultProxy(embedded_server.base_url, every=10**9).running() as proxy:
        accounting = Accounting()
        inner = _client(proxy.base_url, embedded_server.model, max_concurrency=4)
        client = CachedClient(inner, accounting)  # no segment: the run-wide client
        request = ChatRequest(
            messages=user_message("Name one river in Armenia."),
            sampling=SamplingParams(temperature=0.0, max_tokens=16, seed=0),
        )
        replies = await asyncio.gather(*(client.complete(request) for _ in range(4)))
        await inner.aclose()
    assert proxy.forwarded == 1
    assert len({r.text for r in replies}) == 1
    assert accounting.total().cached_requests == 3


async def test_a_wrong_key_stops_at_the_first_request(embedded_server: EmbeddedServer) -> None:
    unauthorized = (401, "Incorrect API key provided")
    with FaultProxy(embedded_server.base_url, always=unauthorized).running() as proxy:
        client = _client(proxy.base_url, embedded_server.model, backoff_base_s=0.01)
        with pytest.raises(EndpointError, match="HTTP 401") as error:
            await client.complete(ChatRequest(messages=user_message("Բարև, ինչպե՞ս ես")))
        await client.aclose()
    assert proxy.requests == 1
    assert "llm.api_key_env" in error.value.fix and error.value.exit_code == 3


async def test_a_bad_request_fails_its_record_without_retries(
    embedded_server: EmbeddedServer,
) -> None:
    refused = (422, "Unprocessable Entity: field 'max_tokens' must be positive")
    with FaultProxy(embedded_server.base_url, always=refused).running() as proxy:
        client = _client(proxy.base_url, embedded_server.model, backoff_base_s=0.01)
        outcome = await ask_structured(
            client, user_message(_prompt(0)), MCQPayload, sampling=SAMPLING, parse_retries=0
        )
        await client.aclose()
    assert isinstance(outcome, Unparsed) and outcome.reason == "llm.request_failed"
    assert "HTTP 422" in outcome.error
    assert proxy.requests == 1


async def test_llama_cpp_refusing_json_schema_is_not_retried_five_times(
    embedded_server: EmbeddedServer,
) -> None:
    """The real server answers HTTP 500 with the same validation error to `json_schema`."""
    client = OpenAICompatibleClient(
        embedded_server.base_url, embedded_server.model, structured="json_schema",
        backoff_base_s=0.01, max_retries=5,
    )  # fmt: skip
    outcome = await ask_structured(
        client, user_message(_prompt(1)), MCQPayload, sampling=SAMPLING, parse_retries=0
    )
    assert isinstance(outcome, Unparsed) and outcome.reason == "llm.request_failed"
    assert "HTTP 500" in outcome.error and "json_object" in outcome.error
    assert client.accounting.retries == 1  # seen twice, the same validation error: stop
    await client.aclose()


async def test_every_request_failing_alike_stops_the_stage_with_one_line(
    embedded_server: EmbeddedServer,
) -> None:
    client = OpenAICompatibleClient(
        embedded_server.base_url, embedded_server.model, structured="json_schema",
        backoff_base_s=0.01, fatal_after=3,
    )  # fmt: skip
    outcomes: list[object] = []
    with pytest.raises(EndpointError) as error:
        for i in range(8):
            outcomes.append(
                await ask_structured(
                    client,
                    user_message(_prompt(i)),
                    MCQPayload,
                    sampling=SAMPLING,
                    parse_retries=0,
                )
            )
    await client.aclose()
    assert len(outcomes) == 2  # the third identical failure stops the stage
    line = str(error.value)
    assert "\n" not in line
    assert embedded_server.base_url in line and "structured_output" in error.value.fix


async def test_one_success_keeps_later_failures_per_record(
    embedded_server: EmbeddedServer,
) -> None:
    with FaultProxy(embedded_server.base_url, every=10**9).running() as proxy:
        client = _client(proxy.base_url, embedded_server.model, fatal_after=2)
        await client.complete(
            ChatRequest(messages=user_message("Nenne einen Fluss in Deutschland."),
                        sampling=SamplingParams(max_tokens=8, seed=1))
        )  # fmt: skip
        proxy.always = (400, "prompt is too long for this model")
        for _ in range(3):
            with pytest.raises(LLMError, match="HTTP 400"):
                await client.complete(ChatRequest(messages=user_message("Wie lang ist der Rhein?")))
        await client.aclose()
