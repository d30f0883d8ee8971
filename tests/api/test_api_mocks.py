"""Mock files through ``stepline serve`` and boto3: AWS's documentation example, unchanged
(https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html), a test
case chosen with ``StartExecution(stateMachineArn="ARN#TestCase")``
(https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-test-sm-exec.html)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serving import ROLE, Server, client, error_of, start_server, stop_server, unique

FILES = Path(__file__).resolve().parents[1] / "emulator" / "mock_files"
CONFIG = FILES / "MockConfigFile.json"
DEFINITION = (FILES / "LambdaSQSIntegration.json").read_text()
SQS = "arn:aws:states:::sqs:sendMessage"
LAMBDA = "arn:aws:states:::lambda:invoke"
HELLO = {"StatusCode": 200, "Payload": {"StatusCode": 200, "body": "Hello from Lambda!"}}


@pytest.fixture(scope="module")
def mocked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(
        tmp_path_factory.mktemp("mocks") / "stepline.db",
        "--mock-config", str(CONFIG),
        "--handler", f"{SQS}=server_handlers:echo",
    )  # fmt: skip
    try:
        yield running
    finally:
        stop_server(running)


@pytest.fixture(scope="module")
def sfn(mocked: Server) -> Any:
    return client(mocked.endpoint)


@pytest.fixture(scope="module")
def machine_arn(sfn: Any) -> str:
    arn: str = sfn.create_state_machine(
        name="LambdaSQSIntegration", definition=DEFINITION, roleArn=ROLE
    )["stateMachineArn"]
    return arn


def finished(sfn: Any, arn: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return described
        time.sleep(0.05)


def history(sfn: Any, arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = sfn.get_execution_history(executionArn=arn)["events"]
    return events


def start(sfn: Any, machine_arn: str, case: str) -> str:
    name = unique(case)
    started = sfn.start_execution(
        stateMachineArn=f"{machine_arn}#{case}", name=name, input='{"hello": "world"}'
    )
    arn: str = started["executionArn"]
    assert "#" not in arn
    assert arn.endswith(f":execution:LambdaSQSIntegration:{name}")
    return arn


def test_happy_path(sfn: Any, machine_arn: str) -> None:
    arn = start(sfn, machine_arn, "HappyPath")
    described = finished(sfn, arn)
    assert described["status"] == "SUCCEEDED"
    assert described["stateMachineArn"] == machine_arn
    assert json.loads(described["output"])["MessageId"] == "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"
    succeeded = [e for e in history(sfn, arn) if e["type"] == "TaskSucceeded"]
    assert json.loads(succeeded[0]["taskSucceededEventDetails"]["output"]) == HELLO
    assert succeeded[0]["taskSucceededEventDetails"]["resourceType"] == "lambda"


def test_retry_path(sfn: Any, machine_arn: str) -> None:
    arn = start(sfn, machine_arn, "RetryPath")
    assert finished(sfn, arn)["status"] == "SUCCEEDED"
    errors = [
        e["taskFailedEventDetails"]["error"] for e in history(sfn, arn) if e["type"] == "TaskFailed"
    ]
    assert errors == [
        "Lambda.ResourceNotReadyException",
        "Lambda.TimeoutException",
        "Lambda.TimeoutException",
    ]


def test_hybrid_path_calls_the_local_handler(sfn: Any, machine_arn: str) -> None:
    arn = start(sfn, machine_arn, "HybridPath")
    described = finished(sfn, arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["MessageBody"] == HELLO


def test_without_a_suffix_every_state_calls_its_resource(sfn: Any, machine_arn: str) -> None:
    arn = sfn.start_execution(stateMachineArn=machine_arn, input="{}")["executionArn"]
    described = finished(sfn, arn)
    # No handler answers arn:aws:states:::lambda:invoke in this server.
    assert described["status"] == "FAILED"


def test_an_unknown_test_case_is_refused(sfn: Any, machine_arn: str) -> None:
    with pytest.raises(sfn.exceptions.ClientError) as info:
        sfn.start_execution(stateMachineArn=f"{machine_arn}#NoSuchCase", input="{}")
    code, message = error_of(info)
    assert code == "ValidationException"
    assert "NoSuchCase" in message


def test_a_mocked_execution_carries_on_after_a_restart(tmp_path: Path) -> None:
    """The test case is kept with the execution and the invocation counts come back from the
    history: a restart during the RetryPath's backoff still answers invocations 1, 2, 3."""
    db = tmp_path / "stepline.db"
    mock = ("--mock-config", str(CONFIG), "--handler", f"{SQS}=server_handlers:echo")
    # The system clock: the first retry waits 2 real seconds, long enough to stop the server.
    first = start_server(db, *mock, "--clock", "system")
    try:
        sfn = client(first.endpoint)
        machine = sfn.create_state_machine(
            name="LambdaSQSIntegration", definition=DEFINITION, roleArn=ROLE
        )["stateMachineArn"]
        arn = sfn.start_execution(stateMachineArn=f"{machine}#RetryPath", input="{}")["executionArn"]
        deadline = time.monotonic() + 10
        while not any(e["type"] == "TaskFailed" for e in history(sfn, arn)):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    finally:
        stop_server(first)
    second = start_server(db, *mock)
    try:
        sfn = client(second.endpoint)
        described = finished(sfn, arn)
        assert described["status"] == "SUCCEEDED", described
        failed = [e for e in history(sfn, arn) if e["type"] == "TaskFailed"]
        assert len(failed) == 3
    finally:
        stop_server(second)


