"""Nested executions end to end: ``arn:aws:states:::states:startExecution`` (request-response,
``.sync``, ``.sync:2``, ``.waitForTaskToken``) against the same ``stepline serve``, through
boto3; and a Task on an activity that does not exist.

Shapes recorded on AWS: LocalStack tests/aws/services/stepfunctions/v2/callback/
test_callback.snapshot.json and services/test_sfn_task_service.snapshot.json.
https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from serving import ROLE, callback_machine, pass_machine, unique, wait_done

START = "arn:aws:states:::states:startExecution"


def _machine(sfn: Any, definition: str | dict[str, Any], prefix: str = "m") -> str:
    text = definition if isinstance(definition, str) else json.dumps(definition)
    arn: str = sfn.create_state_machine(name=unique(prefix), definition=text, roleArn=ROLE)[
        "stateMachineArn"
    ]
    return arn


def _parent(resource: str, parameters: dict[str, Any]) -> dict[str, Any]:
    return {
        "StartAt": "StartExecution",
        "States": {
            "StartExecution": {
                "Type": "Task",
                "Resource": resource,
                "Parameters": parameters,
                "End": True,
            }
        },
    }


def _history(sfn: Any, arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = sfn.get_execution_history(executionArn=arn, maxResults=1000)[
        "events"
    ]
    return events


def _types(events: list[dict[str, Any]]) -> list[str]:
    return [event["type"] for event in events]


@pytest.fixture(scope="module")
def child(sfn: Any) -> str:
    return _machine(sfn, pass_machine({"Arg1": "argument1"}), "child")


@pytest.fixture(scope="module")
def failing_child(sfn: Any) -> str:
    definition = {
        "StartAt": "Fail",
        "States": {
            "Fail": {
                "Type": "Fail",
                "Error": "SomeFailure",
                "Cause": "This state machines raises a 'SomeFailure' failure.",
            }
        },
    }
    return _machine(sfn, definition, "failing")


def test_request_response_returns_start_execution_response(sfn: Any, child: str) -> None:
    name = unique("kid")
    parent = _machine(
        sfn,
        _parent(START, {"StateMachineArn": child, "Input": {"Hello": "World"}, "Name": name}),
    )
    run = sfn.start_execution(stateMachineArn=parent)["executionArn"]
    described = wait_done(sfn, run)
    assert described["status"] == "SUCCEEDED"
    output = json.loads(described["output"])
    child_arn = child.replace(":stateMachine:", ":execution:") + f":{name}"
    assert list(output) == ["ExecutionArn", "SdkHttpMetadata", "SdkResponseMetadata", "StartDate"]
    assert output["ExecutionArn"] == child_arn
    started = sfn.describe_execution(executionArn=child_arn)
    assert output["StartDate"] == round(started["startDate"].timestamp() * 1000)
    assert output["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert output["SdkHttpMetadata"]["HttpHeaders"]["Content-Type"] == "application/x-amz-json-1.0"
    rid = output["SdkResponseMetadata"]["RequestId"]
    assert output["SdkHttpMetadata"]["HttpHeaders"]["x-amzn-RequestId"] == rid
    assert json.loads(started["input"]) == {"Hello": "World"}
    events = _history(sfn, run)
    assert _types(events) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    scheduled = events[2]["taskScheduledEventDetails"]
    assert (scheduled["resourceType"], scheduled["resource"]) == ("states", "startExecution")


@pytest.mark.parametrize("suffix", [".sync", ".sync:2"])
def test_sync_waits_for_the_child_and_returns_describe_execution(
    sfn: Any, child: str, suffix: str
) -> None:
    name = unique("kid")
    parent = _machine(
        sfn, _parent(START + suffix, {"StateMachineArn": child, "Input": None, "Name": name})
    )
    run = sfn.start_execution(stateMachineArn=parent)["executionArn"]
    described = wait_done(sfn, run)
    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert list(output) == sorted(output)
    assert set(output) == {
        "ExecutionArn", "Input", "InputDetails", "Name", "Output", "OutputDetails",
        "RedriveCount", "RedriveStatus", "RedriveStatusReason", "StartDate",
        "StateMachineArn", "Status", "StopDate",
    }  # fmt: skip
    assert output["Name"] == name
    assert output["Status"] == "SUCCEEDED"
    assert output["StateMachineArn"] == child
    assert output["InputDetails"] == {"Included": True}
    if suffix == ".sync":
        assert output["Input"] == "{}"
        assert output["Output"] == '{"Arg1":"argument1"}'
    else:
        assert output["Input"] == {}
        assert output["Output"] == {"Arg1": "argument1"}
    assert isinstance(output["StartDate"], int) and output["StopDate"] >= output["StartDate"]
    events = _history(sfn, run)
    assert _types(events) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    submitted = events[4]["taskSubmittedEventDetails"]
    assert submitted["resource"] == "startExecution" + suffix
    assert json.loads(submitted["output"])["ExecutionArn"] == output["ExecutionArn"]
    assert [e["previousEventId"] for e in events[3:6]] == [3, 4, 5]


def test_sync_child_failure_fails_the_task(sfn: Any, failing_child: str) -> None:
    name = unique("kid")
    parent = _machine(
        sfn, _parent(START + ".sync", {"StateMachineArn": failing_child, "Name": name})
    )
    run = sfn.start_execution(stateMachineArn=parent)["executionArn"]
    described = wait_done(sfn, run)
    assert described["status"] == "FAILED"
    assert described["error"] == "States.TaskFailed"
    cause = json.loads(described["cause"])
    assert list(cause) == sorted(cause)
    assert cause["Error"] == "SomeFailure"
    assert cause["Cause"] == "This state machines raises a 'SomeFailure' failure."
    assert cause["Status"] == "FAILED"
    assert cause["Input"] == "{}"
    assert cause["Name"] == name
    assert "Output" not in cause
    events = _history(sfn, run)
    assert _types(events)[-3:] == ["TaskSubmitted", "TaskFailed", "ExecutionFailed"]
    failed = events[-2]["taskFailedEventDetails"]
    assert failed["error"] == "States.TaskFailed"
    assert failed["resource"] == "startExecution.sync"


def test_wait_for_task_token_child_answers_with_send_task_success(sfn: Any, child: str) -> None:
    name = unique("kid")
    parent = _machine(
        sfn,
        _parent(
            START + ".waitForTaskToken",
            {
                "StateMachineArn": child,
                "Name": name,
                "Input": {
                    "token.$": "$$.Task.Token",
                    "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id",
                },
            },
        ),
    )
    run = sfn.start_execution(stateMachineArn=parent)["executionArn"]
    child_arn = child.replace(":stateMachine:", ":execution:") + f":{name}"
    deadline = time.monotonic() + 10
    while True:
        try:
            child_input = json.loads(sfn.describe_execution(executionArn=child_arn)["input"])
            break
        except sfn.exceptions.ExecutionDoesNotExist:
            assert time.monotonic() < deadline
            time.sleep(0.02)
    assert child_input["AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"] == run
    assert sfn.describe_execution(executionArn=run)["status"] == "RUNNING"
    sfn.send_task_success(taskToken=child_input["token"], output='{"done": true}')
    described = wait_done(sfn, run)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"done": True}
    assert _types(_history(sfn, run))[3:6] == ["TaskStarted", "TaskSubmitted", "TaskSucceeded"]


def test_stopping_a_sync_parent_stops_its_child(sfn: Any) -> None:
    waiting = _machine(sfn, callback_machine(), "waiting")
    name = unique("kid")
    parent = _machine(sfn, _parent(START + ".sync:2", {"StateMachineArn": waiting, "Name": name}))
    run = sfn.start_execution(stateMachineArn=parent)["executionArn"]
    child_arn = waiting.replace(":stateMachine:", ":execution:") + f":{name}"
    deadline = time.monotonic() + 10
    while _types(_history(sfn, run))[-1:] != ["TaskSubmitted"]:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert sfn.describe_execution(executionArn=child_arn)["status"] == "RUNNING"
    sfn.stop_execution(executionArn=run, error="Stop.It", cause="enough")
    assert wait_done(sfn, run)["status"] == "ABORTED"
    assert wait_done(sfn, child_arn)["status"] == "ABORTED"


def test_unknown_state_machine_fails_the_task(sfn: Any, child: str) -> None:
    missing = child.rsplit(":", 1)[0] + ":" + unique("nobody")
    parent = _machine(sfn, _parent(START + ".sync", {"StateMachineArn": missing}))
    run = sfn.start_execution(stateMachineArn=parent)["executionArn"]
    described = wait_done(sfn, run)
    assert described["status"] == "FAILED"
    assert described["error"] == "StepFunctions.StateMachineDoesNotExistException"
    assert described["cause"].startswith(
        f"State Machine Does Not Exist: '{missing}' (Service: AWSStepFunctions; "
        "Status Code: 400; Error Code: StateMachineDoesNotExist; Request ID: "
    )
    assert described["cause"].endswith("; Proxy: null)")
    assert _types(_history(sfn, run))[-2:] == ["TaskFailed", "ExecutionFailed"]


def test_task_on_missing_activity_fails_at_once(sfn: Any) -> None:
    activity = sfn.create_activity(name=unique("gone"))["activityArn"]
    sfn.delete_activity(activityArn=activity)
    definition = {
        "StartAt": "ActivityTask",
        "States": {"ActivityTask": {"Type": "Task", "Resource": activity, "End": True}},
    }
    run = sfn.start_execution(stateMachineArn=_machine(sfn, definition))["executionArn"]
    described = wait_done(sfn, run)
    assert described["status"] == "FAILED"
    assert described["error"] == "States.Runtime"
    assert described["cause"] == (
        "An error occurred while executing the state 'ActivityTask' (entered at the event "
        f"id #2). The activity {activity} does not exist."
    )
    assert _types(_history(sfn, run)) == ["ExecutionStarted", "TaskStateEntered", "ExecutionFailed"]


def test_a_sync_task_that_times_out_stops_its_child(sfn: Any) -> None:
    slow = _machine(
        sfn,
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": True}}},
        "slow",
    )
    name = unique("kid")
    definition = {
        "StartAt": "Run",
        "States": {
            "Run": {
                "Type": "Task",
                "Resource": START + ".sync",
                "Parameters": {"StateMachineArn": slow, "Name": name},
                "TimeoutSeconds": 5,
                "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "After"}],
                "End": True,
            },
            "After": {"Type": "Wait", "Seconds": 1, "End": True},
        },
    }
    run = sfn.start_execution(stateMachineArn=_machine(sfn, definition))["executionArn"]
    assert wait_done(sfn, run)["status"] == "SUCCEEDED"
    types = _types(_history(sfn, run))
    assert types[4:6] == ["TaskSubmitted", "TaskTimedOut"]
    child_arn = slow.replace(":stateMachine:", ":execution:") + f":{name}"
    assert wait_done(sfn, child_arn)["status"] == "ABORTED"


def test_sync2_of_an_express_child(sfn: Any) -> None:
    express: str = sfn.create_state_machine(
        name=unique("express"),
        definition=pass_machine({"fast": True}),
        roleArn=ROLE,
        type="EXPRESS",
    )["stateMachineArn"]
    parent = _machine(
        sfn, _parent(START + ".sync:2", {"StateMachineArn": express, "Input": {"q": 1}})
    )
    run = sfn.start_execution(stateMachineArn=parent)["executionArn"]
    described = wait_done(sfn, run)
    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert output["Output"] == {"fast": True} and output["Input"] == {"q": 1}
    assert ":express:" in output["ExecutionArn"]
