"""History events as GetExecutionHistory returns them.

The interpreter records events cheaply: payloads (``input``, ``output``, ``parameters``) are
kept as the values themselves — which the interpreter never mutates — and turned into JSON
text only when an event is rendered.  Field names follow botocore's ``HistoryEvent`` shape.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from asl import jsontext


class JsonText(str):
    """A payload that is already JSON text and is rendered as written: the execution input
    as the caller sent it (AWS's ExecutionStarted event keeps its text, whitespace included,
    e.g. ``"{\n    \"IsHelloWorldExample\": true\n}"`` in the docs' history examples)."""

    __slots__ = ()


# Detail keys whose values are JSON payloads, and the "...Details" object AWS adds beside them.
_PAYLOAD_KEYS = {"input": "inputDetails", "output": "outputDetails"}


class Event:
    __slots__ = ("details", "details_key", "id", "previous_event_id", "timestamp", "type")

    def __init__(
        self,
        id: int,
        previous_event_id: int,
        timestamp: datetime,
        type: str,
        details_key: str | None,
        details: dict[str, Any] | None,
    ) -> None:
        self.id = id
        self.previous_event_id = previous_event_id
        self.timestamp = timestamp
        self.type = type
        self.details_key = details_key
        self.details = details

    def render(self, include_data: bool = True) -> dict[str, Any]:
        """The event as the API returns it (timestamp left as a datetime)."""
        out: dict[str, Any] = {
            "timestamp": self.timestamp,
            "type": self.type,
            "id": self.id,
            "previousEventId": self.previous_event_id,
        }
        if self.details_key is not None:
            out[self.details_key] = render_details(self.details or {}, include_data)
        return out

    def __repr__(self) -> str:
        return f"Event({self.id}, {self.type}, {self.details!r})"


def render_details(details: dict[str, Any], include_data: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in details.items():
        if key in _PAYLOAD_KEYS:
            if include_data:
                out[key] = str(value) if type(value) is JsonText else jsontext.dumps(value)
            out[_PAYLOAD_KEYS[key]] = {"truncated": False}
        elif key == "parameters":
            if include_data:
                out[key] = jsontext.dumps(value)
        elif key == "assignedVariables":
            if include_data:
                out[key] = {name: jsontext.dumps(v) for name, v in value.items()}
            out["assignedVariablesDetails"] = {"truncated": False}
        else:
            out[key] = value
    return out
