"""Time for the emulator: system, scaled (WAIT_TIME_SCALE) and virtual clocks.

A clock answers three questions for the runner:

- ``now()``: the time stamped on history events (aware UTC, millisecond precision, as AWS
  records it);
- ``due(now, fire_at, purpose)``: when, on this clock, a timer set at ``now`` for the logical
  time ``fire_at`` must fire (a scaled clock shortens Wait and Retry intervals);
- ``sleep_until(when, wake, idle)``: wait until a timer is due or the runner has news.

The **virtual** clock never waits: when the runner is idle — every running execution waits only
on timers, not on a task in flight or a callback — it jumps to the next due timer.  It also
moves by hand: ``advance(seconds)`` fires every timer due on the way, in time order, each at
its own time, and lets the work they cause settle before going on.

The emulator never calls ``time.sleep`` for a Wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

# Timer purposes a WAIT_TIME_SCALE applies to: Step Functions Local scales Wait states and
# retry intervals, never a task's TimeoutSeconds or HeartbeatSeconds.
# https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-config-options.html
SCALED_PURPOSES = frozenset({"wait", "retry"})

# How many times a virtual clock lets the event loop run before it jumps, so that work which
# is about to start (a request being handled, a step being applied) shows itself first.
_JUMP_YIELDS = 3


def system_now() -> datetime:
    """The wall clock, aware UTC, truncated to milliseconds as AWS timestamps are."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class Participant(Protocol):
    """A runner whose timers a virtual clock drives (see :meth:`VirtualClock.advance`)."""

    def next_due(self) -> datetime | None: ...

    async def settle(self, deadline: float) -> None: ...

    def clock_moved(self) -> None: ...


class Clock(ABC):
    kind: str = "system"

    @abstractmethod
    def now(self) -> datetime: ...

    def due(self, now: datetime, fire_at: datetime, purpose: str) -> datetime:
        """When a timer started at ``now`` to fire at ``fire_at`` is due on this clock."""
        return fire_at

    @abstractmethod
    async def sleep_until(
        self, when: datetime | None, wake: asyncio.Event, idle: Callable[[], bool]
    ) -> None:
        """Return once ``when`` has come (never if None), or ``wake`` is set."""

    def register(self, participant: Participant, *, first: bool = False) -> None:
        """A runner starts using this clock (a virtual clock drives its timers).

        ``first``: settle it before the others (a schedule ticker, whose firings start work
        that the runners then settle at the same time)."""
        participants = self.__dict__.setdefault("_participants", [])
        if participant not in participants:
            participants.insert(0 if first else len(participants), participant)

    def unregister(self, participant: Participant) -> None:
        """The runner stops using this clock."""
        participants = self.__dict__.get("_participants", [])
        if participant in participants:
            participants.remove(participant)


class SystemClock(Clock):
    kind = "system"

    def now(self) -> datetime:
        return system_now()

    async def sleep_until(
        self, when: datetime | None, wake: asyncio.Event, idle: Callable[[], bool]
    ) -> None:
        timeout = None if when is None else (when - system_now()).total_seconds()
        if timeout is not None and timeout <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout)


class ScaledClock(SystemClock):
    """Real time, with Wait and Retry intervals multiplied by ``scale`` (0 = no wait)."""

    kind = "scaled"

    def __init__(self, scale: float) -> None:
        if scale < 0:
            raise ValueError(f"a wait time scale cannot be negative: {scale}")
        self.scale = scale

    def due(self, now: datetime, fire_at: datetime, purpose: str) -> datetime:
        if purpose not in SCALED_PURPOSES or fire_at <= now:
            return fire_at
        return now + (fire_at - now) * self.scale


class VirtualClock(Clock):
    """Time that moves only when the runner is idle, or by hand."""

    kind = "virtual"

    def __init__(self, start: datetime | None = None, settle_seconds: float = 1.0) -> None:
        self._now = start.astimezone(UTC) if start is not None else system_now()
        self._participants: list[Participant] = []
        # How long (real seconds) one advance waits, at most, for task handlers in flight.
        self.settle_seconds = settle_seconds

    def now(self) -> datetime:
        return self._now

    def catch_up(self, when: datetime) -> None:
        """Move forward to ``when`` without firing anything (never backwards).

        Used when a runner opens a database whose events are later than this clock, so that
        a restarted emulator never stamps an event earlier than the ones before it.
        """
        if when > self._now:
            self._move(when)

    async def advance(self, seconds: float) -> None:
        """Move ``seconds`` forward, firing each timer due on the way at its own time.

        Before each move, the work already caused settles: due timers fire and their steps
        commit, and task handlers in flight answer — waiting for those at most
        ``settle_seconds`` of real time in all, so that a handler that blocks cannot hold the
        clock (its answer then arrives at whatever virtual time it is).
        """
        if seconds < 0:
            raise ValueError(f"a virtual clock cannot go back: advance({seconds})")
        await self.set_time(self._now + timedelta(seconds=seconds))

    async def set_time(self, when: datetime) -> None:
        """Move forward to ``when``, firing each timer due on the way at its own time."""
        when = when.astimezone(UTC)
        if when < self._now:
            raise ValueError(f"a virtual clock cannot go back: it is {self._now.isoformat()}")
        deadline = time.monotonic() + self.settle_seconds
        await self._settle(deadline)
        while True:
            due = self._next_due()
            if due is None or due > when:
                break
            if due > self._now:
                self._move(due)
            await self._settle(deadline)
        if when > self._now:
            self._move(when)
        await self._settle(deadline)

    async def sleep_until(
        self, when: datetime | None, wake: asyncio.Event, idle: Callable[[], bool]
    ) -> None:
        if when is not None and when <= self._now:
            return
        if when is not None and idle():
            for _ in range(_JUMP_YIELDS):
                await asyncio.sleep(0)
            if wake.is_set() or not idle():
                return
            due = self._next_due()
            # Jump to the earliest timer any runner on this clock has, not only ours.
            target = when if due is None else min(due, when)
            if target > self._now:
                self._move(target)
            return
        await wake.wait()

    def _next_due(self) -> datetime | None:
        dues = [d for d in (p.next_due() for p in self._participants) if d is not None]
        return min(dues) if dues else None

    def _move(self, when: datetime) -> None:
        self._now = when
        for participant in list(self._participants):
            participant.clock_moved()

    async def _settle(self, deadline: float) -> None:
        for participant in list(self._participants):
            await participant.settle(deadline)


def make_clock(kind: str, wait_time_scale: float | None = None) -> Clock:
    """``"system"`` or ``"virtual"``; a ``wait_time_scale`` on a system clock scales it."""
    if kind == "virtual":
        return VirtualClock()
    if kind != "system":
        raise ValueError(f"unknown clock {kind!r}: expected 'system' or 'virtual'")
    if wait_time_scale is not None and wait_time_scale != 1:
        return ScaledClock(wait_time_scale)
    return SystemClock()
