"""A ``.sync`` parent survives a server restart (a clean stop, or kill -9): the child's end
reaches it after the restart, and the start is not repeated (one child, one TaskSubmitted)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from serving import ROLE, callback_machine, client, start_server, stop_server, unique


def _events(sfn: Any, arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = sfn.get_execution_history(executionArn=arn, maxResults=1000)[
        "events"
    ]
    return events


def _until(check: Any, seconds: float = 20.0) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.parametrize("stop", ["terminate", "kill"])
def test_a_sync_parent_gets_its_childs_end_after_a_restart(tmp_path: Path, stop: str) -> None:
    db = tmp_path / "stepline.db"
    first = start_server(db)
    try:
        sfn = client(first.endpoint)
        waiting = sfn.create_state_machine(
            name=unique("child"), definition=callback_machine(), roleArn=ROLE
        )["stateMachineArn"]
        parent_definition = {
            "StartAt": "Run child",
            "States": {
                "Run child": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::states:startExecution.sync:2",
                    "Parameters": {"StateMachineArn": waiting, "Input": {"n": 1}},
                    "End": True,
                }
            },
        }
        parent = sfn.create_state_machine(
            name=unique("parent"), definition=json.dumps(parent_definition), roleArn=ROLE
        )["stateMachineArn"]
        run = sfn.start_execution(stateMachineArn=parent)["executionArn"]
        _until(lambda: [e for e in _events(sfn, run) if e["type"] == "TaskSubmitted"])
        children = sfn.list_executions(stateMachineArn=waiting)["executions"]
        assert len(children) == 1
        child = children[0]["executionArn"]
        scheduled = _until(
            lambda: [e for e in _events(sfn, child) if e["type"] == "TaskScheduled"]
        )[0]
    finally:
        if stop == "kill":
            first.process.kill()
            first.process.wait()
        stop_server(first)
    token = json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["MessageBody"]["token"]
    second = start_server(db)
    try:
        sfn = client(second.endpoint)
        assert sfn.describe_execution(executionArn=run)["status"] == "RUNNING"
        sfn.send_task_success(taskToken=token, output='{"answer": 42}')
        described = _until(
            lambda: (d := sfn.describe_execution(executionArn=run))["status"] != "RUNNING" and d
        )
        assert described["status"] == "SUCCEEDED", described
        output = json.loads(described["output"])
        assert output["ExecutionArn"] == child
        assert output["Output"] == {"answer": 42}
        assert output["Input"] == {"n": 1}
        types = [e["type"] for e in _events(sfn, run)]
        assert types.count("TaskSubmitted") == 1
        assert types[-3:] == ["TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]
        assert len(sfn.list_executions(stateMachineArn=waiting)["executions"]) == 1
    finally:
        stop_server(second)
