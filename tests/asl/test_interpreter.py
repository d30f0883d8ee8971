"""The step function's contract: determinism, serialisable cursors, stale outcomes, effects."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import asl
from asl.interpreter.cursor import Cursor

NOW = datetime(2024, 1, 1, tzinfo=UTC)
INFO = asl.ExecutionInfo(
    execution_arn="arn:aws:states:us-east-1:123456789012:execution:M:e",
    execution_name="e",
    state_machine_arn="arn:aws:states:us-east-1:123456789012:stateMachine:M",
    state_machine_name="M",
    role_arn="arn:aws:iam::123456789012:role/R",
    start_time=NOW,
)
FN = "arn:aws:lambda:us-east-1:123456789012:function:F"


def machine(states: dict[str, Any], start: str = "A", **top: Any) -> asl.StateMachine:
    return asl.load({"StartAt": start, "States": states, **top})


def types(step: asl.Step) -> list[str]:
    return [e.type for e in step.events]


def only(effects: tuple[asl.Effect, ...], kind: type) -> Any:
    found = [e for e in effects if isinstance(e, kind)]
    assert len(found) == 1, effects
    return found[0]


def test_pass_chain_runs_in_one_step_and_finishes() -> None:
    m = machine({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "End": True}})
    step = asl.start(m, {"x": 1}, INFO, NOW)
    assert step.cursor is None
    assert types(step) == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    assert [e.id for e in step.events] == [1, 2, 3, 4, 5, 6]
    assert [e.previous_event_id for e in step.events] == [0, 0, 2, 3, 4, 5]
    finish = only(step.effects, asl.FinishExecution)
    assert (finish.status, finish.output) == ("SUCCEEDED", {"x": 1})


def test_task_emits_invoke_and_resumes_with_result() -> None:
    m = machine({"A": {"Type": "Task", "Resource": FN, "ResultPath": "$.r", "End": True}})
    step = asl.start(m, {"x": 1}, INFO, NOW)
    invoke = only(step.effects, asl.InvokeTask)
    assert (invoke.resource, invoke.input) == (FN, {"x": 1})
    assert step.cursor is not None
    done = asl.resume(m, step.cursor, asl.TaskSucceeded(invoke.id, 7), NOW)
    assert types(done) == ["LambdaFunctionSucceeded", "TaskStateExited", "ExecutionSucceeded"]
    assert only(done.effects, asl.FinishExecution).output == {"x": 1, "r": 7}


def test_same_cursor_snapshot_gives_the_same_step() -> None:
    m = machine(
        {
            "A": {"Type": "Task", "Resource": FN, "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"id.$": "States.UUID()"}, "End": True},
        }
    )
    step = asl.start(m, {}, INFO, NOW, seed=42)
    assert step.cursor is not None
    snapshot = json.dumps(step.cursor.to_json())
    invoke = only(step.effects, asl.InvokeTask)
    later = NOW + timedelta(seconds=3)
    first = asl.resume(m, Cursor.from_json(json.loads(snapshot)), asl.TaskSucceeded(invoke.id, {}), later)
    second = asl.resume(m, Cursor.from_json(json.loads(snapshot)), asl.TaskSucceeded(invoke.id, {}), later)
    assert [e.render() for e in first.events] == [e.render() for e in second.events]
    assert first.effects == second.effects
    assert first.events[0].timestamp == later


def test_timeout_races_the_task_and_the_late_result_is_ignored() -> None:
    m = machine({"A": {"Type": "Task", "Resource": FN, "TimeoutSeconds": 5, "End": True}})
    step = asl.start(m, {}, INFO, NOW)
    only(step.effects, asl.InvokeTask)
    timer = only(step.effects, asl.StartTimer)
    assert timer.fire_at == NOW + timedelta(seconds=5)
    assert step.cursor is not None
    failed = asl.resume(m, step.cursor, asl.TimerFired(timer.id), timer.fire_at)
    assert types(failed) == ["LambdaFunctionTimedOut", "ExecutionFailed"]
    assert only(failed.effects, asl.FinishExecution).error == "States.Timeout"
    assert failed.cursor is None


def test_stale_outcome_after_retry_is_ignored() -> None:
    m = machine(
        {
            "A": {
                "Type": "Task",
                "Resource": FN,
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2}],
                "End": True,
            }
        }
    )
    step = asl.start(m, {}, INFO, NOW)
    first = only(step.effects, asl.InvokeTask)
    assert step.cursor is not None
    retry = asl.resume(m, step.cursor, asl.TaskFailed(first.id, "Boom", "bad"), NOW)
    timer = only(retry.effects, asl.StartTimer)
    assert timer.fire_at == NOW + timedelta(seconds=2)
    assert retry.cursor is not None
    again = asl.resume(m, retry.cursor, asl.TimerFired(timer.id), timer.fire_at)
    second = only(again.effects, asl.InvokeTask)
    assert second.id != first.id
    assert again.cursor is not None
    stale = asl.resume(m, again.cursor, asl.TaskSucceeded(first.id, "old"), timer.fire_at)
    assert stale.events == () and stale.effects == ()


def test_stop_aborts_the_waiting_state() -> None:
    m = machine({"A": {"Type": "Wait", "Seconds": 60, "End": True}})
    step = asl.start(m, {}, INFO, NOW)
    assert step.cursor is not None
    stopped = asl.resume(m, step.cursor, asl.StopRequested("Why", "Because"), NOW)
    assert types(stopped) == ["WaitStateAborted", "ExecutionAborted"]
    assert any(isinstance(e, asl.CancelTimer) for e in stopped.effects)
    assert only(stopped.effects, asl.FinishExecution).status == "ABORTED"


def test_heartbeat_restarts_the_heartbeat_clock() -> None:
    m = machine(
        {"A": {"Type": "Task", "Resource": FN, "HeartbeatSeconds": 10, "TimeoutSeconds": 100, "End": True}}
    )
    step = asl.start(m, {}, INFO, NOW)
    invoke = only(step.effects, asl.InvokeTask)
    heartbeat = next(t for t in step.effects if isinstance(t, asl.StartTimer) and t.purpose == "heartbeat")
    assert step.cursor is not None
    beat = asl.resume(m, step.cursor, asl.TaskHeartbeat(invoke.id), NOW + timedelta(seconds=8))
    assert only(beat.effects, asl.CancelTimer).id == heartbeat.id
    assert only(beat.effects, asl.StartTimer).fire_at == NOW + timedelta(seconds=18)
    assert beat.cursor is not None
    old = asl.resume(m, beat.cursor, asl.TimerFired(heartbeat.id), NOW + timedelta(seconds=10))
    assert old.events == ()


def test_execution_timeout_fires() -> None:
    m = machine({"A": {"Type": "Wait", "Seconds": 100, "End": True}}, TimeoutSeconds=5)
    step = asl.start(m, {}, INFO, NOW)
    timers = sorted(
        (e for e in step.effects if isinstance(e, asl.StartTimer)), key=lambda t: t.fire_at
    )
    assert [t.purpose for t in timers] == ["execution-timeout", "wait"]
    assert step.cursor is not None
    out = asl.resume(m, step.cursor, asl.TimerFired(timers[0].id), timers[0].fire_at)
    assert types(out) == ["ExecutionTimedOut"]
    assert only(out.effects, asl.FinishExecution).status == "TIMED_OUT"


def test_cursor_survives_json_inside_a_map() -> None:
    m = machine(
        {
            "A": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "ItemProcessor": {
                    "StartAt": "T",
                    "States": {"T": {"Type": "Task", "Resource": FN, "End": True}},
                },
                "End": True,
            }
        }
    )
    step = asl.start(m, [1, 2], INFO, NOW)
    outputs = []
    while step.cursor is not None:
        invoke = only(step.effects, asl.InvokeTask)
        cursor = Cursor.from_json(json.loads(json.dumps(step.cursor.to_json())))
        step = asl.resume(m, cursor, asl.TaskSucceeded(invoke.id, invoke.input * 10), NOW)
        outputs.append(types(step))
    assert only(step.effects, asl.FinishExecution).output == [10, 20]
    assert outputs[0][:3] == ["LambdaFunctionSucceeded", "TaskStateExited", "MapIterationSucceeded"]


def test_output_processing_never_mutates_the_input() -> None:
    m = machine(
        {
            "A": {
                "Type": "Pass",
                "Result": {"r": 1},
                "ResultPath": "$.a.b",
                "Next": "B",
            },
            "B": {"Type": "Pass", "Parameters": {"k.$": "$.a"}, "ResultPath": "$.c", "End": True},
        }
    )
    data = {"a": {"z": [1, 2]}, "keep": {"deep": True}}
    before = json.dumps(data)
    step = asl.start(m, data, INFO, NOW)
    assert json.dumps(data) == before
    output = only(step.effects, asl.FinishExecution).output
    assert output["a"] == {"z": [1, 2], "b": {"r": 1}}
    assert output["keep"] is data["keep"]  # untouched subtrees are shared, not copied


@pytest.mark.parametrize("bad", ["not json", "[]", '{"StartAt": 1}', "{}"])
def test_invalid_definitions_raise_invalid_definition(bad: str) -> None:
    with pytest.raises(asl.InvalidDefinition) as info:
        asl.load(bad)
    assert info.value.diagnostics
