"""Many endpoints (`llm.endpoints`): three simulated continuous-batching servers on 127.0.0.1
(bench/sim_server.py), one of which starts answering 500 mid-run and one of which stops
answering mid-run. Every request is answered once, the failing and the hanging server are
ejected and probed back, the load split is counted, and a whole run over them completes and
reports it. The servers turn bad on cue (after a number of answered requests): a real server
cannot be made to fail on demand."""

import asyncio
import codecs
import json
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
import uvicorn
from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import Message, Receive, Scope, Send

from babelforge.flows.recipe_flow import run_recipes
from babelforge.flows.report_endpoints import endpoint_rows, endpoint_section, record_endpoints
from babelforge.flows.store import RunStore
from babelforge.generators.accounting import Accounting
from babelforge.generators.backends import chat_client, llm_endpoint
from babelforge.generators.cache import CachedClient
from babelforge.generators.client import ChatRequest, user_message
from babelforge.generators.endpoint_pool import EndpointPool, EndpointStats
from babelforge.generators.errors import EndpointDownError, TransportError
from babelforge.generators.local_process import free_port
from babelforge.generators.openai_client import OpenAICompatibleClient
from babelforge.generators.vllm_metrics import QueuePoller
from babelforge.schemas.config import LLMConfig, RunConfig
from babelforge.schemas.endpoint_config import EndpointConfig, Timeouts
from babelforge.schemas.provenance import SamplingParams
from babelforge.schemas.secrets import scrub
from bench.sim_server import MODEL, Slots, make_app
from bench.synthetic import write_pairs

Turn = Literal["fails", "hangs"]
FAST = Timeouts(connect_s=1.0, first_byte_s=1.0, total_s=2.0, dead_after_s=2.0)
TRANSLATION = {
    "type": "object",
    "properties": {"translation": {"type": "string"}},
    "required": ["translation"],
}
SENTENCES = ("Der Zug nach Jerewan fährt um 7 Uhr.", "La bibliothèque ouvre à 9 h.", "Ալլո")


