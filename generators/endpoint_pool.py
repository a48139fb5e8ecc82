"""Several OpenAI-compatible servers of one model used as one ChatClient (`llm.endpoints`).

Each request goes to the less loaded of two members drawn at random by `weight` (power of two
choices) among the members with room: fewer requests pending there (in flight or sleeping
between retries) than their AIMD limit. Load is pending over that limit, and a
member's budget is `llm.max_concurrency` x its weight (generators/backends.py), so an
endpoint of weight 2 carries twice the requests, and one that throttles (429, vLLM's queue)
fewer. When no member has room the request waits in the pool, not in one member's queue, and
takes the first slot freed anywhere (FIFO, one waiter woken per freed slot): no member idles
while another has a queue.

A member whose circuit breaker trips (EndpointDownError), that cannot serve the run at all
(EndpointError: a key it refuses, its first requests all failing alike), or that failed
EJECT_AFTER requests in a row after their retries, is ejected and the request is sent again to
another member, so it is not lost; a request that failed for good on one member
(TransportError) is tried once on each other member before it fails. One background task
probes ejected members (`revive()`) every `probe_every_s` seconds and puts back those that
answer. When every member is ejected the pool raises EndpointDownError naming them all: the
run stops, resumable.
"""

import asyncio
import logging
import random
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from babelforge.generators.client import ChatReply, ChatRequest
from babelforge.generators.errors import EndpointDownError, EndpointError, TransportError
from babelforge.generators.openai_client import OpenAICompatibleClient
from babelforge.schemas.base import Record

log = logging.getLogger(__name__)

PROBE_EVERY_S = 3.0
EJECT_AFTER = 3
"""Requests in a row that failed at a member after their retries (TransportError): it is out."""


class EndpointStats(Record):
    """One member's share of a run: requests answered, requests that failed there (re-sent
    elsewhere or failed for good), and how often it was ejected."""

    endpoint: str
    weight: float
    requests: int
    failures: int
    ejections: int


@dataclass(eq=False)
class _Member:
    client: OpenAICompatibleClient
    weight: float
    pending: int = 0
    requests: int = 0
    failures: int = 0
    ejections: int = 0
    failed_in_a_row: int = 0
    ejected: bool = False
    epoch: int = 0  # bumped when put back, so a late error from before does not eject it again

    @property
    def load(self) -> float:
        return (self.pending + 1) / max(1, self.client.limiter.limit)  # weight: in the limit


