"""Nested executions in the emulator: the shapes the startExecution integration answers, and a
``.sync`` parent that gets its child's end at start-up when the child ended without it, and
a local handler registered for the resource that answers instead.

https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from databases import database_url, sqlite_file_url

import asl
from emulator.clock import VirtualClock
from emulator.executions import Executions
from emulator.integrations.states import pattern_of
from emulator.integrations.states_shapes import (
    child_name,
    describe,
    finish_outcome,
    sdk_error,
    start_response,
)
from emulator.sfn import executions as sfn_executions
from emulator.sfn import state_machines
from emulator.sfn.context import Caller, Services
from emulator.store.db import Database
from emulator.store.execution_rows import ExecutionRecord

START = datetime(2024, 1, 1, tzinfo=UTC)
ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/StepFunctionsRole"
CALLBACK = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
CHILD = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:Child"

__all__ = ["database_url"]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return sqlite_file_url(tmp_path)


def record(status: str, **extra: Any) -> ExecutionRecord:
    values: dict[str, Any] = {
        "arn": f"arn:aws:states:{REGION}:{ACCOUNT}:execution:Child:kid",
        "state_machine_arn": CHILD,
        "version_arn": None,
        "alias_arn": None,
        "name": "kid",
        "type": "STANDARD",
        "status": status,
        "input": '{"a":1}',
        "output": '{"b":2}' if status == "SUCCEEDED" else None,
        "error": None,
        "cause": None,
        "start_date": START,
        "stop_date": START + timedelta(milliseconds=1500),
        "trace_header": None,
        "redrive_count": 0,
        "redrive_date": None,
        "definition": "{}",
        "role_arn": ROLE,
    }
    values.update(extra)
    return ExecutionRecord(**values)


def test_patterns_of_the_resources() -> None:
    base = "arn:aws:states:::states:startExecution"
    assert pattern_of(base) == "request"
    assert pattern_of(base + ".sync") == "sync"
    assert pattern_of(base + ".sync:2") == "sync2"
    assert pattern_of(base + ".waitForTaskToken") == "token"
    assert pattern_of(base + ".sync:3") == "unknown"
    assert pattern_of("arn:aws:states:::aws-sdk:sfn:startExecution") is None


def test_sync_and_sync2_shapes() -> None:
    done = record("SUCCEEDED")
    text = describe(done, parsed=False)
    assert list(text) == sorted(text)
    assert text["Input"] == '{"a":1}' and text["Output"] == '{"b":2}'
    assert text["StartDate"] == 1704067200000 and text["StopDate"] == 1704067201500
    assert text["RedriveStatus"] == "NOT_REDRIVABLE"
    assert text["RedriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"
    parsed = describe(done, parsed=True)
    assert parsed["Input"] == {"a": 1} and parsed["Output"] == {"b": 2}
    outcome = finish_outcome("k1", done, "sync2")
    assert isinstance(outcome, asl.TaskSucceeded)
    assert outcome.id == "k1" and outcome.output == parsed


def test_a_failed_child_fails_the_task_with_its_description_as_cause() -> None:
    failed = record("FAILED", error="SomeFailure", cause="because")
    outcome = finish_outcome("k1", failed, "sync")
    assert isinstance(outcome, asl.TaskFailed)
    assert outcome.error == "States.TaskFailed"
    cause = json.loads(outcome.cause)
    assert cause["Error"] == "SomeFailure" and cause["Cause"] == "because"
    assert cause["Status"] == "FAILED" and cause["RedriveStatus"] == "REDRIVABLE"
    assert "Output" not in cause and "RedriveStatusReason" not in cause


def test_start_response_and_service_errors() -> None:
    response = start_response(record("RUNNING"), "rid-1", START)
    assert response["StartDate"] == 1704067200000
    headers = response["SdkHttpMetadata"]["HttpHeaders"]
    assert headers["Date"] == "Mon, 01 Jan 2024 00:00:00 GMT"
    assert headers["x-amzn-RequestId"] == "rid-1"
    assert response["SdkResponseMetadata"] == {"RequestId": "rid-1"}
    error, cause = sdk_error("StateMachineDoesNotExist", "State Machine Does Not Exist: 'x'", "r")
    assert error == "StepFunctions.StateMachineDoesNotExistException"
    assert cause == (
        "State Machine Does Not Exist: 'x' (Service: AWSStepFunctions; Status Code: 400; "
        "Error Code: StateMachineDoesNotExist; Request ID: r; Proxy: null)"
    )
    assert child_name("p", "k1") == child_name("p", "k1") != child_name("p", "k2")


async def _until(check: Any, seconds: float = 10.0) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        value = check()
        if value:
            return value
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def _details(event: dict[str, Any], key: str) -> Any:
    value = event[key]["parameters"]
    return json.loads(value) if isinstance(value, str) else value


def test_a_child_that_ended_without_telling_its_parent_reaches_it_at_start_up(
    database_url: str,
) -> None:
    url = database_url
    handlers = {CALLBACK: lambda event: {}}
    found: dict[str, str] = {}

    async def first() -> None:
        ex = Executions(Database(url), VirtualClock(START), handlers)
        await ex.open()
        try:
            svc = Services(ex.db, ex, ACCOUNT, REGION)
            caller = Caller(REGION, ACCOUNT)
            child_definition = {
                "StartAt": "Wait",
                "States": {
                    "Wait": {
                        "Type": "Task",
                        "Resource": CALLBACK,
                        "Parameters": {
                            "QueueUrl": "q",
                            "MessageBody": {"token.$": "$$.Task.Token"},
                        },
                        "End": True,
                    }
                },
            }
            child = state_machines.create_state_machine(
                svc,
                caller,
                {"name": "Child", "definition": json.dumps(child_definition), "roleArn": ROLE},
            )["stateMachineArn"]
            parent_definition = {
                "StartAt": "Run",
                "States": {
                    "Run": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::states:startExecution.sync:2",
                        "Parameters": {"StateMachineArn": child, "Name": "kid"},
                        "End": True,
                    }
                },
            }
            parent = state_machines.create_state_machine(
                svc,
                caller,
                {"name": "Parent", "definition": json.dumps(parent_definition), "roleArn": ROLE},
            )["stateMachineArn"]
            run = (await sfn_executions.start_execution(svc, caller, {"stateMachineArn": parent}))[
                "executionArn"
            ]
            kid = child.replace(":stateMachine:", ":execution:") + ":kid"
            await _until(lambda: any(e["type"] == "TaskSubmitted" for e in ex.history(run)))
            scheduled = await _until(
                lambda: [e for e in ex.history(kid) if e["type"] == "TaskScheduled"]
            )
            token = _details(scheduled[0], "taskScheduledEventDetails")["MessageBody"]["token"]
            # The child ends in a process that does not tell the parent: the rows a crash
            # between the child's last step and the parent's request leaves behind.
            ex._runner.nested = None
            await ex.send_task_success(token, '{"v": 1}')
            assert (await ex.wait_finished(kid, timeout=5)).status == "SUCCEEDED"
            await asyncio.sleep(0.1)
            current = ex.get(run)
            assert current is not None and current.status == "RUNNING"
            found.update(run=run, kid=kid)
        finally:
            await ex.close()
            ex.db.dispose()

    async def second() -> None:
        ex = Executions(Database(url), VirtualClock(START), handlers)
        await ex.open()
        try:
            done = await ex.wait_finished(found["run"], timeout=10)
            assert done.status == "SUCCEEDED"
            assert done.output is not None
            output = json.loads(done.output)
            assert output["ExecutionArn"] == found["kid"]
            assert output["Output"] == {"v": 1}
            types = [e["type"] for e in ex.history(found["run"])]
            assert types.count("TaskSubmitted") == 1
            assert types[-2:] == ["TaskStateExited", "ExecutionSucceeded"]
        finally:
            await ex.close()
            ex.db.dispose()

    asyncio.run(first())
    asyncio.run(second())


def test_a_local_handler_registered_for_the_resource_answers_instead(sqlite_url: str) -> None:
    resource = "arn:aws:states:::states:startExecution.sync"

    async def main() -> None:
        ex = Executions(
            Database(sqlite_url), VirtualClock(START), {resource: lambda e: {"mine": e}}
        )
        await ex.open()
        try:
            svc = Services(ex.db, ex, ACCOUNT, REGION)
            caller = Caller(REGION, ACCOUNT)
            definition = {
                "StartAt": "Run",
                "States": {
                    "Run": {
                        "Type": "Task",
                        "Resource": resource,
                        "Parameters": {"StateMachineArn": CHILD},
                        "End": True,
                    }
                },
            }
            parent = state_machines.create_state_machine(
                svc, caller, {"name": "P", "definition": json.dumps(definition), "roleArn": ROLE}
            )["stateMachineArn"]
            run = (await sfn_executions.start_execution(svc, caller, {"stateMachineArn": parent}))[
                "executionArn"
            ]
            done = await ex.wait_finished(run, timeout=5)
            assert done.status == "SUCCEEDED"
            assert json.loads(done.output or "") == {"mine": {"StateMachineArn": CHILD}}
        finally:
            await ex.close()
            ex.db.dispose()

    asyncio.run(main())
