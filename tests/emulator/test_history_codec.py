"""A step's events stored as one document: payloads shared, the history unchanged."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from asl.history import Event
from emulator.store.history_codec import decode, encode

NOW = datetime(2024, 1, 1, tzinfo=UTC)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=15,
)


def events_with(payloads: list[Any]) -> list[Event]:
    out = []
    for n, payload in enumerate(payloads, start=1):
        key = "input" if n % 2 else "output"
        out.append(
            Event(
                n,
                n - 1,
                NOW,
                "PassStateEntered",
                "stateEnteredEventDetails",
                {"name": "S", key: payload},
            )
        )
    return out


def rows_of(events: list[Event]) -> list[list[Any]]:
    return [[e.id, e.previous_event_id, e.type, e.details_key, e.details] for e in events]


@settings(max_examples=300, deadline=None)
@given(st.lists(json_values, min_size=1, max_size=6), st.data())
def test_round_trip_restores_every_event(payloads: list[Any], data: st.DataObject) -> None:
    # Reuse some payload objects, as consecutive states do.
    reused = [payloads[data.draw(st.integers(0, n))] for n in range(len(payloads))]
    events = events_with(payloads + reused)
    assert decode(encode(events)) == rows_of(events)


def test_a_shared_member_is_stored_once() -> None:
    items = [{"id": n, "name": f"item-{n:06d}"} for n in range(500)]
    payloads = [{"items": items, "meta": {"step": n}} for n in range(50)]
    body = encode(events_with(payloads))
    assert len(body) < 2 * len(json.dumps(items))
    assert decode(body) == rows_of(events_with(payloads))


def test_key_order_and_other_details_are_kept() -> None:
    event = Event(
        1,
        0,
        NOW,
        "TaskScheduled",
        "taskScheduledEventDetails",
        {"resourceType": "lambda", "parameters": {"z": 1, "a": [1]}, "region": "us-east-1"},
    )
    [[_, _, _, _, details]] = decode(encode([event]))
    assert list(details) == ["resourceType", "parameters", "region"]
    assert list(details["parameters"]) == ["z", "a"]


@settings(max_examples=300, deadline=None)
@given(st.lists(json_values, min_size=1, max_size=6), st.data())
def test_round_trip_with_every_container_shared(payloads: list[Any], data: st.DataObject) -> None:
    import emulator.store.history_codec as codec

    saved = codec.LARGE
    codec.LARGE = 0  # share every non-empty container, to exercise the shared entries
    try:
        reused = [payloads[data.draw(st.integers(0, n))] for n in range(len(payloads))]
        events = events_with(payloads + reused)
        assert decode(encode(events)) == rows_of(events)
    finally:
        codec.LARGE = saved


def test_the_execution_input_keeps_the_text_it_came_in() -> None:
    from asl.history import JsonText, render_details

    text = '{\n    "IsHelloWorldExample": true\n}'
    event = Event(
        1, 0, NOW, "ExecutionStarted", "executionStartedEventDetails", {"input": JsonText(text)}
    )
    [[_, _, _, _, details]] = decode(encode([event]))
    assert render_details(details)["input"] == text
