"""Activity tasks and task tokens in the interpreter and the local driver.

https://docs.aws.amazon.com/step-functions/latest/dg/concepts-activities.html
https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import asl
from asl import jsontext
from emulator.driver import LOCAL_WORKER, default_info, run_local

ACTIVITY = "arn:aws:states:us-east-1:123456789012:activity:Worker"
CALLBACK = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
INFO = default_info()


def _machine(resource: str, **task: Any) -> asl.StateMachine:
    return asl.load(
        {
            "StartAt": "Work",
            "States": {"Work": {"Type": "Task", "Resource": resource, "End": True, **task}},
        }
    )


def _invoke(step: asl.Step) -> asl.InvokeTask:
    (effect,) = [e for e in step.effects if isinstance(e, asl.InvokeTask)]
    return effect


def _finish(step: asl.Step) -> asl.FinishExecution | None:
    found = [e for e in step.effects if isinstance(e, asl.FinishExecution)]
    return found[0] if found else None


def _types(step: asl.Step) -> list[str]:
    return [e.type for e in step.events]


def _resume(machine: asl.StateMachine, step: asl.Step, outcome: asl.Outcome) -> asl.Step:
    assert step.cursor is not None
    return asl.resume(machine, step.cursor, outcome, INFO.start_time + timedelta(seconds=1))


def test_an_activity_task_gets_a_token_and_starts_only_when_a_worker_takes_it() -> None:
    machine = _machine(ACTIVITY, TimeoutSeconds=30, HeartbeatSeconds=10)
    step = asl.start(machine, {"n": 1}, INFO, INFO.start_time, seed=7)
    effect = _invoke(step)
    assert effect.task_token is not None and re.fullmatch(r"[0-9a-f]{64}", effect.task_token)
    assert _types(step)[-1] == "ActivityScheduled"
    scheduled = step.events[-1].details
    assert scheduled == {
        "resource": ACTIVITY,
        "input": {"n": 1},
        "timeoutInSeconds": 30,
        "heartbeatInSeconds": 10,
    }
    started = _resume(machine, step, asl.TaskStarted(effect.id, "w-1"))
    assert _types(started) == ["ActivityStarted"]
    assert started.events[0].details_key == "activityStartedEventDetails"
    assert started.events[0].details == {"workerName": "w-1"}
    done = _resume(machine, started, asl.CallbackSucceeded(effect.task_token, {"ok": True}))
    assert _types(done) == ["ActivitySucceeded", "TaskStateExited", "ExecutionSucceeded"]
    finish = _finish(done)
    assert finish is not None and finish.status == "SUCCEEDED" and finish.output == {"ok": True}


def test_the_same_seed_draws_the_same_activity_token() -> None:
    machine = _machine(ACTIVITY)
    first = _invoke(asl.start(machine, {}, INFO, INFO.start_time, seed=3)).task_token
    again = _invoke(asl.start(machine, {}, INFO, INFO.start_time, seed=3)).task_token
    other = _invoke(asl.start(machine, {}, INFO, INFO.start_time, seed=4)).task_token
    assert first == again and first != other


def test_a_worker_without_a_name_records_activity_started_without_details() -> None:
    machine = _machine(ACTIVITY)
    step = asl.start(machine, {}, INFO, INFO.start_time)
    started = _resume(machine, step, asl.TaskStarted(_invoke(step).id))
    assert _types(started) == ["ActivityStarted"]
    # Recorded AWS history: the details object is there, empty.
    assert started.events[0].render()["activityStartedEventDetails"] == {}


def test_send_task_failure_fails_an_activity_with_the_workers_error() -> None:
    machine = _machine(ACTIVITY)
    step = asl.start(machine, {}, INFO, INFO.start_time)
    token = _invoke(step).task_token
    assert token is not None
    failed = _resume(machine, step, asl.CallbackFailed(token, "Worker.Broke", "gears"))
    assert _types(failed) == ["ActivityFailed", "ExecutionFailed"]
    assert failed.events[0].details == {"error": "Worker.Broke", "cause": "gears"}


def test_a_heartbeat_restarts_the_heartbeat_clock_and_its_lapse_times_the_activity_out() -> None:
    machine = _machine(ACTIVITY, HeartbeatSeconds=10)
    step = asl.start(machine, {}, INFO, INFO.start_time)
    effect = _invoke(step)
    (first,) = [e for e in step.effects if isinstance(e, asl.StartTimer)]
    beat = _resume(machine, step, asl.TaskHeartbeat(effect.id))
    assert beat.events == ()
    assert asl.CancelTimer(first.id) in beat.effects
    (second,) = [e for e in beat.effects if isinstance(e, asl.StartTimer)]
    assert second.purpose == "heartbeat" and second.id != first.id
    stale = _resume(machine, beat, asl.TimerFired(first.id))
    assert stale.events == ()
    lapsed = _resume(machine, stale, asl.TimerFired(second.id))
    assert _types(lapsed) == ["ActivityTimedOut", "ExecutionFailed"]
    assert lapsed.events[0].details == {"error": "States.HeartbeatTimeout"}


def test_timeout_seconds_times_an_activity_out_with_states_timeout() -> None:
    machine = _machine(ACTIVITY, TimeoutSeconds=5)
    step = asl.start(machine, {}, INFO, INFO.start_time)
    (timer,) = [e for e in step.effects if isinstance(e, asl.StartTimer)]
    out = _resume(machine, step, asl.TimerFired(timer.id))
    assert _types(out) == ["ActivityTimedOut", "ExecutionFailed"]
    assert out.events[0].details == {"error": "States.Timeout"}
    finish = _finish(out)
    assert finish is not None and finish.error == "States.Timeout"


def test_a_callback_before_the_service_call_answered_completes_the_task() -> None:
    machine = _machine(CALLBACK, Parameters={"MessageBody": {"token.$": "$$.Task.Token"}})
    step = asl.start(machine, {}, INFO, INFO.start_time)
    effect = _invoke(step)
    assert effect.task_token is not None
    assert effect.input == {"MessageBody": {"token": effect.task_token}}
    done = _resume(machine, step, asl.CallbackSucceeded(effect.task_token, {"early": 1}))
    assert _types(done) == ["TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]
    assert done.events[0].details is not None
    assert done.events[0].details["output"] == {"early": 1}
    finish = _finish(done)
    assert finish is not None and finish.output == {"early": 1}


def test_a_callback_failure_before_the_service_call_answered_fails_the_task() -> None:
    machine = _machine(CALLBACK)
    step = asl.start(machine, {}, INFO, INFO.start_time)
    token = _invoke(step).task_token
    assert token is not None
    failed = _resume(machine, step, asl.CallbackFailed(token, "Nope", "why"))
    assert _types(failed) == ["TaskFailed", "ExecutionFailed"]


def test_the_token_is_accepted_in_the_task_phase_after_a_cursor_round_trip() -> None:
    machine = asl.load(
        {
            "StartAt": "Work",
            "States": {
                "Work": {"Type": "Task", "Resource": CALLBACK, "Next": "Pause"},
                "Pause": {"Type": "Wait", "Seconds": 100, "End": True},
            },
        }
    )
    step = asl.start(machine, {}, INFO, INFO.start_time)
    effect = _invoke(step)
    assert step.cursor is not None and effect.task_token is not None
    reloaded = asl.Cursor.from_json(jsontext.loads(jsontext.dumps(step.cursor.to_json())))
    done = asl.resume(
        machine, reloaded, asl.CallbackSucceeded(effect.task_token, 5), INFO.start_time
    )
    assert _types(done)[:2] == ["TaskSucceeded", "TaskStateExited"]
    # The service call's own answer, arriving afterwards, is stale.
    assert done.cursor is not None
    late = asl.resume(machine, done.cursor, asl.TaskSucceeded(effect.id, {}), INFO.start_time)
    assert late.events == () and late.effects == ()
    again = asl.resume(
        machine, done.cursor, asl.CallbackSucceeded(effect.task_token, 6), INFO.start_time
    )
    assert again.events == ()


def test_the_usual_callback_path_still_submits_then_waits_for_the_token() -> None:
    machine = _machine(CALLBACK)
    step = asl.start(machine, {}, INFO, INFO.start_time)
    effect = _invoke(step)
    submitted = _resume(machine, step, asl.TaskSucceeded(effect.id, {"MessageId": "m"}))
    assert _types(submitted) == ["TaskSubmitted"]
    assert effect.task_token is not None
    assert asl.AwaitCallback(effect.task_token, effect.task_token) in submitted.effects
    done = _resume(machine, submitted, asl.CallbackSucceeded(effect.task_token, "r"))
    assert _types(done) == ["TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]


def test_a_retry_issues_a_new_token_and_the_old_one_is_stale() -> None:
    machine = _machine(
        ACTIVITY, Retry=[{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 1}]
    )
    step = asl.start(machine, {}, INFO, INFO.start_time)
    old = _invoke(step).task_token
    assert old is not None
    failed = _resume(machine, step, asl.CallbackFailed(old, "E"))
    (retry,) = [e for e in failed.effects if isinstance(e, asl.StartTimer)]
    again = _resume(machine, failed, asl.TimerFired(retry.id))
    new = _invoke(again).task_token
    assert new is not None and new != old
    assert _resume(machine, again, asl.CallbackSucceeded(old, {})).events == ()


def test_the_local_driver_lets_a_handler_play_the_activity_worker() -> None:
    result = run_local(_machine(ACTIVITY), {"n": 2}, {ACTIVITY: lambda data: {"n": data["n"] + 1}})
    assert result.status == "SUCCEEDED" and result.output == {"n": 3}
    types = [e["type"] for e in result.history()]
    assert types[2:5] == ["ActivityScheduled", "ActivityStarted", "ActivitySucceeded"]
    assert result.history()[3]["activityStartedEventDetails"] == {"workerName": LOCAL_WORKER}
    assert LOCAL_WORKER == "stepline-local"


def test_the_local_driver_without_a_handler_fails_the_activity_clearly() -> None:
    result = run_local(_machine(ACTIVITY), {}, {})
    assert result.status == "FAILED" and result.error == "States.TaskFailed"
    assert result.cause is not None and ACTIVITY in result.cause
    types = [e["type"] for e in result.history()]
    assert "ActivityStarted" not in types and "ActivityFailed" in types
