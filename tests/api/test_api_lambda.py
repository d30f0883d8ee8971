"""Lambda functions answered by handlers registered by function name: end to end through
``stepline run`` (a process) and ``stepline serve`` with boto3.  The handlers below are what
the processes import (``test_api_lambda:shout``)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serving import ROLE, ROOT, Server, client, start_server, stop_server, unique

HERE = Path(__file__).resolve().parent
INVOKE = "arn:aws:states:::lambda:invoke"


def shout(event: Any) -> Any:
    return {"said": str(event["text"]).upper()}


def refuse(event: Any) -> Any:
    raise PermissionError(f"no {event['text']}")


def definition() -> dict[str, Any]:
    """The same function reached by its ARN resource and through lambda:invoke by name."""
    return {
        "StartAt": "Direct",
        "States": {
            "Direct": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Shout",
                "ResultPath": "$.direct",
                "Next": "Integrated",
            },
            "Integrated": {
                "Type": "Task",
                "Resource": INVOKE,
                "Parameters": {"FunctionName": "Shout", "Payload": {"text.$": "$.direct.said"}},
                "Next": "Refused",
            },
            "Refused": {
                "Type": "Task",
                "Resource": INVOKE,
                "Parameters": {"FunctionName": "Refuse:prod", "Payload": {"text": "way"}},
                "Catch": [{"ErrorEquals": ["PermissionError"], "ResultPath": "$.error", "Next": "Done"}],
                "ResultPath": None,
                "Next": "Done",
            },
            "Done": {"Type": "Pass", "End": True},
        },
    }


def check_output(output: dict[str, Any]) -> None:
    assert output["Payload"] == {"said": "HELLO"}
    assert (output["StatusCode"], output["ExecutedVersion"]) == (200, "$LATEST")
    assert output["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert output["SdkResponseMetadata"]["RequestId"]
    assert output["error"]["Error"] == "PermissionError"
    cause = json.loads(output["error"]["Cause"])
    assert (cause["errorType"], cause["errorMessage"]) == ("PermissionError", "no way")


def test_stepline_run_answers_functions_registered_by_name(tmp_path: Path) -> None:
    path = tmp_path / "machine.json"
    path.write_text(json.dumps(definition()), encoding="utf-8")
    proc = subprocess.run(
        [
            sys.executable, "-m", "api.cli", "run", str(path), "--json",
            "--input", '{"text": "hello"}',
            "--handler", "Shout=test_api_lambda:shout",
            "--handler", "arn:aws:lambda:us-east-1:123456789012:function:Refuse=test_api_lambda:refuse",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT}:{HERE}", "PATH": ""},
        check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["status"] == "SUCCEEDED"
    check_output(out["output"])


def test_stepline_run_unknown_function_fails_as_aws_does(tmp_path: Path) -> None:
    path = tmp_path / "machine.json"
    path.write_text(json.dumps(definition()), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "api.cli", "run", str(path), "--json", "--input", '{"text": "x"}'],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["status"], out["error"]) == ("FAILED", "Lambda.ResourceNotFoundException")
    assert out["cause"].startswith(
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:Shout (Service: AWSLambda;"
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db = tmp_path_factory.mktemp("lambda") / "stepline.db"
    running = start_server(
        db,
        "--handler", "Shout=test_api_lambda:shout",
        "--handler", "Refuse=test_api_lambda:refuse",
    )  # fmt: skip
    try:
        yield running
    finally:
        stop_server(running)


def finished(sfn: Any, arn: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return described
        time.sleep(0.05)


def test_serve_answers_functions_registered_by_name(server: Server) -> None:
    sfn = client(server.endpoint)
    machine = sfn.create_state_machine(name=unique("lambda"), definition=json.dumps(definition()), roleArn=ROLE)
    started = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input='{"text": "hello"}')
    described = finished(sfn, started["executionArn"])
    assert described["status"] == "SUCCEEDED", described
    check_output(json.loads(described["output"]))
    events = sfn.get_execution_history(executionArn=started["executionArn"])["events"]
    types = [e["type"] for e in events]
    assert types.count("LambdaFunctionSucceeded") == 1 and types.count("TaskSucceeded") == 1
    failed = next(e for e in events if e["type"] == "TaskFailed")["taskFailedEventDetails"]
    assert (failed["error"], failed["resourceType"], failed["resource"]) == ("PermissionError", "lambda", "invoke")
