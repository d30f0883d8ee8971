"""How one step's history events are stored: one JSON document per step, large payloads shared.

A state's output is the next state's input, and a state that sets ``$.meta`` on a 200 KiB
input outputs a new object sharing the 200 KiB member with its input.  Stored naively, such a
step writes the 200 KiB twice per state.  Here a large payload (``input``, ``output``,
``parameters``) is stored once per step, split one level deep so that its large members are
stored once too.  Small payloads stay in their events: sharing them would cost more than it
saves.  The interpreter never mutates a payload, so the same Python object is the same value.

Document: ``{"shared": [entry...], "events": [[id, previousEventId, type, detailsKey,
details, refs?]...]}``; ``refs`` maps a payload field left null in ``details`` to an entry;
an entry is ``["x", value]``, ``["t", json-text]`` (a payload kept as the text it came in) or
``["o", [[key, 0, value] | [key, 1, entry]...]]``.
"""

from __future__ import annotations

from typing import Any

from asl import jsontext
from asl.history import Event, JsonText

PAYLOAD_KEYS = ("input", "output", "parameters")
LARGE = 32  # members: a container with more is shared rather than written in place


def _large(value: Any) -> bool:
    if isinstance(value, dict):
        return len(value) > LARGE or any(
            isinstance(member, dict | list) and len(member) > LARGE for member in value.values()
        )
    return isinstance(value, list) and len(value) > LARGE


class _Encoder:
    __slots__ = ("entries", "index", "sizes")

    def __init__(self) -> None:
        self.entries: list[Any] = []
        self.index: dict[int, int] = {}
        # id(payload) -> _large(payload): a state's output is the next state's input, so most
        # payloads are met twice.  The events hold the payloads, so ids stay unique meanwhile.
        self.sizes: dict[int, bool] = {}

    def _add(self, key: int, entry: Any) -> int:
        position = len(self.entries)
        self.entries.append(entry)
        self.index[key] = position
        return position

    def raw(self, value: Any) -> int:
        found = self.index.get(id(value))
        return found if found is not None else self._add(id(value), ["x", value])

    def text(self, value: str) -> int:
        """A payload kept as the JSON text it was given in (the execution input)."""
        return self._add(id(value), ["t", str(value)])

    def payload(self, value: Any) -> int:
        if not isinstance(value, dict):
            return self.raw(value)
        found = self.index.get(id(value))
        if found is None:
            pairs = [[k, 1, self.raw(v)] if _large(v) else [k, 0, v] for k, v in value.items()]
            found = self._add(id(value), ["o", pairs])
        return found


def encode(events: list[Event]) -> str:
    encoder = _Encoder()
    rows: list[list[Any]] = []
    sizes = encoder.sizes
    for event in events:
        details = event.details
        row = [event.id, event.previous_event_id, event.type, event.details_key, details]
        rows.append(row)
        if not details:
            continue
        special: list[str] | None = None  # the payload fields stored apart (most events: none)
        for key in PAYLOAD_KEYS:
            value = details.get(key)
            kind = type(value)
            if kind is dict or kind is list:
                large = sizes.get(id(value))
                if large is None:
                    large = sizes[id(value)] = _large(value)
                if not large:
                    continue
            elif kind is not JsonText:
                continue
            if special is None:
                special = []
            special.append(key)
        if special is not None:
            # The field keeps its place in the details (as null); refs says what goes there.
            row[4] = {k: None if k in special else v for k, v in details.items()}
            row.append({
                key: encoder.text(details[key]) if type(details[key]) is JsonText
                else encoder.payload(details[key])
                for key in special
            })  # fmt: skip
    return jsontext.dumps({"shared": encoder.entries, "events": rows})


def decode(body: str) -> list[list[Any]]:
    """The events as ``[id, previousEventId, type, detailsKey, details]``, payloads restored."""
    document = jsontext.loads(body)
    shared = document["shared"]
    built: dict[int, Any] = {}

    def entry(position: int) -> Any:
        if position in built:
            return built[position]
        kind, content = shared[position]
        if kind == "t":
            value: Any = JsonText(content)
        elif kind == "x":
            value = content
        else:
            value = {k: entry(v) if flag else v for k, flag, v in content}
        built[position] = value
        return value

    events: list[list[Any]] = document["events"]
    for event in events:
        if len(event) == 6:
            details = event[4]
            for key, position in event.pop().items():
                details[key] = entry(position)
    return events
