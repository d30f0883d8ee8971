"""Workflow variables in JSONPath states: evaluation order, scope, history, limits."""

from __future__ import annotations

import json
from typing import Any

import asl
from emulator.driver import run_local

FN = "arn:aws:lambda:us-east-1:123456789012:function:F"


def run(states: dict[str, Any], data: Any = None, handlers: dict[str, Any] | None = None) -> Any:
    machine = asl.load({"StartAt": next(iter(states)), "States": states})
    return run_local(machine, {} if data is None else data, handlers or {})


def exited(result: Any) -> list[dict[str, Any]]:
    return [e["stateExitedEventDetails"] for e in result.history() if "stateExitedEventDetails" in e]


def test_assignments_see_the_values_from_before_the_state() -> None:
    result = run(
        {
            "A": {"Type": "Pass", "Assign": {"x": 1, "y": 2}, "Next": "B"},
            "B": {"Type": "Pass", "Assign": {"x.$": "$y", "y.$": "$x"}, "Next": "C"},
            "C": {"Type": "Pass", "Parameters": {"x.$": "$x", "y.$": "$y"}, "End": True},
        }
    )
    assert result.output == {"x": 2, "y": 1}


def test_assign_sees_the_task_result_after_result_selector() -> None:
    result = run(
        {
            "T": {
                "Type": "Task",
                "Resource": FN,
                "ResultSelector": {"picked.$": "$.value"},
                "Assign": {"v.$": "$.picked", "whole.$": "$"},
                "ResultPath": None,
                "Next": "P",
            },
            "P": {"Type": "Pass", "Parameters": {"v.$": "$v", "w.$": "$whole"}, "End": True},
        },
        {"in": 1},
        {FN: lambda _: {"value": 42, "noise": True}},
    )
    assert result.output == {"v": 42, "w": {"picked": 42}}


def test_history_records_assigned_variables_as_json_text() -> None:
    result = run({"A": {"Type": "Pass", "Assign": {"s": "text", "o": {"k": [1]}}, "End": True}})
    details = exited(result)[0]
    assert details["assignedVariables"] == {"s": '"text"', "o": '{"k":[1]}'}
    assert details["assignedVariablesDetails"] == {"truncated": False}


def test_states_without_assign_record_no_variables() -> None:
    result = run({"A": {"Type": "Pass", "End": True}})
    assert "assignedVariables" not in exited(result)[0]


def test_branches_read_outer_variables_and_keep_their_own() -> None:
    result = run(
        {
            "A": {"Type": "Pass", "Assign": {"outer": "o"}, "Next": "Par"},
            "Par": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "B1",
                        "States": {
                            "B1": {"Type": "Pass", "Assign": {"inner": 1}, "Next": "B2"},
                            "B2": {
                                "Type": "Pass",
                                "Parameters": {"o.$": "$outer", "i.$": "$inner"},
                                "End": True,
                            },
                        },
                    }
                ],
                "Next": "After",
            },
            "After": {"Type": "Pass", "Parameters": {"inner.$": "$inner"}, "End": True},
        }
    )
    assert result.status == "FAILED"  # the branch's variable does not leak out
    assert result.error == "States.Runtime"
    branch_output = json.loads(exited(result)[2]["output"])
    assert branch_output == {"o": "o", "i": 1}


def test_an_iteration_cannot_assign_an_outer_variable() -> None:
    result = run(
        {
            "A": {"Type": "Pass", "Assign": {"x": 0}, "Next": "M"},
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "I",
                    "States": {"I": {"Type": "Pass", "Assign": {"x": 1}, "End": True}},
                },
                "End": True,
            },
        },
        [1],
    )
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert "'x'" in (result.cause or "")


def test_variables_survive_a_catch_and_the_catcher_can_assign() -> None:
    result = run(
        {
            "A": {"Type": "Pass", "Assign": {"kept": True}, "Next": "T"},
            "T": {
                "Type": "Task",
                "Resource": FN,
                "Catch": [
                    {"ErrorEquals": ["States.ALL"], "Assign": {"err.$": "$.Error"}, "Next": "P"}
                ],
                "End": True,
            },
            "P": {"Type": "Pass", "Parameters": {"kept.$": "$kept", "err.$": "$err"}, "End": True},
        },
        handlers={FN: lambda _: (_ for _ in ()).throw(ValueError("boom"))},
    )
    assert result.output == {"kept": True, "err": "ValueError"}


def test_a_variable_over_256_kib_fails_the_state() -> None:
    result = run({"A": {"Type": "Pass", "Assign": {"big.$": "$.blob"}, "End": True}}, {"blob": "x" * 262_144})
    assert (result.status, result.error) == ("FAILED", "States.DataLimitExceeded")
