"""Bounded concurrency that halves on overload (429/503) and grows back on success (AIMD)."""

import asyncio
import contextlib
import time


class AdaptiveLimiter:
    """An async semaphore whose limit adapts between 1 and `max_limit`.

    `overloaded()` halves the limit and pauses new acquisitions until `pause_s` has passed;
    every `grow_after` successes add one slot back, up to `max_limit`.
    """

    def __init__(self, max_limit: int, grow_after: int = 8) -> None:
        self.max_limit = max_limit
        self.limit = max_limit
        self.in_flight = 0
        self.peak_in_flight = 0
        self._grow_after = grow_after
        self._successes = 0
        self._paused_until = 0.0
        self._cond = asyncio.Condition()

    async def __aenter__(self) -> "AdaptiveLimiter":
        async with self._cond:
            while True:
                wait = self._paused_until - time.monotonic()
                if wait <= 0 and self.in_flight < self.limit:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._cond.wait(), timeout=max(wait, 0.05))
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        return self

    async def __aexit__(self, *exc: object) -> None:
        async with self._cond:
            self.in_flight -= 1
            self._cond.notify_all()

    def succeeded(self) -> None:
        self._successes += 1
        if self._successes >= self._grow_after and self.limit < self.max_limit:
            self.limit += 1
            self._successes = 0

    def overloaded(self, pause_s: float) -> None:
        self.limit = max(1, self.limit // 2)
        self._successes = 0
        self._paused_until = max(self._paused_until, time.monotonic() + pause_s)
