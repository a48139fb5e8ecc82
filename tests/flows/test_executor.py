"""The streaming executor: a stage works on an upstream shard as soon as it is committed, and
the stages and languages of a run share one client with requests in flight together."""

import asyncio
from collections import Counter
from pathlib import Path

from babelforge.flows.executor import Engine, execute, lanes
from babelforge.flows.store import RunStore
from babelforge.generators.accounting import Accounting
from babelforge.generators.backends import chat_client
from babelforge.generators.client import ChatClient, ChatReply, ChatRequest
from babelforge.generators.embedded import EmbeddedServer
from babelforge.recipes.instructions import RECIPE as INSTRUCTIONS
from babelforge.recipes.stage import Recipe, Stage, StageContext
from babelforge.recipes.syndarin import RECIPE as SYNDARIN
from babelforge.schemas.base import Record
from babelforge.schemas.config import LLMConfig, MiningConfig, RunConfig, SyndarinConfig
from babelforge.schemas.instructions_config import InstructionsConfig
from babelforge.schemas.outcome import ShardOutcome
from babelforge.schemas.provenance import SamplingParams
from tests.flows.counting_proxy import counting_proxy

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SAMPLE = SAMPLES / "instructions" / "alpaca.json"
WIKI = SAMPLES / "wikipedia"
CITIES = ("Jerewan", "Երևան", "Gjumri", "Գյումրի")


class City(Record):
    id: str
    name: str


class Log:
    """What the stages of the test recipe did, in order, and the gate the first stage waits
    on for its second shard: the second stage having started on a committed shard."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.downstream_started = asyncio.Event()


def two_stage_recipe(log: Log) -> Recipe:
    """read cities -> upper-case them, no LLM; shard 1 of `read` cannot finish before
    `upper` has started on some committed shard, so only a streaming executor gets through."""

    def cities(config: RunConfig, language: str) -> list[City]:
        return [City(id=f"{language}-{n}", name=name) for n, name in enumerate(CITIES)]

    async def read(context: StageContext, batch: list[City]) -> ShardOutcome[City]:
        if context.index == 1:
            await asyncio.wait_for(log.downstream_started.wait(), timeout=120)
        log.events.append(f"read-{context.index}")
        return ShardOutcome[City](n_input=len(batch), accepted=tuple(batch))

    async def upper(context: StageContext, batch: list[City]) -> ShardOutcome[City]:
        log.events.append(f"upper-{context.index}")
        log.downstream_started.set()
        renamed = tuple(c.model_copy(update={"name": c.name.upper()}) for c in batch)
        return ShardOutcome[City](n_input=len(batch), accepted=renamed)

    return Recipe(
        name="cities",
        stages=(
            Stage(name="cities.read", reads=cities, output=City, make=read),
            Stage(name="cities.upper", reads="cities.read", output=City, make=upper),
        ),
        subsets=(),
        gold_kind="mcq",
        gold_stages=(),
        title="cities",
        method="test",
        citations=(),
    )


def test_a_stage_starts_on_a_committed_shard_before_its_upstream_stage_finished(
    tmp_path: Path,
) -> None:
    config = RunConfig(
        name="stream", run_dir=str(tmp_path / "run"), languages=("hy",), shard_size=1
    )
    store = RunStore(config.run_dir)

    async def main() -> list[str]:
        log = Log()
        recipe = two_stage_recipe(log)
        engine = Engine(config=config, store=store, clients={})
        await execute(engine, lanes(config, [recipe]), streaming=True)
        return log.events

    events = asyncio.run(main())

    first_upper = min(n for n, event in enumerate(events) if event.startswith("upper-"))
    last_read = max(n for n, event in enumerate(events) if event.startswith("read-"))
    assert first_upper < last_read  # `upper` worked while `read` still had a shard to finish
    upper = [c.name for c in store.accepted("cities.upper", "hy", City)]
    assert upper == ["JEREWAN", "ԵՐԵՒԱՆ", "GJUMRI", "ԳՅՈՒՄՐԻ"]  # Armenian և upper-cases to ԵՒ
    assert len(store.summaries("cities.read")) == len(store.summaries("cities.upper")) == 4


class InFlight:
    """A wrapper of the run's client that records which (stage, language) requests are in
    the client at once (holding or waiting for its one in-flight budget)."""

    def __init__(self, inner: ChatClient) -> None:
        self.inner = inner
        self.now: Counter[tuple[str, str]] = Counter()
        self.together: set[frozenset[tuple[str, str]]] = set()
        self.peak = 0

    @property
    def model(self) -> str:
        return self.inner.model

    @property
    def backend(self) -> str:
        return self.inner.backend

    async def complete(self, request: ChatRequest) -> ChatReply:
        key = (request.stage, request.language)
        self.now[key] += 1
        self.peak = max(self.peak, sum(self.now.values()))
        self.together.add(frozenset(k for k, n in self.now.items() if n))
        try:
            return await self.inner.complete(request)
        finally:
            self.now[key] -= 1


def test_stages_and_languages_share_one_client_with_requests_in_flight_together(
    embedded_server: EmbeddedServer, tmp_path: Path
) -> None:
    with counting_proxy(embedded_server.base_url) as (url, counts):
        counting, store = _overlap_run(url, embedded_server.model, tmp_path)

    assert 2 <= counts.peak <= 4  # at the endpoint: the one budget, max_concurrency 4
    languages_together = {frozenset(lang for _, lang in group) for group in counting.together}
    assert frozenset({"de", "hy"}) in languages_together
    stages_together = {frozenset(stage for stage, _ in group) for group in counting.together}
    assert any({"syndarin.generate", "instructions.translate"} <= g for g in stages_together)
    assert sum(s.n_input for s in store.summaries("instructions.translate")) == 4


def _overlap_run(url: str, model: str, tmp_path: Path) -> tuple[InFlight, RunStore]:
    config = RunConfig(
        name="overlap",
        run_dir=str(tmp_path / "run"),
        languages=("de", "hy"),
        shard_size=1,
        llm=LLMConfig(
            backend="embedded",
            base_url=url,
            model=model,
            max_concurrency=4,
            parse_retries=0,
            sampling=SamplingParams(max_tokens=32, seed=0),
        ),
        instructions=InstructionsConfig(
            input_paths=(str(SAMPLE),), shape="alpaca", max_records=2, roundtrip_sample_size=2
        ),
        syndarin=SyndarinConfig(
            questions_per_paragraph=1,
            mining=MiningConfig(
                source_paths=(str(WIKI / "en.parquet"),),
                target_paths={lang: (str(WIKI / f"{lang}.parquet"),) for lang in ("de", "hy")},
                langlinks_path=str(WIKI / "langlinks.tsv"),
                max_pairs=1,
            ),
        ),
    )
    store = RunStore(config.run_dir)

    async def main() -> InFlight:
        async with chat_client(config.llm, cache=None, accounting=Accounting()) as client:
            counting = InFlight(client)
            engine = Engine(config=config, store=store, clients={"run": counting})
            await execute(engine, lanes(config, [SYNDARIN, INSTRUCTIONS]), streaming=True)
            return counting

    return asyncio.run(main()), store
