"""The local driver: handlers, the virtual clock, and failures shaped as AWS reports them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import asl
from emulator import Delayed, TaskFailure, run_local
from emulator.driver import default_info

FN = "arn:aws:lambda:us-east-1:123456789012:function:F"
START = datetime(2024, 1, 1, tzinfo=UTC)


def load(states: dict[str, Any], **top: Any) -> asl.StateMachine:
    return asl.load({"StartAt": next(iter(states)), "States": states, **top})


def test_a_year_long_wait_finishes_at_once_on_the_virtual_clock() -> None:
    m = load({"W": {"Type": "Wait", "Seconds": 31_536_000, "End": True}})
    result = run_local(m, {"a": 1}, {}, default_info(start_time=START))
    assert result.status == "SUCCEEDED"
    assert result.events[-1].timestamp == START + timedelta(seconds=31_536_000)


def test_timeout_fires_before_a_slower_task() -> None:
    m = load({"T": {"Type": "Task", "Resource": FN, "TimeoutSeconds": 5, "End": True}})
    result = run_local(m, {}, {FN: lambda _: Delayed(10, result="late")}, default_info(start_time=START))
    assert (result.status, result.error) == ("FAILED", "States.Timeout")
    assert result.events[-1].timestamp == START + timedelta(seconds=5)


def test_handler_gets_a_copy_and_its_failure_is_the_task_failure() -> None:
    seen: list[Any] = []

    def handler(event: Any) -> Any:
        event["mutated"] = True
        seen.append(event)
        raise TaskFailure("Custom.Error", "went wrong")

    data = {"x": 1}
    m = load({"T": {"Type": "Task", "Resource": FN, "End": True}})
    result = run_local(m, data, {FN: handler}, default_info())
    assert data == {"x": 1}
    assert seen == [{"x": 1, "mutated": True}]
    assert (result.status, result.error, result.cause) == ("FAILED", "Custom.Error", "went wrong")


def test_unhandled_exception_is_reported_like_lambda() -> None:
    def handler(event: Any) -> Any:
        raise ValueError("nope")

    m = load({"T": {"Type": "Task", "Resource": FN, "End": True}})
    result = run_local(m, {}, {FN: handler}, default_info())
    assert result.error == "ValueError"
    cause = json.loads(result.cause or "")
    assert cause["errorMessage"] == "nope" and cause["errorType"] == "ValueError"
    assert isinstance(cause["stackTrace"], list)


def test_missing_handler_fails_clearly() -> None:
    m = load({"T": {"Type": "Task", "Resource": FN, "End": True}})
    result = run_local(m, {}, {}, default_info())
    assert result.status == "FAILED"
    assert result.error == "Lambda.ResourceNotFoundException"
    assert FN in (result.cause or "")


def test_history_renders_as_get_execution_history() -> None:
    m = load({"P": {"Type": "Pass", "Result": {"a": 1}, "End": True}})
    result = run_local(m, {"in": True}, {}, default_info(start_time=START))
    history = result.history()
    assert history[0]["executionStartedEventDetails"]["input"] == '{"in":true}'
    assert history[0]["executionStartedEventDetails"]["inputDetails"] == {"truncated": False}
    assert history[2]["stateExitedEventDetails"] == {
        "name": "P",
        "output": '{"a":1}',
        "outputDetails": {"truncated": False},
    }
    assert history[0]["timestamp"] == "2024-01-01T00:00:00.000+00:00"
