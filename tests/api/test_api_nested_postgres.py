"""Nested executions and redrive with the store on PostgreSQL (a fresh schema)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from serving import (
    ROLE,
    Server,
    client,
    pass_machine,
    postgres_schema_url,
    start_server,
    stop_server,
    unique,
    wait_done,
)


@pytest.fixture(scope="module")
def pg() -> Iterator[Any]:
    for url in postgres_schema_url():
        running: Server = start_server(url)
        try:
            yield client(running.endpoint)
        finally:
            stop_server(running)


def _machine(sfn: Any, definition: dict[str, Any] | str) -> str:
    text = definition if isinstance(definition, str) else json.dumps(definition)
    arn: str = sfn.create_state_machine(name=unique("pg"), definition=text, roleArn=ROLE)[
        "stateMachineArn"
    ]
    return arn


def test_sync_child_and_redrive_on_postgres(pg: Any) -> None:
    child = _machine(pg, pass_machine({"Arg1": "argument1"}))
    parent = _machine(
        pg,
        {
            "StartAt": "Run",
            "States": {
                "Run": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::states:startExecution.sync:2",
                    "Parameters": {"StateMachineArn": child, "Input": {"x": 1}},
                    "Next": "Check",
                },
                "Check": {
                    "Type": "Choice",
                    "Choices": [
                        {"Variable": "$.Output.Arg1", "StringEquals": "argument1", "Next": "Fail"}
                    ],
                    "Default": "Fail",
                },
                "Fail": {"Type": "Fail", "Error": "Done.Here", "Cause": "to redrive"},
            },
        },
    )
    run = pg.start_execution(stateMachineArn=parent)["executionArn"]
    failed = wait_done(pg, run)
    assert (failed["status"], failed["error"]) == ("FAILED", "Done.Here")
    assert failed["redriveStatus"] == "REDRIVABLE"
    children = pg.list_executions(stateMachineArn=child)["executions"]
    assert len(children) == 1 and children[0]["status"] == "SUCCEEDED"
    pg.redrive_execution(executionArn=run)
    again = wait_done(pg, run)
    assert (again["status"], again["redriveCount"]) == ("FAILED", 1)
    types = [e["type"] for e in pg.get_execution_history(executionArn=run)["events"]]
    assert types.count("TaskSubmitted") == 1  # the Task that succeeded is not run again
    assert types[-3:] == ["ExecutionRedriven", "FailStateEntered", "ExecutionFailed"]
    assert len(pg.list_executions(stateMachineArn=child)["executions"]) == 1
