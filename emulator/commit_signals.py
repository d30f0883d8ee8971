"""Commit signals: wake whoever follows an execution (an SSE stream, say) as soon as this
process commits a step of it, instead of polling the store.

    signal = executions.commits.watch(arn)     # an asyncio.Event, set after each commit
    try:
        await asyncio.wait_for(signal.wait(), timeout)
        signal.clear()
    finally:
        executions.commits.unwatch(arn, signal)

Only commits made by this process are signalled: an execution another process advances
(several processes sharing one PostgreSQL database) is followed by reading the store, which
is why a watcher also waits with a timeout.
"""

from __future__ import annotations

import asyncio


class CommitSignals:
    def __init__(self) -> None:
        self._watchers: dict[str, set[asyncio.Event]] = {}

    def watch(self, arn: str) -> asyncio.Event:
        signal = asyncio.Event()
        self._watchers.setdefault(arn, set()).add(signal)
        return signal

    def unwatch(self, arn: str, signal: asyncio.Event) -> None:
        watchers = self._watchers.get(arn)
        if watchers is not None:
            watchers.discard(signal)
            if not watchers:
                del self._watchers[arn]

    def notify(self, arn: str) -> None:
        """A step of ``arn`` was committed (or this process stopped advancing it)."""
        for signal in self._watchers.get(arn, ()):
            signal.set()
