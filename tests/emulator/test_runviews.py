"""Run views: histories recorded by the interpreter, projected into runs and steps."""

from __future__ import annotations

import json
from typing import Any

import asl
from emulator import TaskFailure, run_local
from emulator.driver import default_info
from emulator.runviews import Projector, project

TASK = "arn:aws:states:::x:work"
CALLBACK = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"


def history(states: dict[str, Any], handlers: dict[str, Any], **kw: Any) -> tuple[Any, dict[str, Any]]:
    """Run a machine in-process; its history and a DescribeExecution-like dict."""
    machine = asl.load(json.dumps({"StartAt": next(iter(states)), "States": states}))
    result = run_local(machine, kw.get("input", {}), handlers, default_info(state_machine_name="m"))
    describe = {
        "executionArn": "arn:aws:states:us-east-1:123456789012:execution:m:e",
        "name": "e",
        "status": result.status,
        "input": json.dumps(kw.get("input", {})),
    }
    if result.status == "SUCCEEDED":
        describe["output"] = json.dumps(result.output)
    if result.error is not None:
        describe["error"] = result.error
        describe["cause"] = result.cause
    return result.history(), describe


def flaky(failures: int, answer: Any) -> Any:
    calls = {"n": 0}

    def handler(event: Any) -> Any:
        calls["n"] += 1
        if calls["n"] <= failures:
            raise TaskFailure("Busy", f"attempt {calls['n']}")
        return answer

    return handler


