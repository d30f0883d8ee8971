"""The interpreter: ``start`` and ``resume``, the pure step function of the design.

    start(machine, input, info, now, seed)    -> Step
    resume(machine, cursor, outcome, now)     -> Step
    redrive(machine, cursor, now, count)      -> Step   (a finished cursor, run again)

``missing_activities``: activity ARNs the caller knows not to exist; a Task on one fails at
once with ``States.Runtime`` (the interpreter does no I/O, so the caller says which).

``resume`` takes ownership of the cursor it is given (it advances it in place and returns
it); to replay a step, keep ``cursor.to_json()`` and resume from ``Cursor.from_json``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from asl import errors
from asl.context import ExecutionInfo
from asl.effects import (
    CallbackFailed,
    CallbackSucceeded,
    CancelTimer,
    Outcome,
    StopRequested,
    TaskFailed,
    TaskHeartbeat,
    TaskStarted,
    TaskSubmitted,
    TaskSucceeded,
    TimerFired,
)
from asl.history import JsonText
from asl.interpreter import fanout, states, tasks
from asl.interpreter.cursor import CALLBACK, CHILDREN, RETRY, TASK, WAIT, Cursor, Frame
from asl.interpreter.engine import Run, Step, error_details
from asl.interpreter.redrive import redrive
from asl.model import MapState, ParallelState, StateMachine, TaskState, WaitState

__all__ = ["Cursor", "Step", "redrive", "resume", "start"]


def start(
    machine: StateMachine,
    input: Any,
    info: ExecutionInfo,
    now: datetime,
    seed: int = 0,
    input_text: str | None = None,
    *,
    missing_activities: frozenset[str] = frozenset(),
    keep_cursor: bool = False,
) -> Step:
    """``input_text``: the input as the caller wrote it, kept in the ExecutionStarted event.
    ``keep_cursor``: return the cursor even when the execution ended in this step (a caller
    that keeps finished cursors, for RedriveExecution)."""
    cursor = Cursor(info, input, seed)
    run = Run(machine, cursor, now)
    run.missing_activities = missing_activities
    recorded = JsonText(input_text) if input_text is not None else input
    details: dict[str, Any] = {"input": recorded, "roleArn": info.role_arn}
    root = Frame("", machine.graph.start_at, input, 0)
    if info.variables:
        root.vars = dict(info.variables)  # TestState's ``variables``
    cursor.root = root
    # Recorded AWS histories: the first …StateEntered event has previousEventId 0, not 1.
    run.emit(None, "ExecutionStarted", "executionStartedEventDetails", details)
    if machine.timeout_seconds is not None:
        cursor.timeout_timer = run.start_timer(root, machine.timeout_seconds, "execution-timeout")
        cursor.waiting.pop(cursor.timeout_timer, None)
    run.drive(root)
    run.settle(root)
    step = run.step()
    if keep_cursor and step.cursor is None:
        return Step(cursor, step.effects, step.events)
    return step


def resume(
    machine: StateMachine,
    cursor: Cursor,
    outcome: Outcome,
    now: datetime,
    *,
    missing_activities: frozenset[str] = frozenset(),
) -> Step:
    run = Run(machine, cursor, now)
    run.missing_activities = missing_activities
    if cursor.status != "RUNNING" or cursor.root is None:
        return run.step()
    if isinstance(outcome, StopRequested):
        _stop(run, outcome)
        return run.step()
    if isinstance(outcome, TimerFired) and outcome.id == cursor.timeout_timer:
        _timed_out(run)
        return run.step()
    key = (
        outcome.task_token
        if isinstance(outcome, CallbackSucceeded | CallbackFailed)
        else outcome.id
    )
    frame = cursor.waiting.get(key)
    if frame is None:
        return run.step()  # a stale outcome: its attempt was superseded
    callback = isinstance(outcome, CallbackSucceeded | CallbackFailed)
    if callback and (frame.task_token != key or frame.phase not in (TASK, CALLBACK)):
        return run.step()  # the token's task ended
    state = machine.scopes[frame.scope].states[frame.state]
    if isinstance(outcome, TimerFired):
        _timer(run, frame, state, outcome.id)
    elif frame.phase in (TASK, CALLBACK) and isinstance(state, TaskState):
        if isinstance(outcome, TaskSucceeded | CallbackSucceeded):
            tasks.task_succeeded(run, frame, state, outcome.output, callback)
        elif isinstance(outcome, TaskSubmitted):
            tasks.task_submitted(run, frame, state, outcome.output)
        elif isinstance(outcome, TaskFailed | CallbackFailed):
            tasks.task_failed(run, frame, state, outcome.error, outcome.cause)
        elif isinstance(outcome, TaskHeartbeat):
            tasks.heartbeat(run, frame, state)
        elif isinstance(outcome, TaskStarted):
            tasks.task_started(run, frame, state, outcome.worker_name)
    run.settle(frame)
    return run.step()


def _timer(run: Run, frame: Frame, state: Any, timer_id: str) -> None:
    purpose = timer_id.split(":", 1)[0]
    if purpose in ("task-timeout", "heartbeat"):
        if isinstance(state, TaskState):
            tasks.timer_fired(run, frame, state, timer_id, purpose)
        return
    if frame.wait_id != timer_id:
        return
    run.release_wait(frame)
    if frame.phase == WAIT and isinstance(state, WaitState):
        data = frame.effective
        states.finish_wait(run, frame, state, data)
    elif frame.phase == RETRY:
        if isinstance(state, TaskState):
            tasks.schedule(run, frame, state)
        elif isinstance(state, ParallelState):
            fanout.start_parallel(run, frame, state)
        elif isinstance(state, MapState):
            fanout.start_map(run, frame, state)
    run.drive(frame)


def _stop(run: Run, outcome: StopRequested) -> None:
    cursor = run.cursor
    root = cursor.root
    assert root is not None
    run.abort(root)
    if cursor.timeout_timer is not None:
        run.effects.append(CancelTimer(cursor.timeout_timer))
        cursor.timeout_timer = None
    run.emit(
        root,
        "ExecutionAborted",
        "executionAbortedEventDetails",
        error_details(outcome.error, outcome.cause),
    )
    run.end("ABORTED", error=outcome.error, cause=outcome.cause)


def _timed_out(run: Run) -> None:
    cursor = run.cursor
    root = cursor.root
    assert root is not None
    cursor.timeout_timer = None
    _cancel_all(run, root)
    run.emit(
        root,
        "ExecutionTimedOut",
        "executionTimedOutEventDetails",
        {"error": errors.TIMEOUT, "cause": "The execution has timed out."},
    )
    run.end("TIMED_OUT", error=errors.TIMEOUT, cause="The execution has timed out.")


def _cancel_all(run: Run, frame: Frame) -> None:
    if frame.phase in (WAIT, RETRY) and frame.wait_id is not None:
        run.effects.append(CancelTimer(frame.wait_id))
    run.release_wait(frame)
    run.cancel_timers(frame)
    if frame.phase == CHILDREN and frame.fan is not None:
        for child in frame.fan.children.values():
            _cancel_all(run, child)
