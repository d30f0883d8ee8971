"""``stepline run`` and ``stepline validate`` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "conformance" / "examples" / "greeting.asl.json"
GREET = "arn:aws:lambda:us-east-1:123456789012:function:Greet"


def write(tmp_path: Path, definition: object) -> str:
    path = tmp_path / "machine.asl.json"
    path.write_text(json.dumps(definition))
    return str(path)


def test_run_json_succeeds_with_a_handler(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "run",
            str(EXAMPLE),
            "--input",
            '{"name": "Ada"}',
            "--handler",
            f"{GREET}=conformance.examples.handlers:greet",
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["status"] == "SUCCEEDED"
    assert out["output"]["delivery"] == {"delivered": True, "text": "Hello, Ada!"}
    assert out["error"] is None
    assert out["history"][0]["type"] == "ExecutionStarted"
    assert out["history"][-1]["type"] == "ExecutionSucceeded"
    assert [e["id"] for e in out["history"]] == list(range(1, len(out["history"]) + 1))


def test_run_without_handler_fails_with_exit_1_and_no_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["run", str(EXAMPLE), "--input", '{"name": "Ada"}'])
    captured = capsys.readouterr()
    assert code == 1
    assert "status: FAILED" in captured.out
    assert "Lambda.ResourceNotFoundException" in captured.out
    assert "Traceback" not in captured.out + captured.err
    assert "LambdaFunctionFailed" in captured.out


def test_invalid_definition_exits_2_with_diagnostics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}})
    assert main(["run", path]) == 2
    err = capsys.readouterr().err
    assert "MISSING_TRANSITION_TARGET" in err
    assert "/States/A/Next" in err


def test_bad_input_json_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    assert main(["run", path, "--input", "{nope"]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_input_file_and_failed_execution(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path, {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "C"}}}
    )
    data = tmp_path / "in.json"
    data.write_text('{"a": 1}')
    assert main(["run", path, "--input-file", str(data), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert (out["status"], out["output"], out["error"], out["cause"]) == ("FAILED", None, "E", "C")


def test_validate_reports_ok_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    assert main(["validate", good]) == 0
    assert "OK" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text('{"StartAt": "A", "States": {"A": {"Type": "Pass"}}}')
    assert main(["validate", str(bad)]) == 1
    assert "ERROR" in capsys.readouterr().out


def test_console_script_runs_as_a_process(tmp_path: Path) -> None:
    path = write(tmp_path, {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    proc = subprocess.run(
        [sys.executable, "-m", "api.cli", "run", path, "--input", "[1]", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["output"] == [1]


def test_execution_started_keeps_the_input_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # AWS's history examples show the caller's text, whitespace included.
    path = write(tmp_path, {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    assert main(["run", path, "--input", '{"a":  1}', "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["history"][0]["executionStartedEventDetails"]["input"] == '{"a":  1}'
    assert out["history"][1]["stateEnteredEventDetails"]["input"] == '{"a":1}'


def test_a_closed_output_pipe_ends_quietly(tmp_path: Path) -> None:
    """`stepline run … | head -1`: the reader leaves early; no traceback, exit code 1."""
    states = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(2000)}
    states["S2000"] = {"Type": "Succeed"}
    path = tmp_path / "long.asl.json"
    path.write_text(json.dumps({"StartAt": "S0", "States": states}))
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "run", str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().startswith(b"status: SUCCEEDED")
    process.stdout.close()  # the history table (4,000+ lines) no longer fits in the pipe
    errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == 1
    assert "Traceback" not in errors
