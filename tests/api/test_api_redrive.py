"""RedriveExecution end to end through boto3: a failed execution redriven from its failed
state succeeds, an aborted one runs again, and the refusals carry AWS's reasons.

https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from serving import (
    ROLE,
    Server,
    callback_machine,
    client,
    error_of,
    pass_machine,
    start_server,
    stop_server,
    unique,
    wait_done,
)

FLAKY = "arn:aws:lambda:us-east-1:123456789012:function:Flaky"


@pytest.fixture(scope="module")
def sfn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    db: Path = tmp_path_factory.mktemp("redrive") / "stepline.db"
    server: Server = start_server(db, "--handler", f"{FLAKY}=redrive_handlers:flaky")
    try:
        yield client(server.endpoint)
    finally:
        stop_server(server)


def _machine(sfn: Any, definition: dict[str, Any] | str) -> str:
    text = definition if isinstance(definition, str) else json.dumps(definition)
    arn: str = sfn.create_state_machine(name=unique("rd"), definition=text, roleArn=ROLE)[
        "stateMachineArn"
    ]
    return arn


def _events(sfn: Any, arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = sfn.get_execution_history(executionArn=arn, maxResults=1000)[
        "events"
    ]
    return events


FLAKY_MACHINE = {
    "StartAt": "First",
    "States": {
        "First": {"Type": "Pass", "Result": "one", "ResultPath": "$.first", "Next": "Work"},
        "Work": {
            "Type": "Task",
            "Resource": FLAKY,
            "Parameters": {"key.$": "$.key", "redrives.$": "$$.Execution.RedriveCount"},
            "ResultPath": "$.work",
            "Next": "Done",
        },
        "Done": {"Type": "Pass", "End": True},
    },
}


def test_a_failed_execution_redriven_from_its_failed_state_succeeds(sfn: Any) -> None:
    machine = _machine(sfn, FLAKY_MACHINE)
    key = unique("k")
    run = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"key": key}))[
        "executionArn"
    ]
    failed = wait_done(sfn, run)
    assert (failed["status"], failed["error"]) == ("FAILED", "Flaky.NotYet")
    assert failed["redriveStatus"] == "REDRIVABLE"
    assert "redriveStatusReason" not in failed
    before = _events(sfn, run)

    answer = sfn.redrive_execution(executionArn=run)
    described = wait_done(sfn, run)
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {
        "key": key,
        "first": "one",
        "work": {"fixed": key, "redrives": 1},
    }
    assert described["redriveCount"] == 1
    assert described["redriveDate"] == answer["redriveDate"]
    assert described["redriveStatus"] == "NOT_REDRIVABLE"
    events = _events(sfn, run)
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    assert events[: len(before)] == before  # the first attempt's history is kept as it was
    redriven = events[len(before)]
    assert redriven["type"] == "ExecutionRedriven"
    assert redriven["executionRedrivenEventDetails"] == {"redriveCount": 1}
    assert redriven["previousEventId"] == before[-1]["id"]
    after = [
        (e["type"], e.get("stateEnteredEventDetails", {}).get("name"))
        for e in events[len(before) + 1 :]
    ]
    assert after[0] == ("TaskStateEntered", "Work")
    assert ("PassStateEntered", "First") not in after  # the succeeded state is not run again
    assert after[-1][0] == "ExecutionSucceeded"

    listed = sfn.list_executions(stateMachineArn=machine, redriveFilter="REDRIVEN")["executions"]
    assert [item["executionArn"] for item in listed] == [run]
    assert listed[0]["redriveCount"] == 1
    assert (
        sfn.list_executions(stateMachineArn=machine, redriveFilter="NOT_REDRIVEN")["executions"]
        == []
    )

    with pytest.raises(ClientError) as excinfo:
        sfn.redrive_execution(executionArn=run)
    assert error_of(excinfo) == (
        "ExecutionNotRedrivable",
        "Execution is SUCCEEDED and cannot be redriven",
    )


def test_a_failed_parallel_state_is_run_again(sfn: Any) -> None:
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "a", "End": True}}},
                    {
                        "StartAt": "B",
                        "States": {
                            "B": {
                                "Type": "Task",
                                "Resource": FLAKY,
                                "Parameters": {"key.$": "$.key"},
                                "End": True,
                            }
                        },
                    },
                ],
                "End": True,
            }
        },
    }
    key = unique("p")
    run = sfn.start_execution(
        stateMachineArn=_machine(sfn, definition), input=json.dumps({"key": key})
    )["executionArn"]
    assert wait_done(sfn, run)["status"] == "FAILED"
    sfn.redrive_execution(executionArn=run)
    described = wait_done(sfn, run)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == ["a", {"fixed": key, "redrives": None}]


def test_an_aborted_execution_runs_again_and_the_same_client_token_is_idempotent(
    sfn: Any,
) -> None:
    run = sfn.start_execution(stateMachineArn=_machine(sfn, callback_machine()))["executionArn"]
    deadline = time.monotonic() + 10
    while "TaskSubmitted" not in [e["type"] for e in _events(sfn, run)]:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    with pytest.raises(ClientError) as excinfo:
        sfn.redrive_execution(executionArn=run)
    assert error_of(excinfo) == (
        "ExecutionNotRedrivable",
        "Execution is RUNNING and cannot be redriven",
    )
    sfn.stop_execution(executionArn=run)
    assert wait_done(sfn, run)["status"] == "ABORTED"
    token = unique("token")
    first = sfn.redrive_execution(executionArn=run, clientToken=token)
    again = sfn.redrive_execution(executionArn=run, clientToken=token)
    assert again["redriveDate"] == first["redriveDate"]
    described = sfn.describe_execution(executionArn=run)
    assert described["status"] == "RUNNING"
    assert described["redriveCount"] == 1
    assert "stopDate" not in described
    types = [e["type"] for e in _events(sfn, run)]
    assert types[types.index("ExecutionAborted") + 1 :][:3] == [
        "ExecutionRedriven",
        "TaskStateEntered",
        "TaskScheduled",
    ]
    sfn.stop_execution(executionArn=run)
    assert wait_done(sfn, run)["status"] == "ABORTED"


def test_redrive_refusals(sfn: Any) -> None:
    run = sfn.start_execution(stateMachineArn=_machine(sfn, pass_machine()))["executionArn"]
    wait_done(sfn, run)
    with pytest.raises(ClientError) as excinfo:
        sfn.redrive_execution(executionArn=run)
    assert error_of(excinfo) == (
        "ExecutionNotRedrivable",
        "Execution is SUCCEEDED and cannot be redriven",
    )
    with pytest.raises(ClientError) as excinfo:
        sfn.redrive_execution(executionArn=run + "-nobody")
    assert error_of(excinfo)[0] == "ExecutionDoesNotExist"
