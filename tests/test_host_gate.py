"""HostGate on its own: per-host concurrency and spacing between real request starts."""

from __future__ import annotations

import asyncio

from monitor.fetch.http import HostGate


async def _request(gate: HostGate, global_slots: asyncio.Semaphore, starts: list[float], hold: float,
                   inside: list[int], peak: list[int]) -> None:
    async with gate.slots:
        await gate.start(global_slots.acquire)
        starts.append(gate.clock())
        inside[0] += 1
        peak[0] = max(peak[0], inside[0])
        try:
            await asyncio.sleep(hold)
        finally:
            inside[0] -= 1
            global_slots.release()


def _run(gate: HostGate, n: int, hold: float = 0.0, global_slots: int = 10) -> tuple[list[float], int]:
    starts: list[float] = []
    inside, peak = [0], [0]

    async def main() -> None:
        slots = asyncio.Semaphore(global_slots)
        await asyncio.gather(*(_request(gate, slots, starts, hold, inside, peak) for _ in range(n)))

    asyncio.run(main())
    return starts, peak[0]


def test_request_starts_to_one_host_are_spaced_by_its_delay() -> None:
    starts, _ = _run(HostGate(per_host=4, delay=0.03), n=5)
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert len(starts) == 5
    assert all(gap >= 0.03 for gap in gaps), gaps


def test_no_more_than_per_host_requests_run_at_once() -> None:
    _, peak = _run(HostGate(per_host=2, delay=0.0), n=6, hold=0.02)
    assert peak == 2


def test_zero_delay_lets_requests_start_together() -> None:
    starts, peak = _run(HostGate(per_host=3, delay=0.0), n=3, hold=0.05)
    assert peak == 3
    assert len(starts) == 3


def test_spacing_counts_from_the_real_start_not_from_the_wait_for_a_global_slot() -> None:
    """A request that waited for a global slot does not let the next one to its host start right behind it."""
    gate = HostGate(per_host=2, delay=0.05)
    starts: list[float] = []

    async def main() -> None:
        global_slots = asyncio.Semaphore(1)
        await global_slots.acquire()  # another host holds the only global slot for a while

        async def one() -> None:
            async with gate.slots:
                await gate.start(global_slots.acquire)
                starts.append(gate.clock())
                global_slots.release()

        first = asyncio.create_task(one())
        await asyncio.sleep(0.12)  # longer than the delay: a reserved-ahead turn would already have expired
        second = asyncio.create_task(one())
        await asyncio.sleep(0)
        global_slots.release()
        await asyncio.gather(first, second)

    asyncio.run(main())
    assert starts[1] - starts[0] >= 0.05

