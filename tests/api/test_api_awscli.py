"""A representative set of operations through the AWS CLI (``python -m awscli``) with
``--endpoint-url``, as users drive Step Functions Local."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from serving import ROLE, Server, pass_machine, unique


def aws(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")
    return subprocess.run(
        [sys.executable, "-m", "awscli", "stepfunctions", *args, "--endpoint-url", server.endpoint,
         "--output", "json"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )


def ok(server: Server, *args: str) -> Any:
    done = aws(server, *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else None


def test_cli_lifecycle(server: Server) -> None:
    name = unique("cli")
    created = ok(server, "create-state-machine", "--name", name, "--definition", pass_machine({"hi": 1}),
                 "--role-arn", ROLE, "--publish")
    arn = created["stateMachineArn"]
    assert created["stateMachineVersionArn"] == f"{arn}:1"
    assert isinstance(created["creationDate"], float)  # CLI v1 prints the wire value: epoch seconds
    assert ok(server, "describe-state-machine", "--state-machine-arn", arn)["name"] == name
    started = ok(server, "start-execution", "--state-machine-arn", arn, "--name", "first", "--input", '{"a":1}')
    assert started["executionArn"].endswith(f":execution:{name}:first")
    described = ok(server, "describe-execution", "--execution-arn", started["executionArn"])
    assert described["name"] == "first"
    history = ok(server, "get-execution-history", "--execution-arn", started["executionArn"])
    assert history["events"][0]["type"] == "ExecutionStarted"
    listed = ok(server, "list-executions", "--state-machine-arn", arn)
    assert [e["name"] for e in listed["executions"]] == ["first"]
    ok(server, "tag-resource", "--resource-arn", arn, "--tags", "key=team,value=core")
    assert ok(server, "list-tags-for-resource", "--resource-arn", arn)["tags"] == [{"key": "team", "value": "core"}]
    versions = ok(server, "list-state-machine-versions", "--state-machine-arn", arn)
    assert [v["stateMachineVersionArn"] for v in versions["stateMachineVersions"]] == [f"{arn}:1"]
    validated = ok(server, "validate-state-machine-definition", "--definition", '{"StartAt": "A"}')
    assert validated["result"] == "FAIL"
    ok(server, "delete-state-machine", "--state-machine-arn", arn)


def test_cli_pagination_follows_next_tokens(server: Server) -> None:
    arn = ok(server, "create-state-machine", "--name", unique("clipage"), "--definition", pass_machine(),
             "--role-arn", ROLE)["stateMachineArn"]
    for _ in range(5):
        ok(server, "start-execution", "--state-machine-arn", arn)
    # --page-size makes the CLI fetch several pages and join them.
    listed = ok(server, "list-executions", "--state-machine-arn", arn, "--page-size", "2")
    assert len(listed["executions"]) == 5


def test_cli_errors(server: Server) -> None:
    missing = "arn:aws:states:us-east-1:123456789012:stateMachine:nowhere"
    done = aws(server, "describe-state-machine", "--state-machine-arn", missing)
    assert done.returncode != 0
    assert (
        "An error occurred (StateMachineDoesNotExist) when calling the DescribeStateMachine operation: "
        f"State Machine Does Not Exist: '{missing}'"
    ) in done.stderr
    done = aws(server, "create-state-machine", "--name", "bad name", "--definition", pass_machine(),
               "--role-arn", ROLE)
    assert "An error occurred (InvalidName) when calling the CreateStateMachine operation: Invalid Name: 'bad name'" in done.stderr
    done = aws(server, "list-executions", "--state-machine-arn", missing, "--status-filter", "RUNNING")
    assert "(StateMachineDoesNotExist)" in done.stderr
