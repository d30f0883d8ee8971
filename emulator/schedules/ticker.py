"""The schedule ticker: fires every enabled schedule when it is due, on the server's clock.

    ticker = Ticker(schedules, clock, fire)   # fire(row) -> run id, awaited
    await ticker.start() ... await ticker.stop()

The ticker sleeps with the clock's own primitive until the earliest ``next_run_at``.  On a
virtual clock it is a participant of the clock (``Clock.register``): its next due time counts
among the timers the clock moves to, so advancing time through ``POST /_stepline/clock``
fires each schedule due on the way at its own time, in order with execution timers.  It never
makes a virtual clock jump by itself (a schedule is not work in progress).

Each due schedule is claimed with a conditional update before it fires, so processes sharing
one database fire it once.  A firing that fails (the pipeline was archived, the schedule's
input no longer matches the pipeline's ``input.schema``) is recorded on the schedule as
``last_error``; the ticker goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from emulator.clock import Clock
from emulator.schedules.service import Schedules

log = logging.getLogger("stepline.schedules")

Fire = Callable[[Any], Awaitable[str | None]]  # a due schedule row -> the run id
Describe = Callable[[Exception], dict[str, Any]]  # an error, as recorded in last_error

# A process re-reads the table at least this often, to see schedules other processes wrote.
_REFRESH = timedelta(seconds=30)


def _describe(exc: Exception) -> dict[str, Any]:
    out: dict[str, Any] = {
        "error": getattr(exc, "message", None) or str(exc) or type(exc).__name__,
        "code": getattr(exc, "code", None) or "SCHEDULE_FIRE_FAILED",
    }
    issues = getattr(exc, "issues", None)
    if issues:
        out["issues"] = list(issues)
    return out


class Ticker:
    def __init__(
        self, schedules: Schedules, clock: Clock, fire: Fire, describe: Describe = _describe
    ) -> None:
        self.schedules = schedules
        self.clock = clock
        self._fire = fire
        self._describe = describe
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._next: datetime | None = None
        self._task: asyncio.Task[None] | None = None
        schedules.on_change(self.changed)

    async def start(self) -> None:
        self._next = self.schedules.next_due()
        # First among the clock's participants: what a firing starts settles in the same move.
        self.clock.register(self, first=True)
        self._task = asyncio.create_task(self._loop(), name="stepline-schedule-ticker")

    async def stop(self) -> None:
        self.clock.unregister(self)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def changed(self) -> None:
        """A schedule was created, enabled, disabled or deleted."""
        self._next = self.schedules.next_due()
        self._wake.set()

    # ------------------------------------------------------------------ clock participant

    def next_due(self) -> datetime | None:
        return self._next

    def clock_moved(self) -> None:
        self._wake.set()

    async def settle(self, deadline: float) -> None:
        """Fire every schedule due now (the clock moved to it)."""
        await self.tick()

    # ------------------------------------------------------------------ firing

    async def tick(self) -> int:
        """Fire what is due at the clock's now; returns how many fired."""
        async with self._lock:
            fired = 0
            while True:
                now = self.clock.now()
                rows = self.schedules.due(now)
                if not rows:
                    break
                for row in rows:
                    if self.schedules.claim(row, now) is None:
                        continue
                    fired += 1
                    await self._one(row)
            self._next = self.schedules.next_due()
            return fired

    async def _one(self, row: Any) -> None:
        try:
            run_id = await self._fire(row)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("schedule %s (%s) did not start a run: %s", row.id, row.name, exc)
            self.schedules.record(row.id, None, self._describe(exc))
        else:
            self.schedules.record(row.id, run_id, None)

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the schedule ticker failed; retrying")
            when = self._next
            if self.clock.kind != "virtual":
                ceiling = self.clock.now() + _REFRESH
                when = ceiling if when is None else min(when, ceiling)
            await self.clock.sleep_until(when, self._wake, lambda: False)
            if self.clock.kind != "virtual":
                self._next = self.schedules.next_due()
