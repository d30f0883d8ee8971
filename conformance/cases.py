"""Loading conformance case files: ``cases/<feature>/<topic>.json``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CASES_DIR = Path(__file__).parent / "cases"


@dataclass(frozen=True)
class Case:
    feature: str
    file: str
    name: str
    raw: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.raw.get("kind", "execution"))

    @property
    def id(self) -> str:
        return f"{self.feature}/{Path(self.file).stem}/{self.name}"


def load_cases(root: Path = CASES_DIR, feature: str | None = None) -> list[Case]:
    cases: list[Case] = []
    for path in sorted(root.glob("*/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        name = data.get("feature", path.parent.name)
        if feature is not None and name != feature and path.parent.name != feature:
            continue
        for raw in data["cases"]:
            cases.append(Case(name, str(path.relative_to(root)), raw["name"], raw))
    return cases
