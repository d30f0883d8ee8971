"""``arn:aws:states:::aws-sdk:sfn:*`` with no Step Functions endpoint configured: the calls go to
this same ``stepline serve`` (as Step Functions Local's STEP_FUNCTIONS_ENDPOINT defaults to
itself), so a child completes its parent's ``.waitForTaskToken`` task with
``aws-sdk:sfn:sendTaskSuccess``, and API errors fail the task as ``Sfn.<Code>Exception``.
https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
"""

from __future__ import annotations

import json
from typing import Any

from serving import ROLE, unique, wait_done

SDK = "arn:aws:states:::aws-sdk:sfn:"


def _machine(sfn: Any, definition: dict[str, Any]) -> str:
    arn: str = sfn.create_state_machine(
        name=unique("sdk"), definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    return arn


def test_a_child_completes_its_parent_through_aws_sdk_sfn(sfn: Any) -> None:
    child = _machine(sfn, {
        "StartAt": "Answer",
        "States": {"Answer": {
            "Type": "Task", "Resource": SDK + "sendTaskSuccess",
            "Parameters": {"TaskToken.$": "$.token", "Output.$": "States.JsonToString($.reply)"},
            "End": True,
        }},
    })  # fmt: skip
    parent = _machine(sfn, {
        "StartAt": "Ask",
        "States": {"Ask": {
            "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.waitForTaskToken",
            "Parameters": {"StateMachineArn": child, "Input": {
                "token.$": "$$.Task.Token", "reply": {"answer": 42}}},
            "End": True,
        }},
    })  # fmt: skip
    run = sfn.start_execution(stateMachineArn=parent)["executionArn"]
    described = wait_done(sfn, run)
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {"answer": 42}
    children = sfn.list_executions(stateMachineArn=child)["executions"]
    assert len(children) == 1 and children[0]["status"] == "SUCCEEDED"
    child_output = json.loads(sfn.describe_execution(executionArn=children[0]["executionArn"])["output"])
    assert child_output == {}  # SendTaskSuccess answers an empty structure
    events = sfn.get_execution_history(executionArn=children[0]["executionArn"])["events"]
    scheduled = next(e for e in events if e["type"] == "TaskScheduled")
    assert scheduled["taskScheduledEventDetails"]["resourceType"] == "aws-sdk:sfn"
    assert scheduled["taskScheduledEventDetails"]["resource"] == "sendTaskSuccess"


def test_api_calls_answer_in_sdk_casing_and_errors_are_named_as_aws_sdk_errors(sfn: Any) -> None:
    target = _machine(sfn, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    caller = _machine(sfn, {
        "StartAt": "Describe",
        "States": {
            "Describe": {
                "Type": "Task", "Resource": SDK + "describeStateMachine",
                "Parameters": {"StateMachineArn": target}, "ResultSelector": {
                    "name.$": "$.Name", "status.$": "$.Status", "created.$": "$.CreationDate"},
                "ResultPath": "$.described", "Next": "BadToken",
            },
            "BadToken": {
                "Type": "Task", "Resource": SDK + "sendTaskSuccess",
                "Parameters": {"TaskToken": "not-a-token", "Output": "{}"},
                "Catch": [{"ErrorEquals": ["Sfn.InvalidTokenException"],
                           "ResultPath": "$.error", "Next": "Done"}],
                "End": True,
            },
            "Done": {"Type": "Pass", "End": True},
        },
    })  # fmt: skip
    described = wait_done(sfn, sfn.start_execution(stateMachineArn=caller, input="{}")["executionArn"])
    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert output["described"]["name"] == target.rsplit(":", 1)[1]
    assert output["described"]["status"] == "ACTIVE"
    assert output["described"]["created"].endswith("Z")  # SDK timestamps as ISO text
    assert output["error"]["Error"] == "Sfn.InvalidTokenException"
    assert output["error"]["Cause"].startswith("Invalid Token")
    assert "(Service: Sfn, Status Code: 400, Request ID: " in output["error"]["Cause"]
