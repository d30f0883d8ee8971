"""``stepline run --machine``: states:startExecution children run in-process, with the
results and history ``stepline serve`` gives for the same machines (both are run here and
compared, dates and request ids aside)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from serving import ROLE, unique

from api.cli import main

START = "arn:aws:states:::states:startExecution"
CHILD = {
    "StartAt": "P",
    "States": {"P": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": True}},
}
FAILING = {
    "StartAt": "Fail",
    "States": {
        "Fail": {
            "Type": "Fail",
            "Error": "SomeFailure",
            "Cause": "This state machines raises a 'SomeFailure' failure.",
        }
    },
}
VARYING = {"Date", "x-amzn-RequestId", "RequestId", "Content-Length", "StartDate", "StopDate"}


def _mask(value: Any) -> Any:
    """Dates, request ids and lengths (which follow the dates) replaced by '*'."""
    if isinstance(value, dict):
        return {k: "*" if k in VARYING else _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


def _parent(resource: str, parameters: dict[str, Any]) -> dict[str, Any]:
    return {
        "StartAt": "StartExecution",
        "States": {
            "StartExecution": {
                "Type": "Task",
                "Resource": resource,
                "Parameters": parameters,
                "End": True,
            }
        },
    }


def _on_server(sfn: Any, parent: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    machine = sfn.create_state_machine(
        name=unique("parent"), definition=json.dumps(parent), roleArn=ROLE
    )["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    deadline = time.monotonic() + 20
    while (described := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    return described, events


def _locally(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    parent: dict[str, Any],
    machines: dict[str, Any],
) -> tuple[int, dict[str, Any]]:
    parent_file = tmp_path / "parent.asl.json"
    parent_file.write_text(json.dumps(parent))
    args = ["run", str(parent_file), "--json"]
    for index, (arn, definition) in enumerate(machines.items()):
        child_file = tmp_path / f"child{index}.asl.json"
        child_file.write_text(json.dumps(definition))
        args += ["--machine", f"{arn}={child_file}"]
    code = main(args)
    return code, json.loads(capsys.readouterr().out)


def _details(event: dict[str, Any]) -> tuple[str, Any]:
    key = next((k for k in event if k.endswith("EventDetails")), None)
    detail = dict(event[key]) if key else {}
    for field in ("output", "cause"):
        if field in detail and detail[field].startswith("{"):
            detail[field] = _mask(json.loads(detail[field]))
    if key and key.startswith("execution"):
        detail = {k: v for k, v in detail.items() if k in ("error",)}  # input/role differ
    return event["type"], detail


@pytest.fixture(scope="module")
def children(sfn: Any) -> dict[str, str]:
    made = {}
    for label, definition in (("child", CHILD), ("failing", FAILING)):
        made[label] = sfn.create_state_machine(
            name=unique(label), definition=json.dumps(definition), roleArn=ROLE
        )["stateMachineArn"]
    return made


@pytest.mark.parametrize("suffix", ["", ".sync", ".sync:2"])
def test_run_gives_the_servers_results(
    sfn: Any,
    children: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    suffix: str,
) -> None:
    child = children["child"]
    name = unique("kid")
    parent = _parent(
        START + suffix, {"StateMachineArn": child, "Input": {"Hello": "World"}, "Name": name}
    )
    served, served_events = _on_server(sfn, parent)
    # The same child name again in the local run: its execution ARN is the same.
    code, local = _locally(tmp_path, capsys, parent, {child: CHILD})
    assert served["status"] == "SUCCEEDED"
    assert (code, local["status"]) == (0, "SUCCEEDED")
    served_output = json.loads(served["output"])
    assert list(local["output"]) == list(served_output)  # same fields, same order
    assert _mask(local["output"]) == _mask(served_output)
    assert (
        local["output"]["ExecutionArn"]
        == child.replace(":stateMachine:", ":execution:") + f":{name}"
    )
    if suffix:
        assert local["output"]["Output"] == (
            '{"Arg1":"argument1"}' if suffix == ".sync" else {"Arg1": "argument1"}
        )
    assert [_details(e) for e in local["history"]] == [_details(e) for e in served_events]
    assert [e["previousEventId"] for e in local["history"]] == [
        e["previousEventId"] for e in served_events
    ]


def test_a_failing_child_fails_the_task_as_on_the_server(
    sfn: Any, children: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    failing = children["failing"]
    parent = _parent(START + ".sync", {"StateMachineArn": failing, "Name": unique("kid")})
    served, served_events = _on_server(sfn, parent)
    code, local = _locally(tmp_path, capsys, parent, {failing: FAILING})
    assert served["status"] == "FAILED"
    assert (code, local["status"]) == (1, "FAILED")
    assert local["error"] == served["error"] == "States.TaskFailed"
    cause = json.loads(local["cause"])
    assert list(cause) == list(json.loads(served["cause"]))
    assert _mask(cause) == _mask(json.loads(served["cause"]))
    assert (cause["Status"], cause["Error"]) == ("FAILED", "SomeFailure")
    assert [_details(e) for e in local["history"]] == [_details(e) for e in served_events]


def test_an_unknown_machine_fails_as_on_the_server(
    sfn: Any, children: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = children["child"].rsplit(":", 1)[0] + ":" + unique("nobody")
    parent = _parent(START + ".sync", {"StateMachineArn": missing})
    served, _ = _on_server(sfn, parent)
    code, local = _locally(tmp_path, capsys, parent, {children["child"]: CHILD})
    assert code == 1
    assert local["error"] == served["error"] == "StepFunctions.StateMachineDoesNotExistException"
    before, _, _ = served["cause"].partition("Request ID: ")
    assert local["cause"].startswith(before)
    assert local["cause"].startswith(
        f"State Machine Does Not Exist: '{missing}' (Service: AWSStepFunctions"
    )


def test_machines_from_the_config_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "machines").mkdir()
    (tmp_path / "machines" / "child.asl.json").write_text(json.dumps(CHILD))
    config = tmp_path / "stepline.toml"
    config.write_text('[machines]\nChild = "machines/child.asl.json"\n')
    parent = tmp_path / "parent.asl.json"
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:Child"
    parent.write_text(json.dumps(_parent(START + ".sync:2", {"StateMachineArn": arn})))
    assert main(["run", str(parent), "--json", "--config", str(config)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["output"]["Output"] == {"Arg1": "argument1"}
    assert out["output"]["StateMachineArn"] == arn


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("Child", "--machine expects ARN_OR_NAME=FILE, got 'Child'"),
        ("Child=absent.json", "cannot read absent.json"),
        ("Child={bad}", "the definition of the machine 'Child' ({bad}) is invalid: "),
    ],
)
def test_bad_machine_options_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spec: str, message: str
) -> None:
    bad = tmp_path / "bad.asl.json"
    bad.write_text('{"StartAt": "Nowhere", "States": {}}')
    parent = tmp_path / "parent.asl.json"
    parent.write_text(json.dumps(_parent(START, {"StateMachineArn": "Child"})))
    code = main(["run", str(parent), "--machine", spec.format(bad=bad)])
    assert code == 2
    assert message.format(bad=bad) in capsys.readouterr().err
