"""The adaptive limiter: bound, FIFO hand-over, AIMD, pause by timer, one wake-up per waiter."""

import asyncio

import pytest

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


def test_a_long_server_queue_shrinks_the_limit_at_most_by_half() -> None:
    limiter = AdaptiveLimiter(64, tolerated_waiting=8)
    limiter.server_waiting(8)
    assert limiter.limit == 64  # tolerated: no change
    limiter.server_waiting(12)
    assert limiter.limit == 60  # four over: four fewer
    limiter.server_waiting(500)
    assert limiter.limit == 30  # never more than halved at once


async def test_in_flight_never_exceeds_the_limit() -> None:
    limiter = AdaptiveLimiter(3)
    seen: list[int] = []

    async def one() -> None:
        async with limiter:
            seen.append(limiter.in_flight)
            await asyncio.sleep(0.001)

    await asyncio.gather(*(one() for _ in range(40)))
    assert max(seen) == 3
    assert limiter.peak_in_flight == 3
    assert limiter.in_flight == 0


async def test_waiters_enter_in_arrival_order() -> None:
    limiter = AdaptiveLimiter(1)
    order: list[str] = []
    gate = asyncio.Event()

    async def holder() -> None:
        async with limiter:
            await gate.wait()

    async def waiter(name: str) -> None:
        async with limiter:
            order.append(name)

    first = asyncio.create_task(holder())
    await asyncio.sleep(0)
    names = ["Ani", "Bagrat", "Chloé", "Dörte", "Ekaterina"]
    tasks = [asyncio.create_task(waiter(n)) for n in names]
    await asyncio.sleep(0)
    gate.set()
    await asyncio.gather(first, *tasks)
    assert order == names


async def test_a_cancelled_waiter_passes_its_turn_on() -> None:
    limiter = AdaptiveLimiter(1)
    entered: list[str] = []
    gate = asyncio.Event()

    async def holder() -> None:
        async with limiter:
            await gate.wait()

    async def waiter(name: str) -> None:
        async with limiter:
            entered.append(name)

    first = asyncio.create_task(holder())
    await asyncio.sleep(0)
    doomed = asyncio.create_task(waiter("Yerevan"))
    survivor = asyncio.create_task(waiter("Hamburg"))
    await asyncio.sleep(0)
    doomed.cancel()
    gate.set()
    await asyncio.gather(first, survivor)
    with pytest.raises(asyncio.CancelledError):
        await doomed
    assert entered == ["Hamburg"]
    assert limiter.in_flight == 0


async def test_pause_delays_new_requests() -> None:
    limiter = AdaptiveLimiter(4)
    limiter.overloaded(pause_s=0.3)
    loop = asyncio.get_running_loop()
    start = loop.time()
    async with limiter:
        pass
    assert loop.time() - start >= 0.25


async def test_a_pause_wakes_every_waiter_it_held_by_one_timer() -> None:
    limiter = AdaptiveLimiter(8)
    limiter.overloaded(pause_s=0.1)  # limit 4, paused
    loop = asyncio.get_running_loop()
    start = loop.time()
    entered_at: list[float] = []

    async def one() -> None:
        async with limiter:
            entered_at.append(loop.time() - start)
            await asyncio.sleep(0.01)

    await asyncio.gather(*(one() for _ in range(12)))
    assert len(entered_at) == 12
    assert min(entered_at) >= 0.09
    assert limiter.peak_in_flight == 4  # the halved limit holds after the pause
    assert limiter.wakeups == 12  # each waiter woken once: no polling


async def test_wake_ups_grow_with_requests_not_with_requests_times_waiters() -> None:
    limiter = AdaptiveLimiter(4)

    async def one() -> None:
        async with limiter:
            await asyncio.sleep(0)

    await asyncio.gather(*(one() for _ in range(2000)))
    # 4 enter at once; each of the other 1,996 is woken exactly once, by the release before it
    assert limiter.wakeups == 2000 - 4
    assert limiter.in_flight == 0
    assert limiter.waiting == 0
