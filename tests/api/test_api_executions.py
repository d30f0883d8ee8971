"""Executions through boto3: start (names, input, idempotency), describe, list, stop,
history (order, data, pages), the definition used, StartSyncExecution, redrive."""

from __future__ import annotations

import json
import socket
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError
from serving import ECHO, ROLE, callback_machine, client, error_of, pass_machine, unique, wait_done


@pytest.fixture(scope="module")
def machine(sfn: Any) -> str:
    arn: str = sfn.create_state_machine(
        name=unique("exec"), definition=pass_machine({"ok": True}), roleArn=ROLE
    )["stateMachineArn"]
    return arn


@pytest.fixture(scope="module")
def waiting(sfn: Any) -> str:
    arn: str = sfn.create_state_machine(
        name=unique("cb"), definition=callback_machine(), roleArn=ROLE
    )["stateMachineArn"]
    return arn


def test_start_describe_and_history(sfn: Any, machine: str) -> None:
    name = unique("run")
    started = sfn.start_execution(stateMachineArn=machine, name=name, input='{"a": 1}')
    arn = started["executionArn"]
    assert arn == machine.replace(":stateMachine:", ":execution:") + f":{name}"
    described = wait_done(sfn, arn)
    assert described["status"] == "SUCCEEDED"
    assert described["name"] == name
    assert described["stateMachineArn"] == machine
    assert described["input"] == '{"a": 1}'
    assert described["inputDetails"] == {"included": True}
    assert json.loads(described["output"]) == {"ok": True}
    assert described["startDate"] == started["startDate"]
    assert described["stopDate"] >= described["startDate"]
    assert described["redriveCount"] == 0
    assert described["redriveStatus"] == "NOT_REDRIVABLE"
    assert described["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"
    assert "error" not in described and "cause" not in described
    meta = sfn.describe_execution(executionArn=arn, includedData="METADATA_ONLY")
    assert "input" not in meta and "output" not in meta
    events = sfn.get_execution_history(executionArn=arn)["events"]
    assert [e["type"] for e in events] == [
        "ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    assert [e["id"] for e in events] == [1, 2, 3, 4]
    assert [e["previousEventId"] for e in events] == [0, 0, 2, 3]
    assert events[0]["executionStartedEventDetails"]["roleArn"] == ROLE
    assert json.loads(events[0]["executionStartedEventDetails"]["input"]) == {"a": 1}
    reverse = sfn.get_execution_history(executionArn=arn, reverseOrder=True)["events"]
    assert [e["id"] for e in reverse] == [4, 3, 2, 1]
    bare = sfn.get_execution_history(executionArn=arn, includeExecutionData=False)["events"]
    assert "input" not in bare[0]["executionStartedEventDetails"]
    assert bare[0]["executionStartedEventDetails"]["inputDetails"] == {"truncated": False}
    assert "output" not in bare[3]["executionSucceededEventDetails"]


def test_history_pages(sfn: Any, machine: str) -> None:
    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    wait_done(sfn, arn)
    for reverse, order in ((False, [1, 2, 3, 4]), (True, [4, 3, 2, 1])):
        ids: list[int] = []
        token = None
        pages = 0
        while True:
            kwargs: dict[str, Any] = {"executionArn": arn, "maxResults": 3, "reverseOrder": reverse}
            if token:
                kwargs["nextToken"] = token
            page = sfn.get_execution_history(**kwargs)
            ids += [e["id"] for e in page["events"]]
            pages += 1
            token = page.get("nextToken")
            if not token:
                break
        assert ids == order and pages == 2
    with pytest.raises(ClientError) as excinfo:
        sfn.get_execution_history(executionArn=arn, nextToken="bogus")
    assert error_of(excinfo)[0] == "InvalidToken"


def test_unnamed_execution_gets_a_uuid(sfn: Any, machine: str) -> None:
    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    name = arn.rsplit(":", 1)[1]
    assert len(name) == 36 and name.count("-") == 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "Invalid State Machine Execution Input: 'Unrecognized token 'not': was expecting "
                     "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')'"),
        ("{'a': 1}", "Invalid State Machine Execution Input: 'Unexpected character (''' (code 39)): "
                     "was expecting double-quote to start field name'"),
        ("", "Invalid State Machine Execution Input: 'Invalid execution input.'"),
    ],
)
def test_invalid_input(sfn: Any, machine: str, text: str, message: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sfn.start_execution(stateMachineArn=machine, input=text)
    assert error_of(excinfo) == ("InvalidExecutionInput", message)


@pytest.mark.parametrize("text", ["2", '"text"', "null", "[1, 2]"])
def test_any_json_value_is_an_input(sfn: Any, machine: str, text: str) -> None:
    arn = sfn.start_execution(stateMachineArn=machine, input=text)["executionArn"]
    assert wait_done(sfn, arn)["input"] == text


def test_names_and_missing_machines(sfn: Any, machine: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sfn.start_execution(stateMachineArn=machine, name="bad name")
    assert error_of(excinfo) == ("InvalidName", "Invalid Name: 'bad name'")
    with pytest.raises(ClientError) as excinfo:
        sfn.start_execution(stateMachineArn=machine + "-nope")
    assert error_of(excinfo) == ("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{machine}-nope'")
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_execution(executionArn=machine.replace(":stateMachine:", ":execution:") + ":nope")
    assert error_of(excinfo)[0] == "ExecutionDoesNotExist"
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_execution(executionArn="invalid_state_machine_arn")
    assert error_of(excinfo) == ("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'")
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_execution(executionArn=machine)
    assert error_of(excinfo) == ("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: stateMachine'")


def test_idempotent_start_while_running(sfn: Any, waiting: str, machine: str) -> None:
    name = unique("same")
    first = sfn.start_execution(stateMachineArn=waiting, name=name, input='{"x": 1}')
    assert wait_done(sfn, first["executionArn"], 0.2)["status"] == "RUNNING"
    again = sfn.start_execution(stateMachineArn=waiting, name=name, input='{"x": 1}')
    assert again["executionArn"] == first["executionArn"]
    assert again["startDate"] == first["startDate"]
    with pytest.raises(ClientError) as excinfo:
        sfn.start_execution(stateMachineArn=waiting, name=name, input='{"x": 2}')
    assert error_of(excinfo) == ("ExecutionAlreadyExists", f"Execution Already Exists: '{first['executionArn']}'")
    sfn.stop_execution(executionArn=first["executionArn"])
    with pytest.raises(ClientError) as excinfo:  # closed: the name is taken
        sfn.start_execution(stateMachineArn=waiting, name=name, input='{"x": 1}')
    assert error_of(excinfo)[0] == "ExecutionAlreadyExists"


def test_stop_execution(sfn: Any, waiting: str) -> None:
    arn = sfn.start_execution(stateMachineArn=waiting)["executionArn"]
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    stopped = sfn.stop_execution(executionArn=arn, error="MyError", cause="my cause")
    described = sfn.describe_execution(executionArn=arn)
    assert described["status"] == "ABORTED"
    assert described["stopDate"] == stopped["stopDate"]
    assert (described["error"], described["cause"]) == ("MyError", "my cause")
    assert described["redriveStatus"] == "REDRIVABLE"
    events = sfn.get_execution_history(executionArn=arn)["events"]
    assert events[-1]["type"] == "ExecutionAborted"
    assert events[-1]["executionAbortedEventDetails"] == {"error": "MyError", "cause": "my cause"}
    # Stopping a closed execution changes nothing.
    assert sfn.stop_execution(executionArn=arn)["stopDate"] == stopped["stopDate"]
    bare = sfn.start_execution(stateMachineArn=waiting)["executionArn"]
    sfn.stop_execution(executionArn=bare)
    described = sfn.describe_execution(executionArn=bare)
    assert described["status"] == "ABORTED"
    assert "error" not in described and "cause" not in described
    with pytest.raises(ClientError) as excinfo:
        sfn.stop_execution(executionArn=arn, error="e" * 257)
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value at 'error' failed to satisfy constraint: "
        "Member must have length less than or equal to 256",
    )


def test_list_executions(sfn: Any, waiting: str) -> None:
    arns = [sfn.start_execution(stateMachineArn=waiting)["executionArn"] for _ in range(4)]
    sfn.stop_execution(executionArn=arns[0])
    listed = sfn.list_executions(stateMachineArn=waiting, maxResults=1000)["executions"]
    mine = [e["executionArn"] for e in listed if e["executionArn"] in arns]
    assert mine == list(reversed(arns))  # newest first
    running = sfn.list_executions(stateMachineArn=waiting, statusFilter="RUNNING", maxResults=1000)
    assert {e["status"] for e in running["executions"]} == {"RUNNING"}
    assert arns[0] not in {e["executionArn"] for e in running["executions"]}
    aborted = sfn.list_executions(stateMachineArn=waiting, statusFilter="ABORTED", maxResults=1000)
    assert arns[0] in {e["executionArn"] for e in aborted["executions"]}
    page = sfn.list_executions(stateMachineArn=waiting, maxResults=2)
    rest = sfn.list_executions(stateMachineArn=waiting, maxResults=1000, nextToken=page["nextToken"])
    together = [e["executionArn"] for e in page["executions"] + rest["executions"]]
    assert together == [e["executionArn"] for e in listed]
    item = page["executions"][0]
    assert set(item) >= {"executionArn", "stateMachineArn", "name", "status", "startDate", "redriveCount"}
    with pytest.raises(ClientError) as excinfo:
        sfn.list_executions(stateMachineArn=waiting, statusFilter="succeeded")
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value 'succeeded' at 'statusFilter' failed to satisfy constraint: "
        "Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]",
    )
    with pytest.raises(ClientError) as excinfo:
        sfn.list_executions(stateMachineArn=waiting + "-nope")
    assert error_of(excinfo)[0] == "StateMachineDoesNotExist"
    for arn in arns[1:]:
        sfn.stop_execution(executionArn=arn)


