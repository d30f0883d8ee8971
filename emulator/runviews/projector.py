"""The projector: history events, in order, folded into a run view (see :mod:`emulator.runviews`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from emulator.runviews.views import (
    TERMINAL,
    Change,
    RunView,
    StepView,
    add_usage,
    parse_json,
)

_STATE_TYPES = ("Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
_SCHEDULED = frozenset({"TaskScheduled", "ActivityScheduled", "LambdaFunctionScheduled"})
_SUCCEEDED = frozenset({"TaskSucceeded", "ActivitySucceeded", "LambdaFunctionSucceeded"})
_FAILED = frozenset(
    {
        "TaskFailed", "TaskTimedOut", "TaskStartFailed", "TaskSubmitFailed",
        "ActivityFailed", "ActivityTimedOut", "ActivityScheduleFailed",
        "LambdaFunctionFailed", "LambdaFunctionTimedOut", "LambdaFunctionStartFailed",
        "LambdaFunctionScheduleFailed",
    }
)  # fmt: skip
_FAN_CLOSED = {
    f"{kind}State{end}": kind
    for kind in ("Parallel", "Map")
    for end in ("Succeeded", "Failed", "Aborted")
}
_CHILD_START = frozenset({"ParallelStateStarted", "MapIterationStarted"})


def _details(event: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            return value
    return {}


def _entered_type(event_type: str, suffix: str) -> str | None:
    if event_type.endswith(suffix):
        kind = event_type[: -len(suffix)]
        if kind in _STATE_TYPES:
            return kind
    return None


@dataclass
class _Track:
    """Per step: a failure seen and not yet settled (retried, caught, or fatal)."""

    failure: tuple[str | None, str | None] | None = None
    task_result: Any = None
    has_result: bool = False


class Projector:
    """Folds history events, in order, into a :class:`RunView`."""

    def __init__(
        self, describe: Mapping[str, Any], *, step_names: Sequence[str] | None = None
    ) -> None:
        self.run = RunView(
            execution_arn=str(describe.get("executionArn", "")),
            name=str(describe.get("name", "")),
            state_machine_arn=str(describe.get("stateMachineArn", "")),
            status="running",
            input=parse_json(describe.get("input")),
            created_at=describe.get("startDate"),
            started_at=describe.get("startDate"),
            updated_at=describe.get("startDate"),
        )
        self.step_names = tuple(step_names or ())
        self._named = frozenset(self.step_names)
        self._steps: dict[str, StepView] = {}
        self._tracks: dict[str, _Track] = {}
        self._owner: dict[int, str | None] = {}  # event id -> the state it belongs to
        self._parent: dict[str, str | None] = {}  # state -> the Parallel/Map it runs in
        self._type: dict[str, str] = {}
        self._open_fans: set[str] = set()
        self._last_failure: tuple[str | None, str | None] | None = None
        self._child_starts: set[int] = set()  # ids of ParallelStateStarted, MapIterationStarted

    # ------------------------------------------------------------------ reading

    def view(self) -> RunView:
        """The run now: steps in order of first entry, then a pipeline's steps not entered."""
        run = dataclasses.replace(self.run)
        steps = [dataclasses.replace(step) for step in self._steps.values()]
        for name in self.step_names:
            if name not in self._steps:
                status = "skipped" if run.status in TERMINAL else "pending"
                steps.append(StepView(name=name, type=self._type.get(name, ""), status=status))
        run.steps = steps
        return run

    # ------------------------------------------------------------------ folding

    def feed_all(self, events: Iterable[Mapping[str, Any]]) -> list[Change]:
        changes: list[Change] = []
        for event in events:
            changes.extend(self.feed(event))
        return changes

    def feed(self, event: Mapping[str, Any]) -> list[Change]:
        event_id = int(event["id"])
        event_type = str(event["type"])
        details = _details(event)
        previous = int(event.get("previousEventId") or 0)
        run = self.run
        run.last_event_id = max(run.last_event_id, event_id)
        if event.get("timestamp") is not None:
            run.updated_at = event["timestamp"]
        changes: list[Change] = []

        entered = _entered_type(event_type, "StateEntered")
        if entered is not None:
            name = str(details.get("name", ""))
            self._owner[event_id] = name
            self._entered(name, entered, previous, event, changes)
            return changes
        exited = _entered_type(event_type, "StateExited")
        if exited is not None:
            name = str(details.get("name", ""))
            self._owner[event_id] = name
            self._open_fans.discard(name)
            self._exited(name, details, event, changes)
            return changes
        if event_type.startswith("MapIteration"):
            owner: str | None = str(details.get("name", "")) or self._owner.get(previous)
        elif event_type in _FAN_CLOSED:
            owner = self._fan_of(self._owner.get(previous), _FAN_CLOSED[event_type])
            if owner is not None:
                self._open_fans.discard(owner)
        else:
            owner = self._owner.get(previous)
        self._owner[event_id] = owner
        if event_type in _CHILD_START:
            self._child_starts.add(event_id)
        if event_type in ("ParallelStateStarted", "MapStateStarted") and owner is not None:
            self._open_fans.add(owner)

        if event_type.startswith("Execution"):
            self._execution(event_type, details, event, changes)
            return changes
        step = self._steps.get(owner) if owner is not None else None
        if event_type in _FAILED or event_type in ("ParallelStateFailed", "MapStateFailed"):
            failure = (details.get("error"), details.get("cause"))
            if event_type in _FAILED:
                self._last_failure = failure
            else:
                failure = self._last_failure or failure
            if step is not None:
                self._tracks[step.name].failure = failure
                step.error, step.cause = failure
                step.event_id = event_id
            return changes
        if step is None:
            return changes
        track = self._tracks[step.name]
        if event_type in _SCHEDULED and track.failure is not None:
            track.failure = None
            step.retry_count += 1
            step.status = "running"
            self._changed(step, event_id, "step_retrying", changes)
        elif event_type == "TaskSubmitted":
            step.status = "waiting"
            self._changed(step, event_id, "step_waiting", changes)
        elif event_type in _SUCCEEDED:
            track.task_result = parse_json(details.get("output"))
            track.has_result = True
            if isinstance(track.task_result, dict) and isinstance(
                track.task_result.get("usage"), dict
            ):
                step.usage = step.usage or {}
                add_usage(step.usage, track.task_result["usage"])
            if step.status == "waiting":
                step.status = "running"
                self._changed(step, event_id, "step_resumed", changes)
        elif event_type.endswith("StateAborted"):
            self._finish(step, "cancelled", event, changes)
        return changes

    def _fan_of(self, start: str | None, kind: str) -> str | None:
        """The innermost open Parallel (or Map) at or above ``start``."""
        name = start
        while name is not None:
            if name in self._open_fans and self._type.get(name) == kind:
                return name
            name = self._parent.get(name)
        return None

    def _is_step(self, name: str) -> bool:
        if self._named:
            return name in self._named
        return self._parent.get(name) is None

    def _entered(
        self, name: str, kind: str, previous: int, event: Mapping[str, Any], changes: list[Change]
    ) -> None:
        before = self._owner.get(previous)
        if before is not None and previous in self._child_starts:
            parent: str | None = before
        else:
            parent = self._parent.get(before) if before is not None else None
            # Leaving a state without StateExited: its error was caught.
            left = self._steps.get(before) if before is not None else None
            if left is not None and left.status in ("running", "waiting") and before != name:
                failure = self._tracks[left.name].failure
                if failure is not None:
                    left.error, left.cause = failure
                self._finish(left, "failed", event, changes)
        self._parent[name] = parent
        self._type[name] = kind
        if not self._is_step(name):
            return
        step = self._steps.get(name)
        if step is None:
            step = self._steps[name] = StepView(name=name, type=kind)
            step.started_at = event.get("timestamp")
        self._tracks[name] = _Track()
        step.status = "waiting" if kind == "Wait" else "running"
        step.result = step.error = step.cause = None
        step.completed_at = None
        self._changed(step, int(event["id"]), "step_started", changes)
        if kind == "Wait":
            self._changed(step, int(event["id"]), "step_waiting", changes)

    def _exited(
        self, name: str, details: Mapping[str, Any], event: Mapping[str, Any], changes: list[Change]
    ) -> None:
        step = self._steps.get(name)
        if step is None or step.status not in ("running", "waiting"):
            return
        track = self._tracks[name]
        output = parse_json(details.get("output"))
        if track.failure is not None and not track.has_result:
            step.error, step.cause = track.failure
            step.result = output  # the error output the Catch passed on
            self._finish(step, "failed", event, changes)
            return
        step.result = track.task_result if track.has_result else output
        step.error = step.cause = None
        self._finish(step, "completed", event, changes)

    def _execution(
        self,
        event_type: str,
        details: Mapping[str, Any],
        event: Mapping[str, Any],
        changes: list[Change],
    ) -> None:
        run = self.run
        event_id = int(event["id"])
        if event_type == "ExecutionStarted":
            if run.input is None:
                run.input = parse_json(details.get("input"))
            return
        if event_type == "ExecutionRedriven":
            run.status, run.error, run.cause, run.completed_at = "running", None, None, None
            changes.append(Change(event_id, "run_resumed", run.status))
            return
        outcome = {
            "ExecutionSucceeded": "completed",
            "ExecutionFailed": "failed",
            "ExecutionTimedOut": "failed",
            "ExecutionAborted": "cancelled",
        }.get(event_type)
        if outcome is None:
            return
        error, cause = details.get("error"), details.get("cause")
        if event_type == "ExecutionTimedOut" and error is None:
            error = "States.Timeout"
        for step in self._steps.values():
            if step.status not in ("running", "waiting"):
                continue
            if outcome == "cancelled":
                self._finish(step, "cancelled", event, changes)
            elif outcome == "failed":
                failure = self._tracks[step.name].failure
                step.error, step.cause = failure if failure is not None else (error, cause)
                self._finish(step, "failed", event, changes)
            else:
                self._finish(step, "completed", event, changes)
        run.status = outcome
        run.completed_at = event.get("timestamp")
        if outcome == "completed":
            run.output = parse_json(details.get("output"))
        else:
            run.error, run.cause = error, cause
        changes.append(Change(event_id, "run_finished", run.status))

    def _finish(
        self, step: StepView, status: str, event: Mapping[str, Any], changes: list[Change]
    ) -> None:
        step.status = status
        step.completed_at = event.get("timestamp")
        self._changed(step, int(event["id"]), "step_finished", changes)

    def _changed(self, step: StepView, event_id: int, kind: str, changes: list[Change]) -> None:
        step.event_id = event_id
        changes.append(Change(event_id, kind, self.run.status, dataclasses.replace(step)))
