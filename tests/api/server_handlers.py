"""Task handlers for the ``stepline serve`` process the API tests start."""

from __future__ import annotations

from typing import Any


def echo(event: Any) -> Any:
    return event


def ignore(event: Any) -> Any:
    """For ``.waitForTaskToken`` tasks: the call returns, the task waits for its token."""
    return {}
