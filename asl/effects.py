"""What the interpreter asks of the outside world (effects) and what comes back (outcomes).

Effects are imperative; outcomes are past tense.  Every effect that can be answered carries an
id; the interpreter ignores an outcome whose id it is no longer waiting for, which is how a
timeout races a task result without threads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

# ---------------------------------------------------------------- effects


@dataclass(frozen=True, slots=True)
class InvokeTask:
    """Call a Task state's resource with its (processed) input."""

    id: str
    resource: str
    input: Any
    state_name: str
    timeout_seconds: int | None = None
    heartbeat_seconds: int | None = None
    task_token: str | None = None
    credentials: Any = None


@dataclass(frozen=True, slots=True)
class StartTimer:
    """Deliver :class:`TimerFired` with this id at ``fire_at`` unless cancelled."""

    id: str
    fire_at: datetime
    purpose: str  # "wait", "retry", "task-timeout", "heartbeat", "execution-timeout"


@dataclass(frozen=True, slots=True)
class CancelTimer:
    id: str


@dataclass(frozen=True, slots=True)
class AwaitCallback:
    """The task with this id now waits for SendTaskSuccess/Failure on ``task_token``."""

    id: str
    task_token: str


@dataclass(frozen=True, slots=True)
class FinishExecution:
    status: str  # SUCCEEDED | FAILED | TIMED_OUT | ABORTED
    output: Any = None
    error: str | None = None
    cause: str | None = None


Effect = InvokeTask | StartTimer | CancelTimer | AwaitCallback | FinishExecution

# ---------------------------------------------------------------- outcomes


@dataclass(frozen=True, slots=True)
class TaskSucceeded:
    id: str
    output: Any


@dataclass(frozen=True, slots=True)
class TaskFailed:
    id: str
    error: str
    cause: str = ""


@dataclass(frozen=True, slots=True)
class TaskSubmitted:
    """The resource accepted a job it runs on (a ``.sync`` integration started it): the task
    records ``TaskSubmitted`` with ``output`` and keeps waiting for the job's
    :class:`TaskSucceeded` or :class:`TaskFailed`.  A repeated submission is ignored.

    https://docs.aws.amazon.com/step-functions/latest/apireference/API_TaskSubmittedEventDetails.html
    """

    id: str
    output: Any


@dataclass(frozen=True, slots=True)
class TaskHeartbeat:
    id: str


@dataclass(frozen=True, slots=True)
class TaskStarted:
    """An activity worker took the task (GetActivityTask): ``ActivityStarted`` is recorded.

    https://docs.aws.amazon.com/step-functions/latest/apireference/API_ActivityStartedEventDetails.html
    """

    id: str
    worker_name: str | None = None


@dataclass(frozen=True, slots=True)
class TimerFired:
    id: str


@dataclass(frozen=True, slots=True)
class CallbackSucceeded:
    task_token: str
    output: Any


@dataclass(frozen=True, slots=True)
class CallbackFailed:
    task_token: str
    error: str
    cause: str = ""


@dataclass(frozen=True, slots=True)
class StopRequested:
    error: str | None = None
    cause: str | None = None


Outcome = (
    TaskSucceeded
    | TaskFailed
    | TaskSubmitted
    | TaskHeartbeat
    | TaskStarted
    | TimerFired
    | CallbackSucceeded
    | CallbackFailed
    | StopRequested
)
