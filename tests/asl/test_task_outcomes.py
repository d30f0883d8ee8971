"""Task outcomes added for nested executions and redrive: TaskSubmitted (a ``.sync`` job
started, the task waits on), a Task on a missing activity, and ``asl.redrive``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import asl
from asl.interpreter.cursor import Cursor
from asl.interpreter.redrive import NotRedrivable

NOW = datetime(2024, 1, 1, tzinfo=UTC)
LATER = NOW + timedelta(seconds=5)
INFO = asl.ExecutionInfo(
    execution_arn="arn:aws:states:us-east-1:123456789012:execution:M:e",
    execution_name="e",
    state_machine_arn="arn:aws:states:us-east-1:123456789012:stateMachine:M",
    state_machine_name="M",
    role_arn="arn:aws:iam::123456789012:role/R",
    start_time=NOW,
)
SYNC = "arn:aws:states:::states:startExecution.sync"
FN = "arn:aws:lambda:us-east-1:123456789012:function:F"
ACTIVITY = "arn:aws:states:us-east-1:123456789012:activity:Gone"


def machine(states: dict[str, Any], start: str = "A", **top: Any) -> asl.StateMachine:
    return asl.load({"StartAt": start, "States": states, **top})


def types(step: asl.Step) -> list[str]:
    return [e.type for e in step.events]


def invoke(step: asl.Step) -> asl.InvokeTask:
    found = [e for e in step.effects if isinstance(e, asl.InvokeTask)]
    assert len(found) == 1, step.effects
    return found[0]


def replay(cursor: Cursor) -> Cursor:
    return Cursor.from_json(json.loads(json.dumps(cursor.to_json())))


SYNC_MACHINE = machine({"A": {"Type": "Task", "Resource": SYNC, "End": True}})


def test_task_submitted_records_the_event_and_keeps_the_task_waiting() -> None:
    step = asl.start(SYNC_MACHINE, {}, INFO, NOW)
    task = invoke(step)
    assert step.cursor is not None
    submitted = asl.resume(SYNC_MACHINE, step.cursor, asl.TaskSubmitted(task.id, {"Id": 1}), NOW)
    assert types(submitted) == ["TaskSubmitted"]
    event = submitted.events[0]
    assert event.details == {
        "resourceType": "states",
        "resource": "startExecution.sync",
        "output": {"Id": 1},
    }
    assert event.previous_event_id == 4  # TaskStarted
    assert submitted.effects == ()
    assert submitted.cursor is not None
    # The submission survives a cursor round trip; a second one (the start re-dispatched
    # after a restart) records nothing; the job's end completes the task.
    cursor = replay(submitted.cursor)
    again = asl.resume(SYNC_MACHINE, cursor, asl.TaskSubmitted(task.id, {"Id": 1}), LATER)
    assert again.events == () and again.cursor is not None
    done = asl.resume(SYNC_MACHINE, again.cursor, asl.TaskSucceeded(task.id, {"Out": 2}), LATER)
    assert types(done) == ["TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]
    assert done.events[0].previous_event_id == 5
    assert done.cursor is None


def test_a_submitted_job_that_fails_fails_the_task_and_a_timeout_still_races_it() -> None:
    m = machine({"A": {"Type": "Task", "Resource": SYNC, "TimeoutSeconds": 10, "End": True}})
    step = asl.start(m, {}, INFO, NOW)
    task = invoke(step)
    assert step.cursor is not None
    submitted = asl.resume(m, step.cursor, asl.TaskSubmitted(task.id, {}), NOW)
    assert submitted.cursor is not None
    timer = next(t for t in step.effects if isinstance(t, asl.StartTimer))
    timed_out = asl.resume(m, submitted.cursor, asl.TimerFired(timer.id), LATER)
    assert types(timed_out) == ["TaskTimedOut", "ExecutionFailed"]
    assert timed_out.cursor is None


def test_task_submitted_for_a_task_that_ended_is_ignored() -> None:
    step = asl.start(SYNC_MACHINE, {}, INFO, NOW)
    task = invoke(step)
    assert step.cursor is not None
    failed = asl.resume(
        SYNC_MACHINE, step.cursor, asl.TaskFailed(task.id, "States.TaskFailed", "{}"), NOW
    )
    assert types(failed) == ["TaskFailed", "ExecutionFailed"]


def test_a_task_on_a_missing_activity_fails_at_once_with_states_runtime() -> None:
    m = machine(
        {
            "A": {
                "Type": "Task",
                "Resource": ACTIVITY,
                "Retry": [{"ErrorEquals": ["States.ALL"]}],
                "End": True,
            }
        }
    )
    step = asl.start(m, {}, INFO, NOW, missing_activities=frozenset({ACTIVITY}))
    assert types(step) == ["ExecutionStarted", "TaskStateEntered", "ExecutionFailed"]
    details = step.events[-1].details
    assert details == {
        "error": "States.Runtime",
        "cause": "An error occurred while executing the state 'A' (entered at the event id #2). "
        f"The activity {ACTIVITY} does not exist.",
    }
    present = asl.start(m, {}, INFO, NOW)
    assert types(present)[-1] == "ActivityScheduled"


FLAKY = machine(
    {
        "A": {"Type": "Pass", "Result": 1, "ResultPath": "$.a", "Next": "B"},
        "B": {
            "Type": "Task",
            "Resource": FN,
            "Parameters": {"count.$": "$$.Execution.RedriveCount", "a.$": "$.a"},
            "End": True,
        },
    },
    start="A",
)


def test_redrive_enters_the_failed_state_again_and_numbers_on() -> None:
    step = asl.start(FLAKY, {}, INFO, NOW, keep_cursor=True)
    task = invoke(step)
    assert task.input == {"count": 0, "a": 1}
    assert step.cursor is not None
    failed = asl.resume(FLAKY, step.cursor, asl.TaskFailed(task.id, "Boom", "first"), NOW)
    assert types(failed)[-1] == "ExecutionFailed"
    final = replay(step.cursor)  # the cursor resume advanced in place: the finished one
    assert final.status == "FAILED"
    last = failed.events[-1].id
    redriven = asl.redrive(FLAKY, final, LATER, 1)
    assert types(redriven) == [
        "ExecutionRedriven",
        "TaskStateEntered",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
    ]
    first = redriven.events[0]
    assert (first.id, first.previous_event_id) == (last + 1, last)
    assert first.details == {"redriveCount": 1}
    assert redriven.events[1].details == {"name": "B", "input": {"a": 1}}
    again = invoke(redriven)
    assert again.input == {"count": 1, "a": 1}
    assert again.id != task.id
    assert redriven.cursor is not None
    done = asl.resume(FLAKY, redriven.cursor, asl.TaskSucceeded(again.id, "ok"), LATER)
    assert types(done)[-1] == "ExecutionSucceeded"


def test_redrive_of_an_aborted_execution_and_of_a_running_one() -> None:
    step = asl.start(FLAKY, {}, INFO, NOW)
    assert step.cursor is not None
    with pytest.raises(NotRedrivable):
        asl.redrive(FLAKY, replay(step.cursor), NOW, 1)
    stopped = asl.resume(FLAKY, step.cursor, asl.StopRequested("E", "c"), NOW)
    assert types(stopped) == ["TaskStateAborted", "ExecutionAborted"]
    redriven = asl.redrive(FLAKY, replay(step.cursor), LATER, 2)
    assert types(redriven)[:2] == ["ExecutionRedriven", "TaskStateEntered"]
    assert invoke(redriven).input == {"count": 2, "a": 1}