class SimEndpoint:
    """bench.sim_server's app behind a switch: after `healthy_for` answered chat requests it
    `fails` (HTTP 500, its /v1/models still answering, like a server whose GPU died) or
    `hangs` (every route stops answering) until `recover()`. /v1/models lists MODEL;
    `metrics=False` leaves out /metrics, like a server that is not vLLM."""

    def __init__(
        self, turn: Turn | None = None, healthy_for: int = 0, *, metrics: bool = True
    ) -> None:
        self.turn = turn
        self.healthy_for = healthy_for
        self.metrics = metrics
        self.answered = 0
        self.metrics_reads = 0
        self.keys: set[str] = set()  # the API keys chat requests came with
        self.bad = False
        self.turned = False  # turned bad at some point (recover() ends `bad`, not this)
        self.port = free_port()
        self.state = Slots(slots=8, tokens_per_s=50_000)
        self._sim = make_app(self.state)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._back: asyncio.Event | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._sim(scope, receive, send)
            return
        if self._back is None:
            self._loop, self._back = asyncio.get_running_loop(), asyncio.Event()
        path = scope["path"]
        chat = path == "/v1/chat/completions"
        self.metrics_reads += path == "/metrics"
        if chat:
            auth = dict(scope["headers"]).get(b"authorization", b"").decode()
            self.keys.add(auth.removeprefix("Bearer "))
        if chat and self.turn is not None and self.answered >= self.healthy_for:
            self.bad = self.turned = True
        if self.bad and self.turn == "hangs":
            await self._back.wait()
        if path == "/v1/models":
            models = JSONResponse({"object": "list", "data": [{"id": MODEL, "object": "model"}]})
            await models(scope, receive, send)
        elif path == "/metrics" and not self.metrics:
            await PlainTextResponse("not found", status_code=404)(scope, receive, send)
        elif chat and self.bad and self.turn == "fails":
            error = {"error": {"message": "CUDA error: an illegal memory access was encountered"}}
            await JSONResponse(error, status_code=500)(scope, receive, send)
        else:
            try:
                await self._sim(scope, receive, self._counted(send) if chat else send)
            except ClientDisconnect:
                return  # a request held by a hang, given up on by the client meanwhile

    def _counted(self, send: Send) -> Send:
        """`send` that counts the reply as answered before its last byte leaves: counted
        after, a client could hold the reply before the count moved."""

        async def counted(message: Message) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.answered += 1
            await send(message)

        return counted

    def recover(self) -> None:
        """Answer again, the requests held by a hang included."""
        self.bad, self.turn = False, None
        if self._loop is not None and self._back is not None:
            self._loop.call_soon_threadsafe(self._back.set)

    @contextmanager
    def running(self) -> Iterator["SimEndpoint"]:
        server = uvicorn.Server(
            uvicorn.Config(self, host="127.0.0.1", port=self.port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        try:
            yield self
        finally:
            self.recover()
            server.should_exit = True
            thread.join(timeout=10)


@contextmanager
def sim_endpoints(*servers: SimEndpoint) -> Iterator[tuple[SimEndpoint, ...]]:
    with ExitStack() as stack:
        yield tuple(stack.enter_context(s.running()) for s in servers)


def _client(server: SimEndpoint, max_concurrency: int = 4) -> OpenAICompatibleClient:
    return OpenAICompatibleClient(
        server.base_url,
        MODEL,
        structured="json_schema",
        max_concurrency=max_concurrency,
        timeouts=FAST,
        max_retries=1,
        backoff_base_s=0.02,
    )


def _request(n: int) -> ChatRequest:
    """A translation request whose reply (the sim's ROT13 'translation') names `n`."""
    text = f"{SENTENCES[n % len(SENTENCES)]} (Satz {n})"
    return ChatRequest(
        messages=user_message(f"Translate into English.\ntext:\n{text}"),
        sampling=SamplingParams(temperature=0.0, max_tokens=48, seed=0),
        json_schema=TRANSLATION,
        schema_name="translation",
    )


async def _answered_each(pool: EndpointPool, numbers: range) -> None:
    """Send the requests at once; every reply is the translation of its own request."""
    replies = await asyncio.gather(*(pool.complete(_request(n)) for n in numbers))
    for n, reply in zip(numbers, replies, strict=True):
        translated = codecs.decode(json.loads(reply.text)["translation"], "rot13")
        assert translated.endswith(f"(Satz {n})"), (n, reply.text)


def _by_endpoint(stats: tuple[EndpointStats, ...]) -> dict[str, EndpointStats]:
    return {s.endpoint: s for s in stats}


async def test_a_failing_and_a_hanging_endpoint_are_ejected_and_no_request_is_lost() -> None:
    healthy, failing, hanging = SimEndpoint(), SimEndpoint("fails", 8), SimEndpoint("hangs", 8)
    with sim_endpoints(healthy, failing, hanging):
        clients = [_client(s) for s in (healthy, failing, hanging)]
        pool = EndpointPool([(c, 1.0) for c in clients], probe_every_s=3600)  # probed by hand
        try:
            await _answered_each(pool, range(90))
            assert failing.bad and hanging.bad
            assert set(pool.ejected) == {failing.base_url, hanging.base_url}
            split = _by_endpoint(pool.stats())
            assert sum(s.requests for s in split.values()) == 90
            assert healthy.answered + failing.answered + hanging.answered == 90  # none twice
            assert split[failing.base_url].requests == failing.answered >= 8
            assert split[hanging.base_url].requests == hanging.answered >= 8
            assert split[healthy.base_url].requests == healthy.answered
            assert split[healthy.base_url].failures == split[healthy.base_url].ejections == 0
            assert split[failing.base_url].ejections == split[hanging.base_url].ejections == 1
            assert split[failing.base_url].failures >= 1
            assert split[hanging.base_url].failures >= 1

            assert await pool.probe_ejected() == (failing.base_url,)  # it answers /models
            assert pool.ejected == (hanging.base_url,)  # its probe goes unanswered
            failing.recover()
            hanging.recover()
            assert await pool.probe_ejected() == (hanging.base_url,)
            await _answered_each(pool, range(90, 150))
            again = _by_endpoint(pool.stats())
            assert again[failing.base_url].requests > split[failing.base_url].requests
            assert again[hanging.base_url].requests > split[hanging.base_url].requests
            assert sum(s.requests for s in again.values()) == 150
        finally:
            await pool.aclose()


async def test_a_pool_whose_every_endpoint_is_down_stops_naming_them_all() -> None:
    with sim_endpoints(SimEndpoint("fails"), SimEndpoint("fails")) as servers:
        clients = [_client(s, max_concurrency=2) for s in servers]
        pool = EndpointPool([(c, 1.0) for c in clients], probe_every_s=3600)
        try:
            sent = [pool.complete(_request(n)) for n in range(40)]
            outcomes = await asyncio.gather(*sent, return_exceptions=True)
            assert all(isinstance(o, TransportError | EndpointDownError) for o in outcomes)
            assert set(pool.ejected) == {s.base_url for s in servers}
            with pytest.raises(EndpointDownError) as down:
                await pool.complete(_request(40))
            assert all(s.base_url in down.value.endpoint for s in servers)
            assert "resumable" in str(down.value)
        finally:
            await pool.aclose()


async def test_a_request_waits_for_the_first_free_slot_of_any_endpoint() -> None:
    """One endpoint holds its one slot (hanging): the others' requests wait in the pool and go
    to the endpoint that frees slots, never into the queue of the one that does not."""
    healthy, stuck = SimEndpoint(), SimEndpoint("hangs", 0)
    with sim_endpoints(healthy, stuck):
        pool = EndpointPool([(_client(healthy, 1), 1.0), (_client(stuck, 1), 1.0)])
        try:
            await _answered_each(pool, range(12))
            split = _by_endpoint(pool.stats())
            # one request was given to it, held there until it timed out, then sent on
            assert split[stuck.base_url].failures == 1 and split[stuck.base_url].requests == 0
            assert healthy.answered == split[healthy.base_url].requests == 12
        finally:
            await pool.aclose()


async def test_an_endpoint_of_weight_three_carries_three_times_the_requests() -> None:
    with sim_endpoints(SimEndpoint(), SimEndpoint()) as (heavy, light):
        budget = EndpointConfig(base_url=heavy.base_url, weight=3.0).budget(16)  # as backends
        pool = EndpointPool([(_client(heavy, budget), 3.0), (_client(light, 16), 1.0)])
        try:
            await _answered_each(pool, range(64))  # the two budgets, 48 + 16, sent at once
            split = _by_endpoint(pool.stats())
            assert split[heavy.base_url].requests == 48, split
            assert split[light.base_url].requests == 16, split
            assert heavy.answered + light.answered == 64
        finally:
            await pool.aclose()


async def test_the_vllm_queue_shrinks_the_limit_and_a_server_without_the_gauge_is_read_once() -> (
    None
):
    with sim_endpoints(SimEndpoint(), SimEndpoint(metrics=False)) as (vllm, other):
        client, plain = _client(vllm), _client(other)
        async with httpx.AsyncClient(timeout=2.0) as http:
            assert await QueuePoller(client, http).read_once() == 0  # idle: nobody waits
            assert client.limiter.limit == 4
            vllm.state.waiting = 12  # other tenants' requests queued at the server
            assert await QueuePoller(client, http).read_once() == 12
            assert client.limiter.limit == 2  # 8 beyond the 4 tolerated: halved, no lower
            await asyncio.wait_for(QueuePoller(plain, http).run(every_s=0.01), timeout=10)
        assert other.metrics_reads == 1  # then silent: run() returned by itself
        await client.aclose()
        await plain.aclose()


def test_a_run_over_three_endpoints_completes_when_one_fails_and_one_hangs(
    tmp_path: Path,
) -> None:
    healthy, failing, hanging = SimEndpoint(), SimEndpoint("fails", 6), SimEndpoint("hangs", 6)
    pairs = write_pairs(tmp_path / "pairs.jsonl", 8, languages=("de", "fr"))
    with sim_endpoints(healthy, failing, hanging):
        config = _run_config(tmp_path / "run", pairs, (healthy, failing, hanging))
        report = run_recipes(config)
    assert failing.turned and hanging.turned
    assert report.balanced
    assert report.stages and all(row.failed == 0 for row in report.stages), report.stages
    split = _by_endpoint(report.endpoints)
    assert list(split) == [healthy.base_url, failing.base_url, hanging.base_url]
    assert split[failing.base_url].ejections >= 1 and split[hanging.base_url].ejections == 1
    assert split[healthy.base_url].requests > split[failing.base_url].requests
    assert sum(s.requests for s in split.values()) == report.usage.requests
    assert "## Endpoints" in RunStore(config.run_dir).read_text("report.md")


def _run_config(run_dir: Path, pairs: Path, servers: tuple[SimEndpoint, ...]) -> RunConfig:
    llm: dict[str, Any] = {
        "backend": "openai",
        "endpoints": [{"base_url": s.base_url} for s in servers],
        "model": MODEL,
        "structured_output": "json_schema",
        "max_concurrency": 4,
        "max_retries": 1,
        "parse_retries": 0,
        "timeouts": FAST.model_dump(),
        "sampling": {"temperature": 0.0, "max_tokens": 64, "seed": 0},
    }
    return RunConfig.model_validate(
        {
            "name": "many-endpoints",
            "run_dir": str(run_dir),
            "source_language": "en",
            "languages": ["de", "fr"],
            "shard_size": 4,
            "llm": llm,
            "syndarin": {
                "questions_per_paragraph": 1,
                "mining": {"paired_path": str(pairs)},
                "validators": {"enabled": ["options", "answer_match", "roundtrip_chrf"]},
            },
            "export": {"enabled": False},
            "tracking": {"enabled": False},
        }
    )


async def test_the_endpoints_table_sums_the_runs_of_a_run_directory(tmp_path: Path) -> None:
    store = RunStore(str(tmp_path / "run"))
    with sim_endpoints(SimEndpoint(), SimEndpoint()) as servers:
        for first in (0, 10):  # a run, then the run that resumes it
            pool = EndpointPool([(_client(s), 1.0) for s in servers])
            await _answered_each(pool, range(first, first + 10))
            await pool.aclose()
            record_endpoints(store, [CachedClient(pool, Accounting())])
    rows = endpoint_rows(store)
    assert [r.endpoint for r in rows] == [s.base_url for s in servers]
    assert sum(r.requests for r in rows) == 20
    assert endpoint_section(rows)[1] == "## Endpoints"


async def test_each_endpoint_gets_the_key_its_api_key_env_names_and_the_keys_are_scrubbed() -> None:
    environ = {"POOL_KEY_A": "sk-pool-key-of-a-1234", "POOL_KEY_B": "sk-pool-key-of-b-5678"}
    with sim_endpoints(SimEndpoint(), SimEndpoint()) as (a, b):
        config = LLMConfig(
            backend="openai",
            model=MODEL,
            structured_output="auto",
            endpoints=(
                EndpointConfig(base_url=a.base_url, api_key_env="POOL_KEY_A"),
                EndpointConfig(base_url=b.base_url, api_key_env="POOL_KEY_B"),
            ),
        )
        with llm_endpoint(config, environ=environ) as checked:
            assert checked.structured_output == "json_schema"  # probed on each, agreed
            accounting = Accounting()
            async with chat_client(
                checked, cache=None, accounting=accounting, environ=environ
            ) as client:
                assert isinstance(client, EndpointPool)
                await asyncio.gather(*(client.complete(_request(n)) for n in range(20)))
    assert a.keys == {"sk-pool-key-of-a-1234"} and b.keys == {"sk-pool-key-of-b-5678"}
    assert scrub("a 401 body quoting sk-pool-key-of-b-5678") == "a 401 body quoting ***"
