"""``stepline compile`` as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import asl
from api.cli import main

PIPELINE = """
name: summarize-article
version: 1
input: {schema: {article_url: {type: string, required: true}}}
steps:
  - id: summarize
    model: stepline-local
    prompt: "Summarize {{input.article_url}}"
    output_format: markdown
output: {from: summarize}
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_compile_prints_valid_asl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["compile", write(tmp_path, "p.yaml", PIPELINE)])
    captured = capsys.readouterr()
    assert code == 0 and captured.err == ""
    definition = json.loads(captured.out)
    assert "\n  " in captured.out  # indented for reading
    assert asl.validate(definition) == []
    assert definition["States"]["summarize"]["Resource"] == "arn:aws:states:::stepline:llm.invoke"


def test_compile_json_file_and_json_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml  # type: ignore[import-untyped]

    path = write(tmp_path, "p.json", json.dumps(yaml.safe_load(PIPELINE)))
    assert main(["compile", path, "--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert json.loads(out)["StartAt"] == "Prepare"


def test_invalid_pipeline_reports_fields_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = PIPELINE.replace("id: summarize", "id: Summarize")
    code = main(["compile", write(tmp_path, "bad.yaml", bad)])
    captured = capsys.readouterr()
    assert code == 1 and captured.out == ""
    assert captured.err.splitlines() == [
        "ERROR at steps[0].id: must be lowercase letters, digits and underscores (^[a-z0-9_]+$)"
    ]
    code = main(["compile", write(tmp_path, "bad.yaml", bad), "--json"])
    error = json.loads(capsys.readouterr().err)
    assert code == 1
    assert error["issues"][0] == {
        "field": "steps[0].id",
        "message": "must be lowercase letters, digits and underscores (^[a-z0-9_]+$)",
    }


def test_missing_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compile", str(tmp_path / "none.yaml")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_the_installed_command(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", PIPELINE)
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "compile", path], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["QueryLanguage"] == "JSONata"
