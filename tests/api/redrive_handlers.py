"""Task handlers for the redrive tests' ``stepline serve`` process."""

from __future__ import annotations

from typing import Any

from emulator.handlers import TaskFailure

_seen: set[str] = set()


def flaky(event: Any) -> Any:
    """Fails the first call for each ``key``, succeeds after: a task that a redrive fixes."""
    key = str(event["key"])
    if key not in _seen:
        _seen.add(key)
        raise TaskFailure("Flaky.NotYet", f"first call for {key}")
    return {"fixed": key, "redrives": event.get("redrives")}


def flaky_if_asked(event: Any) -> Any:
    """Fails the first call for a ``key`` only when the event says ``flaky``; reports the
    execution's redrive count, so a result shows which attempt computed it."""
    key = str(event["key"])
    if event.get("flaky") and key not in _seen:
        _seen.add(key)
        raise TaskFailure("Flaky.NotYet", f"first call for {key}")
    return {"key": key, "redrives": event.get("redrives")}
