"""An endpoint's circuit breaker: an outage stops the requests there in under a minute, with
one line, instead of failing every record after minutes of retries.

It trips when the last `window` attempts all failed, or when no attempt has succeeded for
`stall_s` while requests wait and the endpoint's health probe (an HTTP GET of its base URL: any
answer at all, whatever the status, means it is alive; a few seconds) fails
`probes_to_trip` times in a row: a closed port and a server that accepts connections but never
answers both trip in ~`stall_s + probes_to_trip * probe_every_s` seconds. A slow server that
still answers its probe is left alone. Once tripped, every request being served is cancelled
and it and every later one raise EndpointDownError, until `revive()` finds the endpoint back;
revived, it is on trial: its first failed attempt before a success trips it again (a server that
answers its probe but fails every request is not put back to fail 20 more).
"""

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress

import httpx

from babelforge.generators.errors import EndpointDownError

log = logging.getLogger(__name__)

Probe = Callable[[], Awaitable[str | None]]
"""Ask the endpoint whether it is there: None when it answered, else the error."""


async def answers(url: str, timeout_s: float) -> str | None:
    """None when the server at `url` answers an HTTP GET at all (any status), else the error.
    Not /models: llama-cpp-python's server holds its model lock there, so a server busy with a
    long generation would look dead; every route without the model answers at once."""
    try:
        async with httpx.AsyncClient(timeout=timeout_s) as http:
            await http.get(url)
    except httpx.HTTPError as e:
        return f"{type(e).__name__}: {str(e)[:120] or 'no answer'}"
    return None


class Breaker:
    """Watches one endpoint's attempts; `watching()` wraps each request that may be cut."""

    def __init__(
        self,
        endpoint: str,
        probe: Probe,
        *,
        window: int = 20,
        stall_s: float = 20.0,
        probe_every_s: float = 5.0,
        probes_to_trip: int = 2,
    ) -> None:
        self.endpoint = endpoint
        self.tripped: EndpointDownError | None = None
        self.trips = 0
        self._probe = probe
        self._window = window
        self.stall_s, self.probe_every_s = stall_s, probe_every_s
        self._probes_to_trip = probes_to_trip
        self._recent: deque[str | None] = deque(maxlen=window)  # None: an attempt succeeded
        self._waiting_since: float | None = None  # oldest attempt since the last success
        self._failed_probes = 0
        self._on_trial = False  # revived, no attempt succeeded since: one failure trips it
        self._requests: set[asyncio.Task[object]] = set()
        self._cut: set[asyncio.Task[object]] = set()
        self._watchdog: asyncio.Task[None] | None = None

    @property
    def recent_failures(self) -> tuple[int, int]:
        """(failed, attempts) among the last `window` attempts."""
        return sum(e is not None for e in self._recent), len(self._recent)

    def check(self) -> None:
        """Raise the trip's error when the breaker is open."""
        if self.tripped is not None:
            raise self.tripped

    @contextmanager
    def watching(self) -> Iterator[None]:
        """Around one request (all its attempts and pauses): cut when the breaker trips."""
        self.check()
        task = asyncio.current_task()
        assert task is not None
        self._requests.add(task)
        try:
            yield
        except asyncio.CancelledError:
            if task in self._cut and self.tripped is not None and task.uncancel() == 0:
                raise self.tripped from None
            raise
        finally:
            self._requests.discard(task)
            self._cut.discard(task)

    def started(self) -> None:
        """An attempt is sent."""
        if self._waiting_since is None:
            self._waiting_since = time.monotonic()
        if self._watchdog is None or self._watchdog.done():
            self._watchdog = asyncio.get_running_loop().create_task(self._watch())

    def succeeded(self) -> None:
        self._recent.append(None)
        self._on_trial = False
        self._failed_probes = 0
        self._waiting_since = time.monotonic() if len(self._requests) > 1 else None

    def failed(self, error: str) -> None:
        """An attempt failed on the way (connection, timeout, 5xx, 429)."""
        self._recent.append(error)
        if self._on_trial:  # it answers its probe but not requests: out again at once
            self.trip(f"failed again after its health probe passed: {error}")
        elif len(self._recent) == self._window and all(e is not None for e in self._recent):
            self.trip(f"{self._window} of the last {self._window} requests failed: {error}")

    def trip(self, error: str) -> None:
        if self.tripped is not None:
            return
        self.tripped = EndpointDownError(self.endpoint, error)
        self.trips += 1
        log.error("%s", self.tripped)
        for task in self._requests:
            if task is not asyncio.current_task():
                self._cut.add(task)
                task.cancel()

    async def revive(self) -> bool:
        """Probe once; when the endpoint answers, close the breaker again."""
        error = await self._probe()
        if error is not None:
            return False
        self.tripped = None
        self._recent.clear()
        self._failed_probes = 0
        self._waiting_since = None
        self._on_trial = True
        return True

    async def aclose(self) -> None:
        if self._watchdog is not None and not self._watchdog.done():
            self._watchdog.cancel()
            with suppress(asyncio.CancelledError):
                await self._watchdog

    async def _watch(self) -> None:
        """While requests wait without a success, probe every `probe_every_s` seconds; ends
        when no request is left (the next attempt starts it again)."""
        while self.tripped is None and self._waiting_since is not None and self._requests:
            await asyncio.sleep(self.probe_every_s)
            since = self._waiting_since
            if since is None or time.monotonic() - since < self.stall_s:
                continue
            error = await self._probe()
            if error is None:
                self._failed_probes = 0
                continue
            self._failed_probes += 1
            if self._failed_probes >= self._probes_to_trip and self._waiting_since is not None:
                waited = time.monotonic() - self._waiting_since
                self.trip(f"no reply for {waited:.0f}s, nor to its health probe: {error}")
