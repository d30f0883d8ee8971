"""Input and output processing: AWS's order, and no state ever mutates the data it is given."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import asl

NOW = datetime(2024, 1, 1, tzinfo=UTC)
INFO = asl.ExecutionInfo(
    execution_arn="arn:aws:states:us-east-1:123456789012:execution:M:e",
    execution_name="e",
    state_machine_arn="arn:aws:states:us-east-1:123456789012:stateMachine:M",
    state_machine_name="M",
    role_arn="arn:aws:iam::123456789012:role/R",
    start_time=NOW,
)

leaves = st.none() | st.booleans() | st.integers() | st.text(max_size=6)
json_values = st.recursive(
    leaves,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["a", "b", "c", "items"]), children, max_size=4),
    max_leaves=25,
)
documents = st.dictionaries(st.sampled_from(["a", "b", "c", "items"]), json_values, max_size=4)

STATES: list[dict[str, Any]] = [
    {"Type": "Pass", "ResultPath": "$.a.b", "Result": {"r": 1}},
    {"Type": "Pass", "Parameters": {"x.$": "$", "n": 1}, "ResultPath": "$.c"},
    {"Type": "Pass", "ResultPath": None, "Result": 5},
    {"Type": "Pass", "InputPath": "$", "OutputPath": "$"},
    {"Type": "Pass", "Parameters": {"all.$": "$..a", "f.$": "States.JsonToString($)"}},
    {"Type": "Pass", "Parameters": {"m.$": "States.JsonMerge($, $, false)"}},
    {"Type": "Map", "ItemsPath": "$.items", "ResultPath": "$.mapped",
     "ItemSelector": {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
     "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "ResultPath": "$.seen", "Result": 1, "End": True}}}},
    {"Type": "Parallel", "ResultPath": "$.par", "Branches": [
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "ResultPath": "$.b", "Result": 2, "End": True}}}]},
]


def chain(indexes: list[int]) -> asl.StateMachine:
    names = [f"S{n}" for n in range(len(indexes))]
    states = {}
    for n, index in enumerate(indexes):
        # State names are unique across the whole machine, nested ones included.
        spec = _renamed(copy.deepcopy(STATES[index]), n)
        if n + 1 < len(indexes):
            spec["Next"] = names[n + 1]
        else:
            spec["End"] = True
        states[names[n]] = spec
    return asl.load({"StartAt": names[0], "States": states})


def _renamed(spec: Any, n: int) -> Any:
    if isinstance(spec, dict):
        out = {}
        for key, value in spec.items():
            if key == "States":
                value = {f"{name}{n}": _renamed(inner, n) for name, inner in value.items()}
            elif key == "StartAt":
                value = f"{value}{n}"
            else:
                value = _renamed(value, n)
            out[key] = value
        return out
    if isinstance(spec, list):
        return [_renamed(item, n) for item in spec]
    return spec


@settings(max_examples=300, deadline=None)
@given(documents, st.lists(st.integers(0, len(STATES) - 1), min_size=1, max_size=5))
def test_processing_never_mutates_the_input(document: dict[str, Any], indexes: list[int]) -> None:
    before = copy.deepcopy(document)
    step = asl.start(chain(indexes), document, INFO, NOW)
    assert document == before
    # The recorded payloads of every event are still what they were when recorded.
    rendered_once = [e.render() for e in step.events]
    assert [e.render() for e in step.events] == rendered_once


def test_the_five_filters_apply_in_aws_order() -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html
    machine = asl.load(
        {
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:F",
                    "InputPath": "$.in",
                    "Parameters": {"p.$": "$.v"},
                    "ResultSelector": {"picked.$": "$.Payload"},
                    "ResultPath": "$.out",
                    "OutputPath": "$.out",
                    "End": True,
                }
            },
        }
    )
    step = asl.start(machine, {"in": {"v": 7}, "keep": 1}, INFO, NOW)
    invoke = next(e for e in step.effects if isinstance(e, asl.InvokeTask))
    assert invoke.input == {"p": 7}
    assert step.cursor is not None
    done = asl.resume(machine, step.cursor, asl.TaskSucceeded(invoke.id, {"Payload": "r"}), NOW)
    finish = next(e for e in done.effects if isinstance(e, asl.FinishExecution))
    assert finish.output == {"picked": "r"}
