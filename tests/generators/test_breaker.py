"""The endpoint's circuit breaker, against the real llama.cpp server behind the fault proxy:
an endpoint that stops answering, a closed port and a server failing every request stop the
requests with one line; a failed request is a TransportError (`llm.unavailable`), not a
verdict on its record; a revived endpoint serves again."""

import asyncio

import pytest

from babelforge.generators.client import ChatRequest, user_message
from babelforge.generators.embedded import EmbeddedServer
from babelforge.generators.errors import EndpointDownError, TransportError
from babelforge.generators.local_process import free_port
from babelforge.generators.mcq import MCQPayload
from babelforge.generators.openai_client import OpenAICompatibleClient
from babelforge.generators.structured import Unparsed, ask_structured
from babelforge.schemas.endpoint_config import Timeouts
from babelforge.schemas.provenance import SamplingParams
from tests.generators.fault_proxy import FaultProxy

FAST_DEATH = Timeouts(dead_after_s=1.0)


def _request(i: int) -> ChatRequest:
    return ChatRequest(
        messages=user_message(f"Name a river in Germany (number {i})."),
        sampling=SamplingParams(max_tokens=8, seed=i),
    )


def _client(base_url: str, model: str, **kw: object) -> OpenAICompatibleClient:
    return OpenAICompatibleClient(
        base_url, model, backend="llama.cpp", structured="json_object", timeouts=FAST_DEATH,
        backoff_base_s=0.01, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


async def test_an_endpoint_that_stops_answering_cuts_every_request_then_revives(
    embedded_server: EmbeddedServer,
) -> None:
    with FaultProxy(embedded_server.base_url, every=10**9, hang_after=1).running() as proxy:
        client = _client(proxy.base_url, embedded_server.model, max_concurrency=2)
        await client.complete(_request(0))
        outcomes = await asyncio.gather(
            *(client.complete(_request(i)) for i in range(1, 6)), return_exceptions=True
        )
        assert all(isinstance(o, EndpointDownError) for o in outcomes), outcomes
        line = str(outcomes[0])
        assert "\n" not in line and proxy.base_url in line
        assert "no reply for" in line and "nor to its health probe" in line
        assert line.endswith("the run is resumable")
        assert client.breaker.trips == 1
        assert not await client.revive()  # still hanging: stays open
        proxy.hang_after = None
        assert await client.revive()
        reply = await client.complete(_request(7))
        assert reply.text and client.breaker.tripped is None
        await client.aclose()
    assert client.accounting.total().requests == 2  # the cut requests were never paid


async def test_a_closed_port_trips_on_the_window_of_failed_attempts() -> None:
    client = _client(f"http://127.0.0.1:{free_port()}/v1", "m", max_retries=40, max_concurrency=4)
    outcomes = await asyncio.gather(
        *(client.complete(_request(i)) for i in range(6)), return_exceptions=True
    )
    await client.aclose()
    assert all(isinstance(o, EndpointDownError) for o in outcomes), outcomes
    assert "20 of the last 20 requests failed: APIConnectionError" in str(outcomes[0])


async def test_a_request_failing_on_the_way_is_an_outage_not_a_verdict(
    embedded_server: EmbeddedServer,
) -> None:
    with FaultProxy(embedded_server.base_url, always=(500, "upstream crashed")).running() as proxy:
        client = _client(proxy.base_url, embedded_server.model, max_retries=2, fatal_after=10)
        with pytest.raises(TransportError, match="HTTP 500"):
            await client.complete(_request(1))
        outcome = await ask_structured(
            client, user_message("Write a question."), MCQPayload, sampling=SamplingParams()
        )
        await client.aclose()
    assert isinstance(outcome, Unparsed) and outcome.reason == "llm.unavailable"
    assert client.breaker.tripped is None  # 6 failed attempts: not yet 20
    assert client.breaker.recent_failures == (6, 6)


async def test_a_revived_endpoint_that_fails_again_is_out_at_its_first_failure(
    embedded_server: EmbeddedServer,
) -> None:
    with FaultProxy(embedded_server.base_url, always=(500, "upstream crashed")).running() as proxy:
        client = _client(proxy.base_url, embedded_server.model, max_retries=4, fatal_after=99)
        outcomes = await asyncio.gather(
            *(client.complete(_request(i)) for i in range(5)), return_exceptions=True
        )  # 5 x 5 attempts: the 20th failure trips it
        assert any("20 of the last 20 requests failed" in str(o) for o in outcomes), outcomes
        assert await client.revive()  # its /models answers
        sent = proxy.requests
        with pytest.raises(EndpointDownError, match="failed again after its health probe"):
            await client.complete(_request(2))
        await client.aclose()
    assert proxy.requests == sent + 1