OWN_CONFIG = {
    "StateMachines": {
        "Callbacks": {"TestCases": {"Approve": {"Ask": "Approved", "Work": "Approved"}}},
        "Quick": {"TestCases": {"Fast": {"Ask": "Approved"}}},
    },
    "MockedResponses": {"Approved": {"0": {"Return": {"approved": True}}}},
}
ASK = {
    "Type": "Task",
    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
}


def test_callbacks_activities_and_sync_executions_with_mocks(tmp_path: Path) -> None:
    config = tmp_path / "mocks.json"
    config.write_text(json.dumps(OWN_CONFIG))
    server = start_server(tmp_path / "stepline.db", "--mock-config", str(config))
    try:
        sfn = client(server.endpoint, inject_host_prefix=False)
        # A mocked .waitForTaskToken task is answered at once: no SendTaskSuccess needed.
        callbacks = sfn.create_state_machine(
            name="Callbacks",
            definition=json.dumps({"StartAt": "Ask", "States": {"Ask": {**ASK, "End": True}}}),
            roleArn=ROLE,
        )["stateMachineArn"]
        arn = sfn.start_execution(stateMachineArn=f"{callbacks}#Approve")["executionArn"]
        described = finished(sfn, arn)
        assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"approved": True})
        assert "TaskSubmitted" in [e["type"] for e in history(sfn, arn)]
        # An activity state listed in the test case fails the execution.
        activity = sfn.create_activity(name=unique("work"))["activityArn"]
        sfn.update_state_machine(
            stateMachineArn=callbacks,
            definition=json.dumps(
                {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": activity, "End": True}}}
            ),
        )
        arn = sfn.start_execution(stateMachineArn=f"{callbacks}#Approve")["executionArn"]
        described = finished(sfn, arn)
        assert (described["status"], described["error"]) == ("FAILED", "States.Runtime")
        assert described["cause"].startswith("Activity state cannot be mocked")
        # StartSyncExecution takes the suffix too.
        quick = sfn.create_state_machine(
            name="Quick",
            type="EXPRESS",
            definition=json.dumps(
                {"StartAt": "Ask", "States": {"Ask": {"Type": "Task", "Resource": LAMBDA, "End": True}}}
            ),
            roleArn=ROLE,
        )["stateMachineArn"]
        synced = sfn.start_sync_execution(stateMachineArn=f"{quick}#Fast")
        assert (synced["status"], json.loads(synced["output"])) == ("SUCCEEDED", {"approved": True})
        assert "#" not in synced["executionArn"]
    finally:
        stop_server(server)