class EndpointPool:
    """A ChatClient over `members` (client, weight): see the module docstring."""

    def __init__(
        self,
        members: Sequence[tuple[OpenAICompatibleClient, float]],
        *,
        probe_every_s: float = PROBE_EVERY_S,
        rng: random.Random | None = None,
    ) -> None:
        if not members:
            raise ValueError("EndpointPool needs at least one member")
        self._members = [_Member(client, weight) for client, weight in members]
        self._probe_every_s = probe_every_s
        self._rng = rng or random.Random()
        self._prober: asyncio.Task[None] | None = None
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def model(self) -> str:
        return self._members[0].client.model

    @property
    def backend(self) -> str:
        return self._members[0].client.backend

    @property
    def endpoint(self) -> str:
        return ", ".join(m.client.endpoint for m in self._members)

    @property
    def clients(self) -> tuple[OpenAICompatibleClient, ...]:
        """The members' clients, in config order."""
        return tuple(m.client for m in self._members)

    @property
    def ejected(self) -> tuple[str, ...]:
        """The endpoints out of the pool now."""
        return tuple(m.client.endpoint for m in self._members if m.ejected)

    def stats(self) -> tuple[EndpointStats, ...]:
        """Every member's counters so far, in config order."""
        return tuple(
            EndpointStats(
                endpoint=m.client.endpoint,
                weight=m.weight,
                requests=m.requests,
                failures=m.failures,
                ejections=m.ejections,
            )
            for m in self._members
        )

    async def complete(self, request: ChatRequest) -> ChatReply:
        """The reply of one member; each member is tried at most once for the request."""
        tried: set[_Member] = set()
        last: EndpointError | TransportError | None = None
        while (member := await self._member_with_room(tried)) is not None:
            epoch = member.epoch
            member.pending += 1
            try:
                reply = await member.client.complete(request)
            except (EndpointError, TransportError) as e:
                member.failures += 1
                member.failed_in_a_row += 1
                tried.add(member)
                last = e
                if isinstance(e, EndpointError):
                    self._eject(member, epoch, e.error)
                elif member.failed_in_a_row >= EJECT_AFTER:
                    self._eject(member, epoch, f"{EJECT_AFTER} requests in a row failed: {e}")
            else:
                member.requests += 1
                member.failed_in_a_row = 0
                return reply
            finally:
                member.pending -= 1
                self._wake_one()
        if all(m.ejected for m in self._members):
            why = last.error if isinstance(last, EndpointError) else "ejected"
            raise EndpointDownError(
                self.endpoint, f"every endpoint of the pool is down (last: {why})"
            ) from last
        raise TransportError(
            f"every endpoint of the pool failed the request; last: {last}"
        ) from last

    async def _member_with_room(self, tried: set[_Member]) -> _Member | None:
        """A healthy, untried member with room, waiting in the pool for one; None if none is
        healthy and untried."""
        woken = False
        while True:
            healthy = [m for m in self._members if not m.ejected and m not in tried]
            if not healthy:
                return None
            room = [m for m in healthy if m.pending < m.client.limiter.limit]
            if room:
                return self._pick(room)
            waiter = asyncio.get_running_loop().create_future()
            if woken:  # overtaken by an arrival: keep its place at the head of the queue
                self._waiters.appendleft(waiter)
            else:
                self._waiters.append(waiter)
            woken = True
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._wake_one()  # woken as we were cancelled: pass the slot on
                raise

    def _wake_one(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def _wake_all(self) -> None:
        """Every waiter looks again (a member was ejected or put back)."""
        while self._waiters:
            self._wake_one()

    def _pick(self, candidates: list[_Member]) -> _Member:
        """The less loaded of two of `candidates` drawn by weight."""
        if len(candidates) == 1:
            return candidates[0]
        healthy = candidates
        first = self._rng.choices(healthy, weights=[m.weight for m in healthy])[0]
        rest = [m for m in healthy if m is not first]
        second = self._rng.choices(rest, weights=[m.weight for m in rest])[0]
        return second if second.load < first.load else first

    def _eject(self, member: _Member, epoch: int, error: str) -> None:
        if member.ejected or member.epoch != epoch:
            return
        member.ejected = True
        member.ejections += 1
        self._wake_all()
        left = sum(not m.ejected for m in self._members)
        log.warning(
            "endpoint %s ejected from the pool (%s); %d of %d left, probing it every %.0f s",
            member.client.endpoint, error, left, len(self._members), self._probe_every_s,
        )  # fmt: skip
        if self._prober is None or self._prober.done():
            self._prober = asyncio.get_running_loop().create_task(self._probe())

    async def probe_ejected(self) -> tuple[str, ...]:
        """Probe every ejected member once; put back, and return, those that answer."""
        back = []
        for member in [m for m in self._members if m.ejected]:
            if await member.client.revive():
                member.ejected = False
                member.failed_in_a_row = 0
                member.epoch += 1
                self._wake_all()
                back.append(member.client.endpoint)
                log.warning("endpoint %s is back in the pool", member.client.endpoint)
        return tuple(back)

    async def _probe(self) -> None:
        """Every `probe_every_s` seconds, probe the ejected members, until none is left."""
        while any(m.ejected for m in self._members):
            await asyncio.sleep(self._probe_every_s)
            await self.probe_ejected()

    async def aclose(self) -> None:
        """Stop the probe task and close every member."""
        if self._prober is not None:
            self._prober.cancel()
            await asyncio.gather(self._prober, return_exceptions=True)
        for member in self._members:
            await member.client.aclose()