def test_retries_are_counted_and_usage_is_read_from_the_task_result() -> None:
    answer = {"output": "hi", "model": "m", "usage": {"input_tokens": 7, "output_tokens": 3}}
    events, describe = history(
        {
            "Ask": {"Type": "Task", "Resource": TASK, "ResultPath": "$.ask", "Next": "Done",
                    "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 1, "MaxAttempts": 3}]},
            "Done": {"Type": "Succeed"},
        },
        {TASK: flaky(2, answer)},
    )  # fmt: skip
    view = project(events, describe)
    assert view.status == "completed"
    ask = view.steps[0]
    assert (ask.name, ask.type, ask.status, ask.retry_count) == ("Ask", "Task", "completed", 2)
    assert ask.result == answer  # the task's own result, not the state's output
    assert ask.usage == {"input_tokens": 7, "output_tokens": 3}
    assert (ask.error, ask.cause) == (None, None)
    assert view.usage() == {"input_tokens": 7, "output_tokens": 3}
    assert [s.name for s in view.steps] == ["Ask", "Done"]


def test_retried_failures_stream_as_retries_and_a_final_failure_once() -> None:
    events, describe = history(
        {"Ask": {"Type": "Task", "Resource": TASK, "End": True,
                 "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 1}]}},
        {TASK: flaky(5, None)},
    )  # fmt: skip
    projector = Projector(describe)
    changes = [(c.kind, c.step.status if c.step else c.run_status) for c in projector.feed_all(events)]
    assert changes == [
        ("step_started", "running"),
        ("step_retrying", "running"),
        ("step_finished", "failed"),
        ("run_finished", "failed"),
    ]
    step = projector.view().steps[0]
    assert (step.error, step.cause, step.retry_count) == ("Busy", "attempt 2", 1)


def test_a_retry_pending_is_running_with_the_last_failure() -> None:
    events, describe = history(
        {"Ask": {"Type": "Task", "Resource": TASK, "End": True,
                 "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 1}]}},
        {TASK: flaky(5, None)},
    )  # fmt: skip
    # Cut the history where the first failure waits for its retry.
    first_failure = next(i for i, e in enumerate(events) if e["type"] == "TaskFailed")
    view = project(events[: first_failure + 1], {**describe, "status": "RUNNING"})
    assert view.status == "running"
    step = view.steps[0]
    assert (step.status, step.error, step.retry_count) == ("running", "Busy", 0)


def test_waiting_for_a_token_and_a_wait_state() -> None:
    events, describe = history(
        {"Pause": {"Type": "Wait", "Seconds": 10, "Next": "Approve"},
         "Approve": {"Type": "Task", "Resource": CALLBACK, "End": True,
                     "Parameters": {"QueueUrl": "q", "MessageBody.$": "$$.Task.Token"}}},
        {CALLBACK: lambda event: {}},
    )  # fmt: skip
    assert events[-1]["type"] == "TaskSubmitted"
    view = project(events, {**describe, "status": "RUNNING"})
    assert [(s.name, s.status) for s in view.steps] == [("Pause", "completed"), ("Approve", "waiting")]
    assert view.current_step == "Approve"
    entered = [e for e in events if e["type"] == "WaitStateEntered"]
    projector = Projector(describe)
    kinds = [c.kind for c in projector.feed_all(events[: events.index(entered[0]) + 1])]
    assert kinds == ["step_started", "step_waiting"]
    assert projector.view().steps[0].status == "waiting"


def test_branch_states_are_not_steps_and_caught_failures_are_failed_steps() -> None:
    events, describe = history(
        {
            "Fan": {"Type": "Parallel", "Next": "Each", "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": TASK, "End": True}}},
                {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}},
            ]},
            "Each": {"Type": "Map", "ItemsPath": "$", "Next": "Risky",
                     "ItemProcessor": {"StartAt": "I", "States": {
                         "I": {"Type": "Task", "Resource": TASK, "End": True}}}},
            "Risky": {"Type": "Task", "Resource": "arn:aws:states:::x:fail", "Next": "After",
                      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "After"}]},
            "After": {"Type": "Pass", "End": True},
        },
        {TASK: lambda event: {"usage": {"input_tokens": 1}},
         "arn:aws:states:::x:fail": flaky(99, None)},
    )  # fmt: skip
    view = project(events, describe)
    assert [(s.name, s.type, s.status) for s in view.steps] == [
        ("Fan", "Parallel", "completed"),
        ("Each", "Map", "completed"),
        ("Risky", "Task", "failed"),
        ("After", "Pass", "completed"),
    ]
    assert view.steps[0].usage is None  # branch tasks belong to their own states
    risky = view.steps[2]
    assert (risky.error, risky.cause) == ("Busy", "attempt 1")
    assert risky.result == {"Error": "Busy", "Cause": "attempt 1"}
    assert view.status == "completed"


def test_a_failing_branch_fails_its_parallel_step() -> None:
    events, describe = history(
        {"Fan": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "Bad", "States": {"Bad": {"Type": "Task", "Resource": TASK, "End": True}}},
        ]}},
        {TASK: flaky(9, None)},
    )  # fmt: skip
    view = project(events, describe)
    assert view.status == "failed"
    assert [(s.name, s.status, s.error) for s in view.steps] == [("Fan", "failed", "Busy")]


def test_named_pipeline_steps_include_those_not_run_yet() -> None:
    states = {
        "first": {"Type": "Pass", "Next": "route"},
        "route": {"Type": "Choice", "Default": "third",
                  "Choices": [{"Variable": "$.skip", "BooleanEquals": False, "Next": "second"}]},
        "second": {"Type": "Pass", "Next": "third"},
        "third": {"Type": "Pass", "End": True},
    }  # fmt: skip
    events, describe = history(states, {}, input={"skip": True})
    names = ["first", "second", "third"]
    view = project(events, describe, step_names=names)
    assert [(s.name, s.status) for s in view.steps] == [
        ("first", "completed"), ("third", "completed"), ("second", "skipped"),
    ]  # fmt: skip
    running = project(events[:2], {**describe, "status": "RUNNING"}, step_names=names)
    assert [(s.name, s.status) for s in running.steps] == [
        ("first", "running"), ("second", "pending"), ("third", "pending"),
    ]  # fmt: skip
