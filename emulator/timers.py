"""The timers of the executions a process advances, in the order they are due.

Two kinds of entries share one queue: a committed timer (``TimerFired`` once due; its row is
deleted in the step it causes) and a delayed task answer (a local handler's ``Delayed``: the
outcome arrives later on the clock).  Entries due at the same time keep the order they were
added in.  A cancelled timer stays in the heap and is skipped when popped.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass
from datetime import UTC, datetime

import asl


@dataclass(frozen=True, slots=True)
class Due:
    arn: str
    timer_id: str | None  # a committed timer, or
    outcome: asl.Outcome | None  # a delayed task answer


class TimerQueue:
    def __init__(self) -> None:
        self._heap: list[tuple[datetime, int, Due]] = []
        self._order = itertools.count()
        self._live: dict[tuple[str, str], datetime] = {}  # (arn, timer id) -> when due

    def __len__(self) -> int:
        return len(self._live)

    def add_timer(self, arn: str, timer_id: str, due: datetime) -> None:
        self._live[(arn, timer_id)] = due
        heapq.heappush(self._heap, (due, next(self._order), Due(arn, timer_id, None)))

    def add_outcome(self, arn: str, outcome: asl.Outcome, due: datetime) -> None:
        heapq.heappush(self._heap, (due, next(self._order), Due(arn, None, outcome)))

    def cancel(self, arn: str, timer_id: str) -> None:
        self._live.pop((arn, timer_id), None)

    def forget(self, arn: str, timer_ids: list[str] | set[str]) -> None:
        for timer_id in timer_ids:
            self._live.pop((arn, timer_id), None)

    def next_due(self) -> datetime | None:
        """When the earliest entry is due (cancelled ones are dropped first)."""
        heap = self._heap
        while heap:
            due, _, entry = heap[0]
            if entry.timer_id is None or self._live.get((entry.arn, entry.timer_id)) == due:
                return due
            heapq.heappop(heap)
        return None

    def pop_due(self, now: datetime) -> list[Due]:
        """Every entry due at ``now``, earliest first."""
        out: list[Due] = []
        while True:
            due = self.next_due()
            if due is None or due > now:
                return out
            _, _, entry = heapq.heappop(self._heap)
            if entry.timer_id is not None:
                del self._live[(entry.arn, entry.timer_id)]
            out.append(entry)

    def drop_outcomes(self, arn: str) -> None:
        """Forget delayed answers for an execution this process no longer advances."""
        self._heap = [
            item for item in self._heap if item[2].timer_id is not None or item[2].arn != arn
        ]
        heapq.heapify(self._heap)


def epoch(when: datetime) -> float:
    """A due time as stored (``timers.fire_at_epoch``)."""
    return when.timestamp()


def from_epoch(value: float) -> datetime:
    """A stored due time, to the microsecond."""
    return datetime.fromtimestamp(round(value, 6), UTC)
