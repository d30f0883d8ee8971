"""Every shared benchmark workload runs correctly through ``stepline run``."""

from __future__ import annotations

import json

import pytest

from api.cli import main
from conformance.bench import DEFAULT_DIR, check

WORKLOADS = sorted(p.name[: -len(".asl.json")] for p in DEFAULT_DIR.glob("*.asl.json"))


@pytest.mark.skipif(not WORKLOADS, reason="the shared workloads are not beside this checkout")
@pytest.mark.parametrize("name", WORKLOADS)
def test_workload_runs_through_the_cli(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    meta = json.loads((DEFAULT_DIR / f"{name}.meta.json").read_text())
    input_file = DEFAULT_DIR / meta.get("input_file", f"{name}.input.json")
    code = main(["run", str(DEFAULT_DIR / f"{name}.asl.json"), "--input-file", str(input_file), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0, (out["error"], out["cause"])
    assert out["status"] == "SUCCEEDED"
    assert check(meta["expect"], out["output"]) is None
    history = out["history"]
    assert history[0]["type"] == "ExecutionStarted" and history[-1]["type"] == "ExecutionSucceeded"
    assert len(history) < 25_000
    assert [e["id"] for e in history] == list(range(1, len(history) + 1))

