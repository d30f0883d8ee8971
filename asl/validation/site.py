"""Where a check runs: the state being validated and what it may reach."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from asl.validation.graph import Scope
from asl.validation.report import Report

# Validates a nested set of states (a Parallel branch, an ItemProcessor or Iterator):
# (the object, its location, the fields it may carry).
Nested = Callable[[Mapping[str, Any], str, frozenset[str]], None]


@dataclass(slots=True)
class Site:
    report: Report
    name: str  # the state's name
    location: str  # the state's location, e.g. "/States/A"
    scope: Scope  # the set of states it belongs to
    jsonata: bool  # the state's effective query language is JSONata
    nested: Nested
    kind: str = ""  # the state's Type

    def transition(self, target: Any, location: str) -> None:
        """A Next-like field: must be a string; recorded for the transition checks."""
        if self.report.string(target, location):
            self.scope.edge(self.name, target, location)
