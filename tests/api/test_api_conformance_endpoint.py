"""``python -m conformance --endpoint URL`` runs the API cases against a running server."""

from __future__ import annotations

import os
import subprocess
import sys

from serving import ROOT, Server


def test_api_cases_against_a_running_server(server: Server) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "--feature", "api", "--endpoint", server.endpoint],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    last = done.stdout.strip().splitlines()[-1]
    passed, failed = last.split(", ")
    assert failed == "0 failed" and int(passed.split()[0]) >= 30
