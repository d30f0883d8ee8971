"""The pure step function: ``start`` and ``resume``.

One call runs every state it can — Pass, Choice, Succeed, Fail, input and output processing,
Parallel branches and Map iterations — until each running frame waits on an effect (a task,
a timer, a callback) or the execution ends.  It returns the cursor, the effects to carry out
and the history events, numbered and stamped with the ``now`` it was given.  No I/O, no clock.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from asl import errors, jsontext
from asl.context import context_object
from asl.effects import CancelTimer, Effect, FinishExecution, StartTimer
from asl.errors import StatesError
from asl.history import Event
from asl.interpreter.cursor import (
    ABORTED,
    CHILDREN,
    DONE,
    ENTER,
    FAILED,
    RETRY,
    WAIT,
    Cursor,
    Frame,
)
from asl.interpreter.retry import error_matches, retry_delay
from asl.model import Graph, State, StateMachine
from asl.scope import Scope

# https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
HISTORY_EVENT_LIMIT = 25_000


@dataclass(frozen=True, slots=True)
class Step:
    cursor: Cursor | None  # None once the execution has finished
    effects: tuple[Effect, ...]
    events: tuple[Event, ...]


class Run:
    """The working set of one step: the cursor being advanced, new events and effects."""

    def __init__(self, machine: StateMachine, cursor: Cursor, now: datetime) -> None:
        self.machine = machine
        self.cursor = cursor
        self.now = now
        self.events: list[Event] = []
        self.effects: list[Effect] = []
        self.finished = False
        # Activity ARNs the caller knows not to exist: a Task on one fails at once.
        self.missing_activities: frozenset[str] = frozenset()
        self._region = (
            cursor.info.execution_arn.split(":")[3] if ":" in cursor.info.execution_arn else ""
        )

    # ------------------------------------------------------------------ events and effects

    def emit(
        self,
        frame: Frame | None,
        type: str,
        details_key: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> int:
        cursor = self.cursor
        event_id = cursor.next_event_id
        cursor.next_event_id = event_id + 1
        previous = frame.last_event if frame is not None else event_id - 1
        self.events.append(Event(event_id, previous, self.now, type, details_key, details))
        if frame is not None:
            frame.last_event = event_id
        cursor.event_count += 1
        return event_id

    def region(self) -> str:
        return self._region

    def start_timer(self, frame: Frame, seconds: float, purpose: str) -> str:
        timer_id = self.cursor.new_id(purpose + ":")
        fire_at = self.now + timedelta(seconds=seconds)
        self.effects.append(StartTimer(timer_id, fire_at, purpose))
        self.cursor.waiting[timer_id] = frame
        return timer_id

    def cancel_timers(self, frame: Frame) -> None:
        for timer_id in frame.timers:
            self.effects.append(CancelTimer(timer_id))
            self.cursor.waiting.pop(timer_id, None)
        frame.timers = []

    def release_wait(self, frame: Frame) -> None:
        if frame.wait_id is not None:
            self.cursor.waiting.pop(frame.wait_id, None)
            frame.wait_id = None

    def rng_factory(self) -> random.Random:
        cursor = self.cursor
        cursor.counter += 1
        return random.Random(cursor.seed * 1_000_003 + cursor.counter)

    def scope(
        self,
        frame: Frame,
        state: State,
        task_token: str | None = None,
        map_item: tuple[int, Any, str | None] | None = None,
    ) -> Scope:
        def build() -> Any:
            return self.context(frame, state, task_token, map_item)

        return Scope(frame.vars, context_factory=build, rng_factory=self.rng_factory)

    def context(
        self,
        frame: Frame,
        state: State,
        task_token: str | None = None,
        map_item: tuple[int, Any, str | None] | None = None,
    ) -> dict[str, Any]:
        """The context object (``$$`` / ``$states.context``) for the frame's current state."""
        cursor = self.cursor
        return context_object(
            cursor.info,
            cursor.execution_input,
            state.name,
            frame.entered or self.now,
            frame.retry_count if state.type in _RETRYING else None,
            task_token,
            map_item,
        )

    # ------------------------------------------------------------------ driving frames

    def graph(self, frame: Frame) -> Graph:
        return self.machine.scopes[frame.scope]

    def drive(self, frame: Frame) -> None:
        """Run the frame's states until it waits, finishes or fails."""
        states = self.machine.scopes[frame.scope].states
        while frame.phase == ENTER:
            # The failure itself is the 25,000th event (recorded AWS behaviour).
            if self.cursor.event_count >= HISTORY_EVENT_LIMIT - 1:
                self.fail_frame(
                    frame,
                    errors.RUNTIME,
                    f"The execution reached the maximum number of history events "
                    f"({HISTORY_EVENT_LIMIT}).",
                )
                return
            state = states[frame.state]
            HANDLERS[state.type](self, frame, state)

    def enter(self, frame: Frame, state: State) -> None:
        """The ``…StateEntered`` event; starts the state's clock."""
        frame.entered = self.now
        frame.retries = None
        frame.retry_count = 0
        frame.entered_event = self.emit(
            frame,
            PREFIX[state.type] + "StateEntered",
            "stateEnteredEventDetails",
            {"name": state.name, "input": frame.input},
        )

    def exit(
        self,
        frame: Frame,
        state: State,
        output: Any,
        next_state: str | None,
        assigned: dict[str, Any] | None = None,
    ) -> None:
        """The ``…StateExited`` event, then the transition (or the frame's end).

        ``assigned`` holds the variables the state's Assign computed; they are recorded in the
        event and take effect from the next state on.
        """
        details: dict[str, Any] = {"name": state.name, "output": output}
        if assigned is not None:
            details["assignedVariables"] = assigned
            set_variables(frame, assigned)
        self.emit(frame, PREFIX[state.type] + "StateExited", "stateExitedEventDetails", details)
        if next_state is None:
            frame.phase = DONE
            frame.output = output
        else:
            frame.state = next_state
            frame.input = output
            frame.phase = ENTER

    def complete(
        self, frame: Frame, state: State, output: Any, assigned: dict[str, Any] | None = None
    ) -> None:
        """Exit a state that ended normally, following its Next or End."""
        self.exit(frame, state, output, None if state.end else state.next, assigned)

    # ------------------------------------------------------------------ errors

    def raised(
        self, frame: Frame, state: State, exc: StatesError, give_up_event: str | None = None
    ) -> None:
        """A state's own processing raised ``exc`` (not its resource)."""
        cause = exc.cause
        if exc.error in _PREFIXED:
            # Recorded AWS wording: the cause names the state and its entered event.
            cause = (
                f"An error occurred while executing the state '{state.name}' "
                f"(entered at the event id #{frame.entered_event}). {cause}"
            )
        if exc.error == errors.QUERY_EVALUATION_ERROR:
            # Recorded AWS histories: a JSONata failure is an EvaluationFailed event first.
            self.emit(
                frame,
                "EvaluationFailed",
                "evaluationFailedEventDetails",
                {
                    "error": exc.error,
                    "cause": cause,
                    "location": getattr(exc, "location", "") or "",
                    "state": state.name,
                },
            )
        self.state_failed(frame, state, exc.error, cause, give_up_event)

    def state_failed(
        self,
        frame: Frame,
        state: State,
        error: str,
        cause: str,
        give_up_event: str | None = None,
    ) -> None:
        """A state raised ``error``: retry it, catch it, or fail the frame.

        ``give_up_event`` (``MapStateFailed``, ``ParallelStateFailed``) is recorded only when
        the error is not retried: AWS writes it once, after the last attempt.
        """
        for index, retrier in enumerate(state.retriers):
            if not error_matches(retrier.error_equals, error):
                continue
            counts = frame.retries
            if counts is None:
                counts = frame.retries = [0] * len(state.retriers)
            attempt = counts[index]
            if attempt >= retrier.max_attempts:
                break  # this retrier is spent: fall through to the catchers
            counts[index] = attempt + 1
            frame.retry_count += 1
            delay = retry_delay(
                retrier.interval_seconds,
                retrier.backoff_rate,
                attempt,
                retrier.max_delay_seconds,
                retrier.jitter_full,
                self.rng_factory() if retrier.jitter_full else None,
            )
            frame.phase = RETRY
            frame.wait_id = self.start_timer(frame, delay, "retry")
            return
        if give_up_event is not None:
            self.emit(frame, give_up_event)
        for catcher in state.catchers:
            if not error_matches(catcher.error_equals, error):
                continue
            from asl.interpreter.catching import caught  # catching builds on this module

            caught(self, frame, state, catcher, {"Error": error, "Cause": cause})
            return
        self.fail_frame(frame, error, cause)

    def fail_frame(self, frame: Frame, error: str, cause: str | None) -> None:
        frame.phase = FAILED
        frame.error = error
        frame.cause = cause

    # ------------------------------------------------------------------ aborting

    def abort(self, frame: Frame) -> None:
        """Stop a frame and everything under it: ``…StateAborted`` events, timers cancelled."""
        from asl.interpreter.fanout import abort_children

        if frame.phase in (DONE, FAILED, ABORTED):
            return
        if frame.phase != ENTER:
            state = self.graph(frame).states[frame.state]
            if frame.phase == CHILDREN:
                abort_children(self, frame, state)
            if frame.phase in (WAIT, RETRY) and frame.wait_id is not None:
                self.effects.append(CancelTimer(frame.wait_id))
            self.release_wait(frame)
            self.cancel_timers(frame)
            self.emit(frame, PREFIX[state.type] + "StateAborted")
        frame.phase = ABORTED

    # ------------------------------------------------------------------ the execution

    def settle(self, frame: Frame) -> None:
        """After ``frame`` moved: let finished frames report to their parents, up to the root."""
        from asl.interpreter.fanout import child_settled

        while frame.phase in (DONE, FAILED):
            parent = frame.parent
            if parent is None:
                self.finish_execution(frame)
                return
            child_settled(self, parent, frame)
            frame = parent

    def finish_execution(self, root: Frame) -> None:
        cursor = self.cursor
        if cursor.timeout_timer is not None:
            self.effects.append(CancelTimer(cursor.timeout_timer))
            cursor.timeout_timer = None
        if root.phase == DONE:
            output = root.output
            if jsontext.size(output) > jsontext.PAYLOAD_LIMIT:
                root.phase = FAILED
                root.error = errors.DATA_LIMIT_EXCEEDED
                root.cause = (
                    "The execution output exceeds the maximum number of bytes service limit."
                )
            else:
                self.emit(
                    root, "ExecutionSucceeded", "executionSucceededEventDetails", {"output": output}
                )
                self.end("SUCCEEDED", output=output)
                return
        details = _error_details(root.error, root.cause)
        self.emit(root, "ExecutionFailed", "executionFailedEventDetails", details)
        self.end("FAILED", error=root.error, cause=root.cause)

    def end(
        self, status: str, output: Any = None, error: str | None = None, cause: str | None = None
    ) -> None:
        self.cursor.status = status
        self.finished = True
        self.effects.append(FinishExecution(status, output, error, cause))

    def step(self) -> Step:
        return Step(None if self.finished else self.cursor, tuple(self.effects), tuple(self.events))


def set_variables(frame: Frame, assigned: dict[str, Any]) -> None:
    """Make an Assign's values visible to the frame's next states."""
    if not assigned:
        return
    if not frame.own_vars:
        frame.vars = dict(frame.vars)
        frame.own_vars = True
    frame.vars.update(assigned)


def _error_details(error: str | None, cause: str | None) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if error is not None:
        details["error"] = error
    if cause is not None:
        details["cause"] = cause
    return details


def error_details(error: str | None, cause: str | None) -> dict[str, Any]:
    return _error_details(error, cause)


_RETRYING = frozenset({"Task", "Parallel", "Map"})
# Errors raised by a state's own processing whose causes AWS prefixes with the state's name.
_PREFIXED = frozenset({errors.RUNTIME, errors.QUERY_EVALUATION_ERROR})

PREFIX = {
    "Pass": "Pass",
    "Task": "Task",
    "Choice": "Choice",
    "Wait": "Wait",
    "Succeed": "Succeed",
    "Fail": "Fail",
    "Parallel": "Parallel",
    "Map": "Map",
}

StateHandler = Callable[[Run, Frame, Any], None]
HANDLERS: dict[str, StateHandler] = {}  # filled in by asl.interpreter.states
