"""Walking every state of a raw definition."""

from __future__ import annotations

from asl.walk import iter_states


def test_nested_states_are_visited_with_aws_locations() -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}],
                "Next": "M",
            },
            "M": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}},
                "Iterator": {"StartAt": "C", "States": {"C": {"Type": "Succeed"}}},
                "End": True,
            },
        },
    }
    assert [location for location, _ in iter_states(definition)] == [
        "/States/P",
        "/States/P/Branches[0]/States/A",
        "/States/M",
        "/States/M/ItemProcessor/States/B",
        "/States/M/Iterator/States/C",
    ]


def test_malformed_parts_are_skipped() -> None:
    assert list(iter_states({"States": {"A": 1, "B": {"Branches": "x"}}})) == [
        ("/States/B", {"Branches": "x"})
    ]
    assert list(iter_states([])) == []
