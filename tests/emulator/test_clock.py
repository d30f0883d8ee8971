"""Clocks: system time in milliseconds, WAIT_TIME_SCALE, and a virtual clock that jumps."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import asl
from emulator.clock import ScaledClock, SystemClock, VirtualClock, make_clock
from emulator.timers import TimerQueue, epoch, from_epoch

START = datetime(2024, 1, 1, tzinfo=UTC)


def test_the_system_clock_is_utc_in_milliseconds() -> None:
    now = SystemClock().now()
    assert now.tzinfo is UTC and now.microsecond % 1000 == 0
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


def test_make_clock() -> None:
    assert type(make_clock("system", None)) is SystemClock
    assert type(make_clock("system", 1)) is SystemClock
    scaled = make_clock("system", 0.5)
    assert isinstance(scaled, ScaledClock) and scaled.scale == 0.5 and scaled.kind == "scaled"
    assert isinstance(make_clock("virtual", None), VirtualClock)
    with pytest.raises(ValueError, match="unknown clock"):
        make_clock("sundial", None)
    with pytest.raises(ValueError, match="negative"):
        ScaledClock(-1)


def test_a_scale_shortens_waits_and_retries_but_not_timeouts() -> None:
    clock = ScaledClock(0.1)
    later = START + timedelta(seconds=100)
    assert clock.due(START, later, "wait") == START + timedelta(seconds=10)
    assert clock.due(START, later, "retry") == START + timedelta(seconds=10)
    for purpose in ("task-timeout", "heartbeat", "execution-timeout"):
        assert clock.due(START, later, purpose) == later
    past = START - timedelta(seconds=5)  # a Wait until a timestamp already gone
    assert clock.due(START, past, "wait") == past
    assert ScaledClock(0).due(START, later, "wait") == START
    assert SystemClock().due(START, later, "wait") == later


class Participant:
    """A stand-in runner: timers in a queue, fired when due, each recorded at its time."""

    def __init__(self, clock: VirtualClock, idle: bool = True) -> None:
        self.clock = clock
        self.queue: list[datetime] = []
        self.fired: list[tuple[datetime, datetime]] = []
        self.busy = not idle

    def next_due(self) -> datetime | None:
        return min(self.queue) if self.queue else None

    async def settle(self, deadline: float) -> None:
        now = self.clock.now()
        for due in sorted(d for d in self.queue if d <= now):
            self.queue.remove(due)
            self.fired.append((due, now))

    def clock_moved(self) -> None:
        pass


def test_advance_fires_each_timer_at_its_own_time_in_order() -> None:
    clock = VirtualClock(START)
    runner = Participant(clock)
    clock.register(runner)
    runner.queue = [START + timedelta(seconds=s) for s in (10, 5, 30, 5)]
    asyncio.run(clock.advance(20))
    assert clock.now() == START + timedelta(seconds=20)
    assert runner.fired == [
        (START + timedelta(seconds=5), START + timedelta(seconds=5)),
        (START + timedelta(seconds=5), START + timedelta(seconds=5)),
        (START + timedelta(seconds=10), START + timedelta(seconds=10)),
    ]
    assert runner.queue == [START + timedelta(seconds=30)]
    with pytest.raises(ValueError, match="cannot go back"):
        asyncio.run(clock.advance(-1))
    with pytest.raises(ValueError, match="cannot go back"):
        asyncio.run(clock.set_time(START))
    clock.catch_up(START)  # never backwards
    assert clock.now() == START + timedelta(seconds=20)
    clock.catch_up(START + timedelta(days=1))
    assert clock.now() == START + timedelta(days=1)


def test_the_virtual_clock_jumps_only_when_the_runner_is_idle() -> None:
    async def main() -> None:
        clock = VirtualClock(START)
        due = START + timedelta(seconds=60)
        wake = asyncio.Event()
        busy = asyncio.create_task(clock.sleep_until(due, wake, lambda: False))
        await asyncio.sleep(0.05)
        assert not busy.done() and clock.now() == START  # a task in flight: no jump
        wake.set()
        await busy
        wake.clear()
        await clock.sleep_until(due, wake, lambda: True)
        assert clock.now() == due  # idle: straight to the next timer
        await clock.sleep_until(START, wake, lambda: True)  # already due: no move
        assert clock.now() == due

    asyncio.run(main())


def test_the_system_clock_sleeps_until_woken_or_due() -> None:
    async def main() -> None:
        clock = SystemClock()
        wake = asyncio.Event()
        loop = asyncio.get_running_loop()
        started = loop.time()
        await clock.sleep_until(clock.now() + timedelta(milliseconds=50), wake, lambda: True)
        assert loop.time() - started >= 0.03
        loop.call_later(0.01, wake.set)
        await clock.sleep_until(None, wake, lambda: True)
        assert wake.is_set()

    asyncio.run(main())


@given(st.lists(st.tuples(st.integers(0, 50), st.booleans()), max_size=30))
def test_the_timer_queue_pops_in_time_then_insertion_order_and_skips_cancelled(
    entries: list[tuple[int, bool]],
) -> None:
    queue = TimerQueue()
    kept = []
    for index, (seconds, cancel) in enumerate(entries):
        due = START + timedelta(seconds=seconds)
        queue.add_timer("x", f"t{index}", due)
        if cancel:
            queue.cancel("x", f"t{index}")
        else:
            kept.append((due, index))
    popped = queue.pop_due(START + timedelta(seconds=25))
    expected = [f"t{i}" for due, i in sorted(kept) if due <= START + timedelta(seconds=25)]
    assert [d.timer_id for d in popped] == expected
    rest = [f"t{i}" for due, i in sorted(kept) if due > START + timedelta(seconds=25)]
    assert [d.timer_id for d in queue.pop_due(START + timedelta(days=1))] == rest
    assert queue.next_due() is None


def test_delayed_answers_share_the_queue_and_stored_times_round_trip() -> None:
    queue = TimerQueue()
    queue.add_outcome("x", asl.TaskSucceeded("k1", 1), START + timedelta(seconds=2))
    queue.add_timer("x", "wait:2", START + timedelta(seconds=1))
    first, second = queue.pop_due(START + timedelta(seconds=3))
    assert first.timer_id == "wait:2" and second.outcome == asl.TaskSucceeded("k1", 1)
    moment = datetime(2031, 7, 8, 9, 10, 11, 123456, tzinfo=UTC)
    assert from_epoch(epoch(moment)) == moment
