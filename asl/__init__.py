"""The Amazon States Language: load, validate and interpret state machine definitions.

    machine = asl.load(definition)                      # or asl.InvalidDefinition
    step = asl.start(machine, input, info, now, seed)   # cursor, effects, events
    step = asl.resume(machine, step.cursor, outcome, now)
"""

from __future__ import annotations

from asl.context import ExecutionInfo
from asl.effects import (
    AwaitCallback,
    CallbackFailed,
    CallbackSucceeded,
    CancelTimer,
    Effect,
    FinishExecution,
    InvokeTask,
    Outcome,
    StartTimer,
    StopRequested,
    TaskFailed,
    TaskHeartbeat,
    TaskStarted,
    TaskSubmitted,
    TaskSucceeded,
    TimerFired,
)
from asl.errors import StatesError
from asl.history import Event
from asl.interpreter import Cursor, Step, redrive, resume, start
from asl.loader import InvalidDefinition, load, validate
from asl.model import StateMachine
from asl.validation import Diagnostic

__all__ = [
    "AwaitCallback",
    "CallbackFailed",
    "CallbackSucceeded",
    "CancelTimer",
    "Cursor",
    "Diagnostic",
    "Effect",
    "Event",
    "ExecutionInfo",
    "FinishExecution",
    "InvalidDefinition",
    "InvokeTask",
    "Outcome",
    "StartTimer",
    "StateMachine",
    "StatesError",
    "Step",
    "StopRequested",
    "TaskFailed",
    "TaskHeartbeat",
    "TaskStarted",
    "TaskSubmitted",
    "TaskSucceeded",
    "TimerFired",
    "load",
    "redrive",
    "resume",
    "start",
    "validate",
]
