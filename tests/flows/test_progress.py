"""The console's progress line: shards done and paused, requests paid, cached and retried, and
each endpoint's failed share of its last attempts (the run's clients as flows/clients.py builds
them: the run-wide cache over one endpoint or a pool)."""

from pathlib import Path

from babelforge.flows.executor import Engine
from babelforge.flows.progress import progress_line
from babelforge.flows.store import RunStore
from babelforge.generators.accounting import Accounting
from babelforge.generators.cache import CachedClient
from babelforge.generators.endpoint_pool import EndpointPool
from babelforge.generators.errors import OutageError
from babelforge.generators.openai_client import OpenAICompatibleClient
from babelforge.schemas.config import RunConfig
from babelforge.schemas.provenance import Usage


def test_the_progress_line_counts_shards_requests_and_each_endpoints_failures(
    tmp_path: Path,
) -> None:
    accounting = Accounting()
    a = OpenAICompatibleClient("http://127.0.0.1:9/v1", "m", accounting=accounting)
    b = OpenAICompatibleClient("http://127.0.0.1:10/v1", "m", accounting=accounting)
    pool = EndpointPool([(a, 1.0), (b, 1.0)])
    config = RunConfig(name="progress", run_dir=str(tmp_path / "run"), languages=("de",))
    engine = Engine(
        config=config,
        store=RunStore(config.run_dir),
        clients={"run": CachedClient(pool, accounting), "studied": CachedClient(a, accounting)},
    )
    engine.done[0] = 7
    engine.paused.append(OutageError("syndarin.translate/de shard 3: ..."))
    accounting.add("syndarin.translate", "de", Usage(requests=40, cached_requests=5))
    accounting.retries = 3
    for _ in range(4):
        a.breaker.succeeded()
    a.breaker.failed("HTTP 502: bad gateway")
    b.breaker.failed("APIConnectionError: Connection refused")

    line = progress_line(engine)

    assert line == (
        "progress: 7 shard(s) done; 1 paused by an outage; "
        "40 request(s) paid, 5 from the cache, 3 retried; "
        "http://127.0.0.1:9/v1: 1 of the last 5 attempts failed; "
        "http://127.0.0.1:10/v1: 1 of the last 1 attempts failed"
    )
