"""Child executions under run_local (emulator.nested_local): what the server does not
cover with the same machines — callbacks from a child, names, timing, errors."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import asl
from emulator.driver import run_local

START = "arn:aws:states:::states:startExecution"
MACHINES = "arn:aws:states:us-east-1:123456789012:stateMachine:"
PASS = asl.load(json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))


def _load(definition: dict[str, Any]) -> asl.StateMachine:
    return asl.load(json.dumps(definition))


def _parent(resource: str, parameters: dict[str, Any], **task: Any) -> asl.StateMachine:
    state = {"Type": "Task", "Resource": resource, "Parameters": parameters, "End": True, **task}
    return _load({"StartAt": "Start", "States": {"Start": state}})


def _types(result: Any) -> list[str]:
    return [e.type for e in result.events]


def _answering(resource: str, parameters: dict[str, Any]) -> asl.StateMachine:
    """A child whose one Task sends its input's token back through the AWS SDK integration."""
    return _load(
        {
            "StartAt": "Answer",
            "States": {
                "Answer": {
                    "Type": "Task",
                    "Resource": resource,
                    "Parameters": parameters,
                    "End": True,
                }
            },
        }
    )


def test_a_child_sends_the_token_back_with_send_task_success() -> None:
    child = _answering(
        "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess",
        {"TaskToken.$": "$.token", "Output": '{"done": true}'},
    )
    parent = _parent(
        START + ".waitForTaskToken",
        {"StateMachineArn": MACHINES + "Child", "Input": {"token.$": "$$.Task.Token"}},
    )
    result = run_local(parent, {}, {}, machines={"Child": child})
    assert result.status == "SUCCEEDED", result.stuck_reason
    assert result.output == {"done": True}
    assert _types(result)[3:6] == ["TaskStarted", "TaskSubmitted", "TaskSucceeded"]


def test_a_child_fails_the_parent_with_send_task_failure() -> None:
    child = _answering(
        "arn:aws:states:::aws-sdk:sfn:sendTaskFailure",
        {"TaskToken.$": "$.token", "Error": "Kid.Broke", "Cause": "it broke"},
    )
    parent = _parent(
        START + ".waitForTaskToken",
        {"StateMachineArn": MACHINES + "Child", "Input": {"token.$": "$$.Task.Token"}},
    )
    result = run_local(parent, {}, {}, machines={MACHINES + "Child": child})
    assert (result.status, result.error, result.cause) == ("FAILED", "Kid.Broke", "it broke")


def test_a_token_nothing_sends_back_leaves_the_run_waiting_and_says_why() -> None:
    parent = _parent(
        START + ".waitForTaskToken",
        {
            "StateMachineArn": MACHINES + "Child",
            "Name": "kid",
            "Input": {"token.$": "$$.Task.Token"},
        },
    )
    result = run_local(parent, {}, {}, machines={"Child": PASS})
    assert result.status == "RUNNING"
    assert result.stuck_reason == (
        "the task 'Start' waits for its child execution "
        "arn:aws:states:us-east-1:123456789012:execution:Child:kid to send its task token back "
        "(SendTaskSuccess); nothing in this run did"
    )


def test_a_sync_child_ends_on_its_own_clock() -> None:
    child = _load({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}})
    parent = _parent(START + ".sync:2", {"StateMachineArn": MACHINES + "Slow"})
    result = run_local(parent, {"x": 1}, {}, machines={"Slow": child})
    assert result.status == "SUCCEEDED"
    assert result.output["StopDate"] - result.output["StartDate"] == 3_600_000
    submitted, succeeded = result.events[4], result.events[5]
    assert (submitted.type, succeeded.type) == ("TaskSubmitted", "TaskSucceeded")
    assert succeeded.timestamp - submitted.timestamp == timedelta(hours=1)


def test_a_sync_task_timeout_beats_a_slower_child() -> None:
    child = _load({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": True}}})
    parent = _parent(START + ".sync", {"StateMachineArn": MACHINES + "Slow"}, TimeoutSeconds=5)
    result = run_local(parent, {}, {}, machines={"Slow": child})
    assert (result.status, result.error) == ("FAILED", "States.Timeout")
    assert _types(result)[4:6] == ["TaskSubmitted", "TaskTimedOut"]


def test_a_name_used_twice_is_execution_already_exists() -> None:
    definition = {
        "StartAt": "One",
        "States": {
            "One": {
                "Type": "Task",
                "Resource": START,
                "Parameters": {"StateMachineArn": MACHINES + "Child", "Name": "same"},
                "Next": "Two",
            },
            "Two": {
                "Type": "Task",
                "Resource": START,
                "Parameters": {"StateMachineArn": MACHINES + "Child", "Name": "same"},
                "End": True,
            },
        },
    }
    result = run_local(_load(definition), {}, {}, machines={"Child": PASS})
    assert result.error == "StepFunctions.ExecutionAlreadyExistsException"
    assert result.cause is not None
    assert result.cause.startswith(
        "Execution Already Exists: 'arn:aws:states:us-east-1:123456789012:execution:Child:same' "
        "(Service: AWSStepFunctions; Status Code: 400; Error Code: ExecutionAlreadyExists; "
    )


def test_bad_arn_and_name_are_the_services_errors() -> None:
    bad_arn = _parent(START, {"StateMachineArn": "not-an-arn"})
    result = run_local(bad_arn, {}, {}, machines={"Child": PASS})
    assert result.error == "StepFunctions.InvalidArnException"
    bad_name = _parent(START, {"StateMachineArn": MACHINES + "Child", "Name": "bad name"})
    result = run_local(bad_name, {}, {}, machines={"Child": PASS})
    assert result.error == "StepFunctions.InvalidNameException"


def test_an_unregistered_machine_is_state_machine_does_not_exist() -> None:
    parent = _parent(START, {"StateMachineArn": MACHINES + "Other"})
    result = run_local(parent, {}, {}, machines={"Child": PASS})
    assert result.error == "StepFunctions.StateMachineDoesNotExistException"
    # Without a registry (machines=None) the task goes to the handlers, as before.
    result = run_local(parent, {}, {})
    assert result.error == "States.TaskFailed"
    assert result.cause is not None and result.cause.startswith("No local handler")


def test_a_handler_for_the_resource_still_wins() -> None:
    parent = _parent(START + ".sync", {"StateMachineArn": MACHINES + "Child"})
    result = run_local(parent, {}, {START + ".sync": lambda _: {"handled": True}}, machines={})
    assert result.status == "SUCCEEDED"
    assert result.output == {"handled": True}


def test_a_child_that_never_ends_is_named_in_the_stuck_reason() -> None:
    waiting = _answering(
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        {"QueueUrl": "q", "MessageBody.$": "$$.Task.Token"},
    )
    parent = _parent(START + ".sync", {"StateMachineArn": MACHINES + "Waits", "Name": "w"})
    result = run_local(
        parent,
        {},
        {"arn:aws:states:::sqs:sendMessage.waitForTaskToken": lambda _: {}},
        machines={"Waits": waiting},
    )
    assert result.status == "RUNNING"
    assert result.stuck_reason == (
        "the task 'Start' waits for its child execution "
        "arn:aws:states:us-east-1:123456789012:execution:Waits:w, which did not end"
    )
