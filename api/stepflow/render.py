"""The Stepflow surface's JSON: runs (camelCase, as its API reference shows them) and the SSE
vocabulary of ``GET /runs/{runId}/stream``.

Stream events (``id:`` = the history event each reflects):
  ``status``   ``{status, stepName}``: the run is running this step now (a step started, was
               retried — ``retryCount`` — or resumed after waiting);
  ``step``     ``{name, status, result}``: a step completed, failed (``error``, ``cause``) or
               was cancelled; also ``status: "waiting"`` when it starts waiting for an event,
               a task token or a Wait state;
  ``error``    ``{status: "failed", error, cause}``: the run failed (then ``complete``);
  ``complete`` ``{status, result}``: the run finished (``completed``, ``failed`` or
               ``cancelled``; ``error``/``cause`` unless completed).  The stream ends after it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from api.sse import Frame
from emulator.runviews import Change, RunView, StepView, iso
from emulator.stepflow import StepflowRun


def step_json(step: StepView) -> dict[str, Any]:
    out: dict[str, Any] = {"name": step.name, "status": step.status, "type": step.type}
    if step.status == "completed" or (step.status == "failed" and step.result is not None):
        out["result"] = step.result
    if step.error is not None or step.cause is not None:
        out["error"] = step.error
        out["cause"] = step.cause
    out["startedAt"] = iso(step.started_at)
    out["completedAt"] = iso(step.completed_at)
    out["retryCount"] = step.retry_count
    if step.usage is not None:
        out["usage"] = step.usage
    return out


def run_json(run: StepflowRun, view: RunView) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": run.run_id,
        "workflowId": run.workflow_id,
        "status": view.status,
        "input": view.input,
        "steps": [step_json(step) for step in view.steps],
        "createdAt": iso(view.created_at or run.created),
        "updatedAt": iso(view.updated_at or run.created),
        "completedAt": iso(view.completed_at),
        "executionArn": run.execution_arn,
    }
    if view.status == "completed":
        out["output"] = view.output
    if view.error is not None or view.cause is not None:
        out["error"] = view.error
        out["cause"] = view.cause
    return out


def _finished(run: RunView) -> dict[str, Any]:
    out: dict[str, Any] = {"status": run.status}
    if run.status == "completed":
        out["result"] = run.output
    else:
        out["error"] = run.error
        out["cause"] = run.cause
    return out


def render(changes: Sequence[Change], run: RunView, event: Mapping[str, Any]) -> list[Frame]:
    """Frames of the changes one history event made (see the module's docstring)."""
    frames: list[Frame] = []
    for change in changes:
        eid = change.event_id
        step = change.step
        if change.kind in ("step_started", "step_resumed") and step is not None:
            frames.append(Frame("status", {"status": "running", "stepName": step.name}, eid))
        elif change.kind == "step_retrying" and step is not None:
            frames.append(
                Frame(
                    "status",
                    {"status": "running", "stepName": step.name, "retryCount": step.retry_count},
                    eid,
                )
            )
        elif change.kind == "step_waiting" and step is not None:
            frames.append(Frame("step", {"name": step.name, "status": "waiting"}, eid))
        elif change.kind == "step_finished" and step is not None:
            data: dict[str, Any] = {"name": step.name, "status": step.status}
            if step.status == "completed":
                data["result"] = step.result
            else:
                data["error"] = step.error
                data["cause"] = step.cause
            frames.append(Frame("step", data, eid))
        elif change.kind == "run_resumed":
            frames.append(Frame("status", {"status": "running", "stepName": None}, eid))
        elif change.kind == "run_finished":
            finished = _finished(run)
            if run.status == "failed":
                frames.append(
                    Frame("error", {"status": "failed", "error": run.error, "cause": run.cause}, eid)
                )
            frames.append(Frame("complete", finished, eid))
    return frames
