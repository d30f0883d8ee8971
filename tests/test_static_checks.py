"""The house rules that tools check: ruff on the whole tree, mypy --strict on the packages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_is_clean() -> None:
    proc = _run("ruff", "check", "asl", "emulator", "api", "conformance", "tests")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_strict_is_clean() -> None:
    proc = _run("mypy", "--strict", "asl", "emulator", "api")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_asl_imports_nothing_from_the_outer_layers() -> None:
    offenders = []
    for path in (ROOT / "asl").rglob("*.py"):
        for line in path.read_text().splitlines():
            stripped = line.strip()
            if stripped.startswith(("import emulator", "from emulator", "import api", "from api")):
                offenders.append(f"{path.relative_to(ROOT)}: {stripped}")
    assert not offenders
