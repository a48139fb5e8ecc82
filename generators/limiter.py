"""Bounded concurrency that halves on overload (429/503) and grows back on success (AIMD).

Waiting costs nothing: each waiting request parks on its own future in a FIFO queue and is woken
exactly once, when a slot is handed to it (a release wakes one waiter, never all of them); a
pause after overload is one timer on the event loop, not a polling loop. So the CPU spent per
request does not grow with the number of requests queued behind it.
"""

import asyncio
from collections import deque


class AdaptiveLimiter:
    """An async semaphore whose limit adapts between 1 and `max_limit`.

    `overloaded()` halves the limit and pauses new acquisitions until `pause_s` has passed;
    every `grow_after` successes add one slot back, up to `max_limit`; `server_waiting()` takes
    the server's own queue depth (vLLM's `vllm:num_requests_waiting`) and shrinks the limit when
    more than `tolerated_waiting` requests wait there. A slot freed while requests wait is handed
    to the oldest waiter directly, so no later arrival can overtake it (FIFO).
    """

    def __init__(
        self, max_limit: int, grow_after: int = 8, tolerated_waiting: int | None = None
    ) -> None:
        if max_limit < 1:
            raise ValueError(f"AdaptiveLimiter needs max_limit >= 1, got {max_limit}")
        self.max_limit = max_limit
        self.limit = max_limit
        self.in_flight = 0
        self.peak_in_flight = 0
        self.wakeups = 0  # futures resolved: one per request that had to wait
        self._grow_after = grow_after
        self._tolerated_waiting = max_limit if tolerated_waiting is None else tolerated_waiting
        self._successes = 0
        self._paused_until = 0.0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._timer: asyncio.TimerHandle | None = None

    @property
    def waiting(self) -> int:
        """Futures parked in the queue (a cancelled one stays until it reaches the front)."""
        return len(self._waiters)

    async def __aenter__(self) -> "AdaptiveLimiter":
        loop = asyncio.get_running_loop()
        if not self._waiters and self._has_room(loop.time()):
            self._take()
            return self
        future: asyncio.Future[None] = loop.create_future()
        self._waiters.append(future)
        self._wake(loop)  # arms the pause timer if a pause is what holds us
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._release(loop)  # a slot was handed over as we were cancelled: pass it on
            raise  # else the cancelled future stays queued and is skipped when it comes up
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._release(asyncio.get_running_loop())

    def succeeded(self) -> None:
        """Count one success; every `grow_after` of them add one slot back."""
        self._successes += 1
        if self._successes >= self._grow_after and self.limit < self.max_limit:
            self.limit += 1
            self._successes = 0
            self._wake_if_running()

    def overloaded(self, pause_s: float) -> None:
        """Halve the limit and hold new acquisitions for `pause_s` seconds."""
        self.limit = max(1, self.limit // 2)
        self._successes = 0
        try:
            now = asyncio.get_running_loop().time()
        except RuntimeError:
            return  # no loop: nothing can be waiting, and a pause has nothing to hold
        self._paused_until = max(self._paused_until, now + pause_s)

    def server_waiting(self, waiting: int) -> None:
        """Shrink the limit by the server's queue beyond `tolerated_waiting` (at most by half).

        Requests queued at the server gain nothing over requests queued here, and queued here
        they can still be reordered or cancelled; no pause, since the server is not failing.
        """
        excess = waiting - self._tolerated_waiting
        if excess > 0:
            self.limit = max(1, self.limit // 2, self.limit - excess)
            self._successes = 0

    def _has_room(self, now: float) -> bool:
        return self.in_flight < self.limit and now >= self._paused_until

    def _take(self) -> None:
        self.in_flight += 1
        if self.in_flight > self.peak_in_flight:
            self.peak_in_flight = self.in_flight

    def _release(self, loop: asyncio.AbstractEventLoop) -> None:
        self.in_flight -= 1
        if self._waiters:
            self._wake(loop)

    def _wake(self, loop: asyncio.AbstractEventLoop) -> None:
        """Hand free slots to the oldest waiters, one future each; arm a timer if paused."""
        now = loop.time()
        while self._waiters and self._has_room(now):
            future = self._waiters.popleft()
            if future.done():  # cancelled while waiting
                continue
            self._take()
            self.wakeups += 1
            future.set_result(None)
        if self._waiters and now < self._paused_until and self._timer is None:
            self._timer = loop.call_at(self._paused_until, self._on_timer, loop)

    def _on_timer(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timer = None
        self._wake(loop)  # re-arms itself if the pause was extended meanwhile

    def _wake_if_running(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._waiters:
            self._wake(loop)
