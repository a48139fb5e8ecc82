"""The adaptive limiter halves on overload and grows back on success."""

import asyncio

from babelforge.generators.limiter import AdaptiveLimiter


def test_overload_halves_the_limit_and_successes_restore_it() -> None:
    limiter = AdaptiveLimiter(8, grow_after=2)
    limiter.overloaded(pause_s=0)
    limiter.overloaded(pause_s=0)
    assert limiter.limit == 2
    for _ in range(12):
        limiter.succeeded()
    assert limiter.limit == 8


def test_limit_never_drops_below_one() -> None:
    limiter = AdaptiveLimiter(2)
    for _ in range(5):
        limiter.overloaded(pause_s=0)
    assert limiter.limit == 1


async def test_pause_delays_new_requests() -> None:
    limiter = AdaptiveLimiter(4)
    limiter.overloaded(pause_s=0.3)
    loop = asyncio.get_running_loop()
    start = loop.time()
    async with limiter:
        pass
    assert loop.time() - start >= 0.25
