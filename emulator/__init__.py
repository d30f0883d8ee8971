"""The emulator: runs ASL executions against time, storage and task integrations."""

from __future__ import annotations

from emulator.driver import ExecutionResult, run_local
from emulator.handlers import Delayed, TaskFailure

__all__ = ["Delayed", "ExecutionResult", "TaskFailure", "run_local"]
