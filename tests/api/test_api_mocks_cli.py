"""``stepline run --mock-config FILE --test-case NAME``: AWS's documentation example, unchanged
(https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from api.cli import main

FILES = Path(__file__).resolve().parents[1] / "emulator" / "mock_files"
CONFIG = FILES / "MockConfigFile.json"
DEFINITION = FILES / "LambdaSQSIntegration.json"
SQS = "arn:aws:states:::sqs:sendMessage"


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["run", str(DEFINITION), "--input", '{"hello": "world"}', "--json", *args])
    return code, json.loads(capsys.readouterr().out)


def test_happy_path_runs_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_json(capsys, "--mock-config", str(CONFIG), "--test-case", "HappyPath")
    assert (code, out["status"]) == (0, "SUCCEEDED")
    assert out["output"]["MessageId"] == "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"


def test_retry_path_retries_through_the_mocked_failures(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_json(capsys, "--mock-config", str(CONFIG), "--test-case", "RetryPath")
    assert (code, out["status"]) == (0, "SUCCEEDED")
    errors = [e["taskFailedEventDetails"]["error"] for e in out["history"] if e["type"] == "TaskFailed"]
    assert errors == ["Lambda.ResourceNotReadyException", "Lambda.TimeoutException", "Lambda.TimeoutException"]


def test_hybrid_path_calls_the_handler_of_the_unlisted_state(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_json(
        capsys,
        "--mock-config", str(CONFIG),
        "--test-case", "HybridPath",
        "--handler", f"{SQS}=server_handlers:echo",
    )  # fmt: skip
    assert (code, out["status"]) == (0, "SUCCEEDED")
    # The echo handler returns the SQS parameters, whose body is the mocked Lambda response.
    assert out["output"]["MessageBody"]["Payload"]["body"] == "Hello from Lambda!"


def test_the_mock_file_is_found_through_sfn_mock_config(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SFN_MOCK_CONFIG", str(CONFIG))
    code, out = run_json(capsys, "--test-case", "HappyPath")
    assert (code, out["status"]) == (0, "SUCCEEDED")


def test_the_state_machine_name_chooses_the_entry(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    renamed = tmp_path / "other.json"
    renamed.write_text(DEFINITION.read_text())
    code = main(["run", str(renamed), "--mock-config", str(CONFIG), "--test-case", "HappyPath"])
    assert code == 2
    assert "no test case 'HappyPath' for the state machine 'other'" in capsys.readouterr().err
    code = main(
        [
            "run", str(renamed), "--json",
            "--mock-config", str(CONFIG), "--test-case", "HappyPath",
            "--state-machine-name", "LambdaSQSIntegration",
        ]
    )  # fmt: skip
    assert code == 0
    assert json.loads(capsys.readouterr().out)["status"] == "SUCCEEDED"


def test_bad_usage_exits_2_with_a_clear_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SFN_MOCK_CONFIG", raising=False)
    monkeypatch.delenv("LOCALSTACK_SFN_MOCK_CONFIG", raising=False)
    assert main(["run", str(DEFINITION), "--test-case", "HappyPath"]) == 2
    assert "--test-case needs a mock file" in capsys.readouterr().err
    assert main(["run", str(DEFINITION), "--mock-config", str(CONFIG)]) == 2
    assert "needs --test-case" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text('{"MockedResponses": {"R": {"first": {"Return": 1}}}}')
    assert main(["run", str(DEFINITION), "--mock-config", str(bad), "--test-case", "C"]) == 2
    assert "'first' is not an invocation number" in capsys.readouterr().err


def test_serve_refuses_an_invalid_mock_file_at_start_up(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "MockConfigFile.json"
    bad.write_text('{"StateMachines": {"M": {"TestCases": {"C": {"S": "Nowhere"}}}}}')
    assert main(["serve", "--port", "0", "--mock-config", str(bad)]) == 2
    assert "'Nowhere' is not a name in MockedResponses" in capsys.readouterr().err
    # The file Step Functions Local would find by itself is checked the same way.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SFN_MOCK_CONFIG", raising=False)
    monkeypatch.delenv("LOCALSTACK_SFN_MOCK_CONFIG", raising=False)
    assert main(["serve", "--port", "0"]) == 2
    assert "Nowhere" in capsys.readouterr().err
