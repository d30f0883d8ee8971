"""AWS service integrations through ``stepline serve`` with boto3: the server's own moto server
(on STEPLINE_MOTO_PORT, so the test reaches the same queues and tables), a DynamoDB and SQS
workflow, an error caught by its AWS name, and ``sqs:sendMessage.waitForTaskToken`` completed
with SendTaskSuccess."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from serving import ROLE, Server, client, start_server, stop_server, unique


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def moto_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def aws_server(tmp_path_factory: pytest.TempPathFactory, moto_port: int) -> Iterator[Server]:
    with pytest.MonkeyPatch.context() as patch:
        for name in ("SQS_ENDPOINT", "DYNAMODB_ENDPOINT", "STEPLINE_AWS_ENDPOINT"):
            patch.delenv(name, raising=False)
        patch.setenv("STEPLINE_MOTO_PORT", str(moto_port))
        running = start_server(tmp_path_factory.mktemp("aws") / "stepline.db", handlers=False)
    try:
        yield running
    finally:
        stop_server(running)


@pytest.fixture(scope="module")
def sfn(aws_server: Server) -> Any:
    return client(aws_server.endpoint, inject_host_prefix=False)


def aws(service: str, port: int) -> Any:
    return boto3.client(service, endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")  # fmt: skip


def moto_ready(port: int, sfn: Any) -> None:
    """The server starts moto on first use: run one call through it."""
    machine = sfn.create_state_machine(name=unique("warm"), roleArn=ROLE, definition=json.dumps({
        "StartAt": "L", "States": {"L": {"Type": "Task", "End": True,
                                         "Resource": "arn:aws:states:::aws-sdk:sqs:listQueues"}}}))  # fmt: skip
    finish(sfn, sfn.start_execution(stateMachineArn=machine["stateMachineArn"])["executionArn"])


def finish(sfn: Any, arn: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return described
        time.sleep(0.1)


@pytest.fixture(scope="module")
def resources(sfn: Any, moto_port: int) -> dict[str, str]:
    moto_ready(moto_port, sfn)
    table = unique("table")
    aws("dynamodb", moto_port).create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    queue = aws("sqs", moto_port).create_queue(QueueName=unique("queue"))["QueueUrl"]
    return {"table": table, "queue": queue}


def start(sfn: Any, definition: dict[str, Any], task_input: Any) -> str:
    machine = sfn.create_state_machine(name=unique("aws"), roleArn=ROLE,
                                       definition=json.dumps(definition))  # fmt: skip
    started = sfn.start_execution(stateMachineArn=machine["stateMachineArn"],
                                  input=json.dumps(task_input))  # fmt: skip
    return str(started["executionArn"])


def test_dynamodb_and_sqs_workflow(sfn: Any, resources: dict[str, str], moto_port: int) -> None:
    definition = {
        "StartAt": "Put",
        "States": {
            "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                    "Parameters": {"TableName.$": "$.table",
                                   "Item": {"id": {"S": "order-1"}, "total": {"N": "42"}}},
                    "ResultPath": None, "Next": "Get"},
            "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                    "Parameters": {"TableName.$": "$.table", "Key": {"id": {"S": "order-1"}}},
                    "ResultSelector": {"total.$": "$.Item.total.N"}, "ResultPath": "$.order",
                    "Next": "Again"},
            "Again": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                      "Parameters": {"TableName.$": "$.table", "Item": {"id": {"S": "order-1"}},
                                     "ConditionExpression": "attribute_not_exists(id)"},
                      "Catch": [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"],
                                 "ResultPath": "$.duplicate", "Next": "Send"}],
                      "Next": "Send"},
            "Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                     "Parameters": {"QueueUrl.$": "$.queue", "MessageBody.$": "$.order"},
                     "ResultSelector": {"id.$": "$.MessageId"}, "ResultPath": "$.sent",
                     "End": True},
        },
    }  # fmt: skip
    arn = start(sfn, definition, resources)
    described = finish(sfn, arn)
    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert output["order"] == {"total": "42"}
    assert output["duplicate"]["Error"] == "DynamoDB.ConditionalCheckFailedException"
    assert "(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: " \
        "ConditionalCheckFailedException;" in output["duplicate"]["Cause"]
    messages = aws("sqs", moto_port).receive_message(QueueUrl=resources["queue"])["Messages"]
    assert [(m["MessageId"], json.loads(m["Body"])) for m in messages] == [
        (output["sent"]["id"], {"total": "42"})
    ]


def test_wait_for_task_token_completed_with_send_task_success(
    sfn: Any, resources: dict[str, str], moto_port: int
) -> None:
    queue = aws("sqs", moto_port).create_queue(QueueName=unique("callbacks"))["QueueUrl"]
    definition = {
        "StartAt": "Ask",
        "States": {"Ask": {
            "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": queue,
                           "MessageBody": {"question": "approve?", "token.$": "$$.Task.Token"}},
            "End": True}},
    }  # fmt: skip
    arn = start(sfn, definition, {})
    deadline = time.monotonic() + 60
    messages: list[dict[str, Any]] = []
    while not messages and time.monotonic() < deadline:
        messages = aws("sqs", moto_port).receive_message(
            QueueUrl=queue, WaitTimeSeconds=1).get("Messages", [])  # fmt: skip
    [message] = messages
    body = json.loads(message["Body"])
    assert body["question"] == "approve?"
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    history = sfn.get_execution_history(executionArn=arn)["events"]
    assert "TaskSubmitted" in [event["type"] for event in history]
    sfn.send_task_success(taskToken=body["token"], output=json.dumps({"approved": True}))
    described = finish(sfn, arn)
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {"approved": True}
