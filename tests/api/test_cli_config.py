"""``--config FILE`` (and ``$STEPLINE_CONFIG``) of ``stepline run`` and ``stepline serve``:
handlers from a TOML file, reloaded when their module changes on disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from serving import ROLE, ROOT, client, start_server, stop_server, unique

from api.cli import main

GREET_ARN = "arn:aws:lambda:us-east-1:123456789012:function:Greet"


def _definition() -> dict[str, Any]:
    """The function by its ARN resource, then through lambda:invoke by name."""
    return {
        "StartAt": "Direct",
        "States": {
            "Direct": {
                "Type": "Task",
                "Resource": GREET_ARN,
                "ResultPath": "$.direct",
                "Next": "Invoke",
            },
            "Invoke": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "Greet", "Payload": {"name.$": "$.name"}},
                "OutputPath": "$.Payload",
                "End": True,
            },
        },
    }


def _project(tmp_path: Path, body: str) -> tuple[Path, Path, str]:
    """A handler module under tmp_path/src and a config file naming it: (config, module file,
    module name)."""
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    name = f"greet_{uuid.uuid4().hex[:10]}"
    module = src / f"{name}.py"
    module.write_text(body)
    config = tmp_path / "stepline.toml"
    config.write_text(f'python_path = ["src"]\n\n[handlers]\nGreet = "{name}:greet"\n')
    return config, module, name


def _edit(path: Path, body: str) -> None:
    before = path.stat().st_mtime_ns
    path.write_text(body)
    os.utime(path, ns=(before + 2_000_000_000, before + 2_000_000_000))


HELLO = "def greet(event):\n    return {'text': 'Hello, ' + event['name']}\n"
HOWDY = "def greet(event):\n    return {'text': 'Howdy, ' + event['name']}\n"


def test_run_uses_the_config_file(tmp_path: Path) -> None:
    config, _, _ = _project(tmp_path, HELLO)
    machine = tmp_path / "machine.asl.json"
    machine.write_text(json.dumps(_definition()))
    proc = subprocess.run(
        [sys.executable, "-m", "api.cli", "run", str(machine), "--json", "--config", str(config),
         "--input", '{"name": "Ada"}'],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["status"] == "SUCCEEDED"
    assert out["output"] == {"text": "Hello, Ada"}
    types = [e["type"] for e in out["history"]]
    assert "LambdaFunctionSucceeded" in types  # the ARN resource reached the function


def test_environment_default_and_handler_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config, _, _ = _project(tmp_path, HELLO)
    machine = tmp_path / "machine.asl.json"
    machine.write_text(json.dumps(_definition()))
    monkeypatch.setenv("STEPLINE_CONFIG", str(config))
    assert main(["run", str(machine), "--json", "--input", '{"name": "Bo"}']) == 0
    assert json.loads(capsys.readouterr().out)["output"] == {"text": "Hello, Bo"}
    # --handler wins over the file's entry for the same key.
    other = tmp_path / "src" / "shouting.py"
    other.write_text("def greet(event):\n    return {'text': event['name'].upper()}\n")
    code = main(
        [
            "run",
            str(machine),
            "--json",
            "--input",
            '{"name": "Bo"}',
            "--handler",
            "Greet=shouting:greet",
        ]
    )
    assert code == 0
    assert json.loads(capsys.readouterr().out)["output"] == {"text": "BO"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[handler]\nGreet = 'x:y'\n", "unknown key 'handler'"),
        (
            "[handlers]\nGreet = 'not-a-spec'\n",
            "handlers.Greet: handler must be written module:function",
        ),
        (
            "[handlers]\nGreet = 'missing_module_q:greet'\n",
            "cannot import module 'missing_module_q'",
        ),
    ],
)
@pytest.mark.parametrize("command", ["run", "serve"])
def test_bad_config_files_exit_2_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str, command: str
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(text)
    machine = tmp_path / "machine.asl.json"
    machine.write_text(json.dumps(_definition()))
    args = ["run", str(machine)] if command == "run" else ["serve", "--port", "0"]
    assert main([*args, "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"stepline: {config}")
    assert message in err


def test_a_missing_config_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    machine = tmp_path / "machine.asl.json"
    machine.write_text(json.dumps(_definition()))
    missing = tmp_path / "absent.toml"
    assert main(["run", str(machine), "--config", str(missing)]) == 2
    assert f"stepline: cannot read the configuration file {missing}" in capsys.readouterr().err


def test_serve_refuses_machines_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "machines.toml"
    config.write_text('[machines]\nChild = "child.asl.json"\n')
    assert main(["serve", "--port", "0", "--config", str(config)]) == 2
    assert "[machines] is for stepline run" in capsys.readouterr().err


def _run(sfn: Any, machine: str, name: str) -> dict[str, Any]:
    arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"name": name}))[
        "executionArn"
    ]
    deadline = time.monotonic() + 20
    while True:
        described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return described
        assert time.monotonic() < deadline, "the execution did not end"
        time.sleep(0.02)


def test_serve_reloads_an_edited_handler_module(tmp_path: Path) -> None:
    config, module, name = _project(tmp_path, HELLO)
    server = start_server(tmp_path / "stepline.db", "--config", str(config), handlers=False)
    try:
        sfn = client(server.endpoint)
        machine = sfn.create_state_machine(
            name=unique("greet"), definition=json.dumps(_definition()), roleArn=ROLE
        )["stateMachineArn"]
        first = _run(sfn, machine, "Ada")
        assert first["status"] == "SUCCEEDED", first
        assert json.loads(first["output"]) == {"text": "Hello, Ada"}

        _edit(module, HOWDY)
        second = _run(sfn, machine, "Ada")
        assert second["status"] == "SUCCEEDED", second
        assert json.loads(second["output"]) == {"text": "Howdy, Ada"}

        _edit(module, "def greet(event:\n    return None\n")
        broken = _run(sfn, machine, "Ada")
        assert broken["status"] == "FAILED"
        assert broken["error"] == "States.TaskFailed"
        assert broken["cause"].startswith(
            f"The handler {name}:greet could not be reloaded after its module changed ("
        )
        assert "SyntaxError" in broken["cause"]
        history = sfn.get_execution_history(executionArn=broken["executionArn"])["events"]
        failed = [e for e in history if e["type"] == "LambdaFunctionFailed"]
        assert (
            failed and failed[0]["lambdaFunctionFailedEventDetails"]["error"] == "States.TaskFailed"
        )

        _edit(module, HELLO)
        fixed = _run(sfn, machine, "Cy")
        assert fixed["status"] == "SUCCEEDED", fixed
        assert json.loads(fixed["output"]) == {"text": "Hello, Cy"}
    finally:
        stop_server(server)
