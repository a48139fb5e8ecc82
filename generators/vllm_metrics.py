"""vLLM's queue depth as back-pressure: vLLM queues requests beyond its batch instead of
answering 429, so a client that only listens for 429 would pile requests up there. Where the
server's root answers GET /metrics with the Prometheus gauge `vllm:num_requests_waiting`, one
task per client reads it every `every_s` seconds and feeds `limiter.server_waiting(n)`. A
server without it (OpenAI, llama.cpp) costs one failed try, then nothing."""

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import httpx

from babelforge.generators.openai_client import OpenAICompatibleClient

log = logging.getLogger(__name__)

GAUGE = "vllm:num_requests_waiting"
EVERY_S = 1.0


def metrics_url(endpoint: str) -> str:
    """The server root's /metrics for an API base URL: `http://h:8000/v1` -> `http://h:8000/metrics`."""
    root = endpoint.rstrip("/").removesuffix("/v1")
    return f"{root}/metrics"


def waiting(text: str) -> int | None:
    """The sum of `vllm:num_requests_waiting` over its label sets (one per model served);
    None when the text has no such sample."""
    values = [v for line in text.splitlines() if (v := _sample(line)) is not None]
    return round(sum(values)) if values else None


def _sample(line: str) -> float | None:
    """The value of a `vllm:num_requests_waiting{...} 3.0 [timestamp]` line, else None."""
    if not line.startswith(GAUGE):
        return None
    rest = line[len(GAUGE) :]
    if rest.startswith("{"):
        rest = rest.partition("}")[2]
    elif not rest.startswith(" "):
        return None  # another metric whose name starts alike
    try:
        return float(rest.split()[0])
    except (IndexError, ValueError):
        return None


class QueuePoller:
    """Feeds one client's limiter with its server's vLLM queue depth."""

    def __init__(self, client: OpenAICompatibleClient, http: httpx.AsyncClient) -> None:
        self.client = client
        self.url = metrics_url(client.endpoint)
        self._http = http

    async def read_once(self) -> int | None:
        """Read the gauge and feed the limiter; None when the server did not give it."""
        try:
            response = await self._http.get(self.url)
        except httpx.HTTPError:
            return None
        n = waiting(response.text) if response.status_code == 200 else None
        if n is not None:
            self.client.limiter.server_waiting(n)
        return n

    async def run(self, every_s: float = EVERY_S) -> None:
        """Read every `every_s` seconds until cancelled; return at once if the first read
        fails (a later failure, the server busy or down, skips a beat)."""
        if await self.read_once() is None:
            log.debug("%s has no %s: no queue back-pressure for it", self.url, GAUGE)
            return
        while True:
            await asyncio.sleep(every_s)
            await self.read_once()


@asynccontextmanager
async def queue_backpressure(
    clients: Sequence[OpenAICompatibleClient], every_s: float = EVERY_S
) -> AsyncIterator[None]:
    """Poll every client's server /metrics while the block runs (without the API key: vLLM
    guards only its /v1 routes with it)."""
    async with httpx.AsyncClient(timeout=min(every_s, 2.0)) as http:
        tasks = [asyncio.create_task(QueuePoller(c, http).run(every_s)) for c in clients]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
