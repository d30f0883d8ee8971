"""Handlers for the example state machines (``--handler RESOURCE=module:function``)."""

from __future__ import annotations

from typing import Any


def greet(event: dict[str, Any]) -> dict[str, Any]:
    return {"delivered": True, "text": event["greeting"]}
