"""Activities, tags, task tokens, map runs and TestState through boto3."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from serving import ECHO, ROLE, error_of, pass_machine, unique


def test_activity_lifecycle(sfn: Any) -> None:
    name = unique("act")
    created = sfn.create_activity(name=name, tags=[{"key": "team", "value": "a"}])
    arn = created["activityArn"]
    assert arn == f"arn:aws:states:us-east-1:123456789012:activity:{name}"
    again = sfn.create_activity(name=name)
    assert (again["activityArn"], again["creationDate"]) == (arn, created["creationDate"])
    described = sfn.describe_activity(activityArn=arn)
    assert (described["name"], described["creationDate"]) == (name, created["creationDate"])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "a"}]
    listed = [a["activityArn"] for a in sfn.list_activities(maxResults=1000)["activities"]]
    assert arn in listed
    assert sfn.get_activity_task(activityArn=arn, workerName="w").get("taskToken") is None
    sfn.delete_activity(activityArn=arn)
    sfn.delete_activity(activityArn=arn)
    for call in (sfn.describe_activity, sfn.get_activity_task):
        with pytest.raises(ClientError) as excinfo:
            call(activityArn=arn)
        assert error_of(excinfo) == ("ActivityDoesNotExist", f"Activity Does Not Exist: '{arn}'")
    with pytest.raises(ClientError) as excinfo:
        sfn.create_activity(name="TestActivity InvalidName$")
    assert error_of(excinfo) == ("InvalidName", "Invalid Name: 'TestActivity InvalidName$'")


def test_list_activities_pages(sfn: Any) -> None:
    names = [unique("zz-act") for _ in range(3)]
    for name in names:
        sfn.create_activity(name=name)
    seen: list[str] = []
    token = None
    while True:
        page = sfn.list_activities(maxResults=2, **({"nextToken": token} if token else {}))
        seen += [a["name"] for a in page["activities"]]
        token = page.get("nextToken")
        if not token:
            break
    assert [n for n in seen if n in names] == sorted(names)
    assert seen == sorted(seen)


def test_tags(sfn: Any) -> None:
    arn = sfn.create_state_machine(name=unique(), definition=pass_machine(), roleArn=ROLE,
                                   tags=[{"key": "k1", "value": "v1"}], publish=True)["stateMachineArn"]
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "k2", "value": "v2"}, {"key": "k1", "value": "new"}])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [
        {"key": "k1", "value": "new"}, {"key": "k2", "value": "v2"}]
    sfn.untag_resource(resourceArn=arn, tagKeys=["k1", "absent"])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "k2", "value": "v2"}]
    with pytest.raises(ClientError) as excinfo:
        sfn.tag_resource(resourceArn=f"{arn}:1", tags=[{"key": "a", "value": "b"}])
    assert error_of(excinfo) == ("ResourceNotFound", f"Resource not found: '{arn}:1'")
    with pytest.raises(ClientError) as excinfo:
        sfn.list_tags_for_resource(resourceArn=arn + "-missing")
    assert error_of(excinfo) == ("ResourceNotFound", f"Resource not found: '{arn}-missing'")
    with pytest.raises(ClientError) as excinfo:
        sfn.tag_resource(resourceArn=arn, tags=[{"key": f"k{i}", "value": ""} for i in range(100, 150)])
    assert error_of(excinfo)[0] == "TooManyTags"
    sfn.tag_resource(resourceArn=arn, tags=[{"key": f"k{i}", "value": ""} for i in range(3, 52)])
    assert len(sfn.list_tags_for_resource(resourceArn=arn)["tags"]) == 50
    with pytest.raises(ClientError) as excinfo:
        sfn.create_state_machine(name=unique(), definition=pass_machine(), roleArn=ROLE,
                                 tags=[{"key": f"k{i}", "value": ""} for i in range(51)])
    assert error_of(excinfo)[0] == "TooManyTags"
    with pytest.raises(ClientError) as excinfo:
        sfn.tag_resource(resourceArn=arn, tags=[{"key": "k" * 129, "value": ""}])
    assert error_of(excinfo)[1] == (
        f"1 validation error detected: Value '{'k' * 129}' at 'tags.1.member.key' failed to satisfy "
        "constraint: Member must have length less than or equal to 128"
    )


def test_task_tokens_nobody_issued(sfn: Any) -> None:
    for call, kwargs in (
        (sfn.send_task_success, {"output": "{}"}),
        (sfn.send_task_failure, {"error": "E"}),
        (sfn.send_task_heartbeat, {}),
    ):
        with pytest.raises(ClientError) as excinfo:
            call(taskToken="made-up", **kwargs)
        assert error_of(excinfo) == ("InvalidToken", "Invalid Token: 'Invalid token'")
    with pytest.raises(ClientError) as excinfo:
        sfn.send_task_success(taskToken="made-up", output="not json")
    assert error_of(excinfo)[0] == "InvalidOutput"


def test_map_runs(sfn: Any) -> None:
    run = "arn:aws:states:us-east-1:123456789012:mapRun:sm/label:0a1b"
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_map_run(mapRunArn=run)
    assert error_of(excinfo) == ("ResourceNotFound", f"Resource not found: '{run}'")
    with pytest.raises(ClientError) as excinfo:
        sfn.update_map_run(mapRunArn=run, maxConcurrency=2)
    assert error_of(excinfo)[0] == "ResourceNotFound"
    arn = sfn.create_state_machine(name=unique(), definition=pass_machine(), roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert sfn.list_map_runs(executionArn=execution)["mapRuns"] == []
    with pytest.raises(ClientError) as excinfo:
        sfn.list_map_runs(executionArn=execution + "x")
    assert error_of(excinfo)[0] == "ExecutionDoesNotExist"


def test_test_state(sfn: Any) -> None:
    passed = sfn.test_state(
        definition=json.dumps({"Type": "Pass", "Parameters": {"v.$": "$.x"}, "Next": "After"}),
        roleArn=ROLE, input='{"x": 5}',
    )
    assert (passed["status"], passed["nextState"], json.loads(passed["output"])) == ("SUCCEEDED", "After", {"v": 5})
    choice = sfn.test_state(
        definition=json.dumps({"Type": "Choice", "Default": "Other",
                               "Choices": [{"Variable": "$.x", "NumericEquals": 5, "Next": "Five"}]}),
        input='{"x": 5}',
    )
    assert (choice["status"], choice["nextState"]) == ("SUCCEEDED", "Five")
    task = json.dumps({"Type": "Task", "Resource": ECHO, "End": True,
                       "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 3}],
                       "Catch": [{"ErrorEquals": ["Other"], "Next": "Handler"}]})
    mocked = sfn.test_state(definition=task, input="{}", mock={"result": '{"r": 1}'})
    assert (mocked["status"], json.loads(mocked["output"])) == ("SUCCEEDED", {"r": 1})
    retried = sfn.test_state(definition=task, input="{}", inspectionLevel="DEBUG",
                             mock={"errorOutput": {"error": "Boom", "cause": "c"}})
    assert (retried["status"], retried["error"], retried["cause"]) == ("RETRIABLE", "Boom", "c")
    assert retried["inspectionData"]["errorDetails"] == {"retryIndex": 0, "retryBackoffIntervalSeconds": 3}
    caught = sfn.test_state(definition=task, input="{}", mock={"errorOutput": {"error": "Other", "cause": "c"}})
    assert (caught["status"], caught["nextState"]) == ("CAUGHT_ERROR", "Handler")
    assert json.loads(caught["output"]) == {"Error": "Other", "Cause": "c"}
    failed = sfn.test_state(definition=task, input="{}", mock={"errorOutput": {"error": "Else", "cause": "c"}})
    assert (failed["status"], failed["error"]) == ("FAILED", "Else")
    whole = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
                                                   "B": {"Type": "Pass", "Result": 2, "End": True}}})
    second = sfn.test_state(definition=whole, stateName="B", input="{}")
    assert (second["status"], second["output"]) == ("SUCCEEDED", "2")
    with pytest.raises(ClientError) as excinfo:
        sfn.test_state(definition=json.dumps({"Type": "Pass", "Next": 3}), input="{}")
    assert error_of(excinfo)[0] == "InvalidDefinition"
    with pytest.raises(ClientError) as excinfo:
        sfn.test_state(definition=json.dumps({"Type": "Pass", "End": True}), input="nope")
    assert error_of(excinfo)[0] == "InvalidExecutionInput"


def test_task_token_round_trip(sfn: Any) -> None:
    from serving import callback_machine

    arn = sfn.create_state_machine(name=unique(), definition=callback_machine(), roleArn=ROLE)["stateMachineArn"]
    for answer in ("success", "failure"):
        execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
        events = sfn.get_execution_history(executionArn=execution)["events"]
        scheduled = next(e for e in events if e["type"] == "TaskScheduled")
        token = json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["MessageBody"]["token"]
        sfn.send_task_heartbeat(taskToken=token)
        if answer == "success":
            sfn.send_task_success(taskToken=token, output='{"answer": 42}')
        else:
            sfn.send_task_failure(taskToken=token, error="Nope", cause="because")
        for _ in range(500):
            described = sfn.describe_execution(executionArn=execution)
            if described["status"] != "RUNNING":
                break
        if answer == "success":
            assert (described["status"], described["output"]) == ("SUCCEEDED", '{"answer":42}')
        else:
            assert (described["status"], described["error"], described["cause"]) == ("FAILED", "Nope", "because")
        with pytest.raises(ClientError) as excinfo:
            sfn.send_task_success(taskToken=token, output="{}")
        assert error_of(excinfo) == ("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
