"""The OpenAI-compatible adapter against the real llama.cpp server with the bundled model."""

import asyncio
from pathlib import Path

from pydantic import BaseModel, Field

from babelforge.generators.accounting import Accounting
from babelforge.generators.cache import CachedClient, ResponseCache
from babelforge.generators.client import ChatRequest, user_message
from babelforge.generators.embedded import EmbeddedServer
from babelforge.generators.mcq import MCQPayload
from babelforge.generators.openai_client import OpenAICompatibleClient
from babelforge.generators.structured import Parsed, Unparsed, ask_structured
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
    cache = ResponseCache(tmp_path / "responses.sqlite")
    with FaultProxy(embedded_server.base_url, every=10**9).running() as proxy:
        for run in range(2):
            accounting = Accounting()
            inner = _client(proxy.base_url, embedded_server.model, accounting=accounting)
            client = CachedClient(inner, cache, accounting)
            await asyncio.gather(
                *(
                    ask_structured(client, user_message(_prompt(i)), MCQPayload, sampling=SAMPLING)
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
    with FaultProxy(embedded_server.base_url, every=5, hang_s=25).running() as proxy:
        client = _client(
            proxy.base_url,
            embedded_server.model,
            max_concurrency=2,
            timeout_s=20,
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


async def test_identical_requests_in_flight_are_sent_once(
    embedded_server: EmbeddedServer, tmp_path: Path
) -> None:
    cache = ResponseCache(tmp_path / "responses.sqlite")
    with FaultProxy(embedded_server.base_url, every=10**9).running() as proxy:
        accounting = Accounting()
        inner = _client(proxy.base_url, embedded_server.model, max_concurrency=4)
        client = CachedClient(inner, cache, accounting)
        request = ChatRequest(
            messages=user_message("Name one river in Armenia."),
            sampling=SamplingParams(temperature=0.0, max_tokens=16, seed=0),
        )
        replies = await asyncio.gather(*(client.complete(request) for _ in range(4)))
        await inner.aclose()
    assert proxy.forwarded == 1
    assert len({r.text for r in replies}) == 1
    assert accounting.total().cached_requests == 3