def test_task_handler_and_long_wait_on_the_virtual_clock(sfn: Any) -> None:
    definition = json.dumps({
        "StartAt": "Year",
        "States": {
            "Year": {"Type": "Wait", "Seconds": 31536000, "Next": "Call"},
            "Call": {"Type": "Task", "Resource": ECHO, "ResultPath": "$.echo", "End": True},
        },
    })
    arn = sfn.create_state_machine(name=unique(), definition=definition, roleArn=ROLE)["stateMachineArn"]
    started = time.monotonic()
    execution = sfn.start_execution(stateMachineArn=arn, input='{"n": 7}')["executionArn"]
    described = wait_done(sfn, execution)
    assert time.monotonic() - started < 15
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"n": 7, "echo": {"n": 7}}
    assert (described["stopDate"] - described["startDate"]).total_seconds() >= 31536000


def test_failed_execution(sfn: Any) -> None:
    definition = json.dumps({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Oops", "Cause": "bad"}}})
    arn = sfn.create_state_machine(name=unique(), definition=definition, roleArn=ROLE)["stateMachineArn"]
    described = wait_done(sfn, sfn.start_execution(stateMachineArn=arn)["executionArn"])
    assert (described["status"], described["error"], described["cause"]) == ("FAILED", "Oops", "bad")
    assert "output" not in described
    assert described["redriveStatus"] == "REDRIVABLE"


def test_describe_state_machine_for_execution_keeps_the_old_definition(sfn: Any) -> None:
    arn = sfn.create_state_machine(name=unique(), definition=pass_machine(1), roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    sfn.update_state_machine(stateMachineArn=arn, definition=pass_machine(2))
    used = sfn.describe_state_machine_for_execution(executionArn=execution)
    assert used["definition"] == pass_machine(1)
    assert used["stateMachineArn"] == arn
    assert used["roleArn"] == ROLE
    assert "updateDate" in used and "loggingConfiguration" in used
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_state_machine_for_execution(executionArn=execution + "x")
    assert error_of(excinfo)[0] == "ExecutionDoesNotExist"


def test_versions_run_their_own_definition(sfn: Any) -> None:
    arn = sfn.create_state_machine(name=unique(), definition=pass_machine("one"), roleArn=ROLE,
                                   publish=True)["stateMachineArn"]
    sfn.update_state_machine(stateMachineArn=arn, definition=pass_machine("two"))
    by_version = wait_done(sfn, sfn.start_execution(stateMachineArn=f"{arn}:1")["executionArn"])
    assert by_version["output"] == '"one"'
    assert by_version["stateMachineVersionArn"] == f"{arn}:1"
    latest = wait_done(sfn, sfn.start_execution(stateMachineArn=arn)["executionArn"])
    assert latest["output"] == '"two"'
    assert "stateMachineVersionArn" not in latest
    with pytest.raises(ClientError) as excinfo:
        sfn.start_execution(stateMachineArn=f"{arn}:9")
    assert error_of(excinfo) == ("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}:9'")


def test_express_executions(sfn: Any, machine: str) -> None:
    express = sfn.create_state_machine(name=unique("x"), definition=pass_machine({"v": 1}), roleArn=ROLE,
                                       type="EXPRESS")["stateMachineArn"]
    result = sfn.start_sync_execution(stateMachineArn=express, name="sync-run", input='{"in": 1}')
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"v": 1}
    assert result["input"] == '{"in": 1}'
    assert result["name"] == "sync-run"
    prefix = express.replace(":stateMachine:", ":express:") + ":sync-run:"
    assert result["executionArn"].startswith(prefix)
    assert result["billingDetails"]["billedMemoryUsedInMB"] == 64
    assert result["billingDetails"]["billedDurationInMilliseconds"] >= 100
    with pytest.raises(ClientError) as excinfo:
        sfn.start_sync_execution(stateMachineArn=machine)
    assert error_of(excinfo) == (
        "StateMachineTypeNotSupported", "This operation is not supported by this type of state machine")
    started = sfn.start_execution(stateMachineArn=express)["executionArn"]
    assert ":express:" in started
    for call in (sfn.describe_execution, sfn.stop_execution, sfn.get_execution_history):
        with pytest.raises(ClientError) as excinfo:
            call(executionArn=started)
        assert error_of(excinfo) == ("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: express'")
    with pytest.raises(ClientError) as excinfo:
        sfn.list_executions(stateMachineArn=express)
    assert error_of(excinfo)[0] == "StateMachineTypeNotSupported"
    failing = json.dumps({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "C"}}})
    arn = sfn.create_state_machine(name=unique("x"), definition=failing, roleArn=ROLE, type="EXPRESS")["stateMachineArn"]
    failed = sfn.start_sync_execution(stateMachineArn=arn)
    assert (failed["status"], failed["error"], failed["cause"]) == ("FAILED", "E", "C")
    assert "output" not in failed


def test_sync_host_prefix_without_the_workaround(server: Any, sfn: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """With boto3's default config StartSyncExecution goes to ``sync-127.0.0.1:PORT``; once
    that name resolves (wildcard DNS, /etc/hosts) the server answers it like any Host."""
    express = sfn.create_state_machine(name=unique("x"), definition=pass_machine(1), roleArn=ROLE,
                                       type="EXPRESS")["stateMachineArn"]
    real = socket.getaddrinfo
    asked: list[str] = []

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "sync-127.0.0.1":
            asked.append(host)
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    plain = client(server.endpoint)
    result = plain.start_sync_execution(stateMachineArn=express)
    assert result["status"] == "SUCCEEDED" and result["output"] == "1"
    assert asked == ["sync-127.0.0.1"]


def test_redrive(sfn: Any, machine: str) -> None:
    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    wait_done(sfn, arn)
    with pytest.raises(ClientError) as excinfo:
        sfn.redrive_execution(executionArn=arn)
    code, message = error_of(excinfo)
    assert code == "ExecutionNotRedrivable"
    assert "SUCCEEDED" in message
