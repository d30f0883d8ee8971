"""A run's steps, read from its execution's history (GetExecutionHistory events).

Statuses, times, retries, errors and usage come from :func:`emulator.runviews.project`, with
the pipeline's step ids as the step names (parallel branches included); a step's output and
model come from its record, the output of its state (``{"output", "model"?, "usage"?}``, see
emulator.pipelines.compiler).  ``pending_token`` finds the task token a ``human_review`` step
waits on, in its TaskScheduled parameters.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from emulator import runviews
from emulator.pipelines.records import iso

_TASK_RESULT = ("TaskSucceeded", "LambdaFunctionSucceeded")
_TASK_FAILURE = (
    "TaskFailed", "TaskTimedOut", "TaskStartFailed", "TaskSubmitFailed",
    "LambdaFunctionFailed", "LambdaFunctionTimedOut", "LambdaFunctionStartFailed",
)  # fmt: skip


def _details(event: dict[str, Any]) -> dict[str, Any]:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            return value
    return {}


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def owners(events: list[dict[str, Any]]) -> dict[int, str]:
    """Event id -> the name of the state it belongs to."""
    owner: dict[int, str] = {}
    for event in events:
        kind = event["type"]
        if kind.endswith(("StateEntered", "StateExited")):
            owner[event["id"]] = _details(event).get("name", "")
        elif kind.startswith(("ParallelState", "MapState", "MapIteration", "MapRun")):
            # Their previousEventId is the last event of a branch, not of their own state.
            continue
        elif event.get("previousEventId") in owner:
            owner[event["id"]] = owner[event["previousEventId"]]
    return owner


def steps_of(document: Any) -> dict[str, dict[str, Any]]:
    """Every step of a pipeline document by id, in order (parallel branches included):
    ``{id: {"name", "type", "model"}}``."""
    found: dict[str, dict[str, Any]] = {}

    def collect(steps: Any) -> None:
        for step in steps if isinstance(steps, list) else []:
            step_id = step.get("id") if isinstance(step, dict) else None
            if not isinstance(step_id, str):
                continue
            found.setdefault(step_id, {
                "name": step.get("name") or step_id,
                "type": step.get("type") or "llm",
                "model": step.get("model"),
            })  # fmt: skip
            for branch in step.get("branches") or []:
                collect(branch)

    if isinstance(document, dict):
        collect(document.get("steps"))
    return found


def step_ids_of(document: Any) -> list[str]:
    """Every step id of a pipeline document, in order (parallel branches included)."""
    return list(steps_of(document))


def records(events: list[dict[str, Any]]) -> dict[str, Any]:
    """Each state's record: the output of its last ``*StateExited`` event, parsed."""
    found: dict[str, Any] = {}
    for event in events:
        if event["type"].endswith("StateExited"):
            details = _details(event)
            found[str(details.get("name", ""))] = _json(details.get("output"))
    return found


def project(
    events: list[dict[str, Any]],
    steps: dict[str, dict[str, Any]] | list[str],
    describe: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The run's steps, in the definition's order (those not reached are ``pending``, or
    ``skipped`` once the run has ended), projected by :func:`emulator.runviews.project`;
    each with its output, model, tokens and cost read from its record."""
    meta = steps if isinstance(steps, dict) else {step_id: {} for step_id in steps}
    view = runviews.project(events, describe or {}, step_names=list(meta))
    outputs = records(events)
    order = {step_id: index for index, step_id in enumerate(meta)}
    projected: list[dict[str, Any]] = []
    for step in sorted(view.steps, key=lambda s: order.get(s.name, len(order))):
        found = meta.get(step.name, {})
        record = outputs.get(step.name) if step.status == "completed" else None
        usage = step.usage or {}
        model = record.get("model") if isinstance(record, dict) else None
        if model is None and found.get("type") == "llm":
            model = found.get("model")
        duration = None
        if step.started_at is not None and step.completed_at is not None:
            duration = int((step.completed_at - step.started_at).total_seconds() * 1000)
        projected.append({
            "step_id": step.name,
            "step_index": order.get(step.name, len(order)),
            "name": found.get("name", step.name),
            "type": found.get("type"),
            "status": step.status,
            "model": model,
            "output": record.get("output") if isinstance(record, dict) else record,
            "error": step.error,
            "cause": step.cause,
            "started_at": iso(step.started_at),
            "completed_at": iso(step.completed_at),
            "duration_ms": duration,
            "retry_count": step.retry_count,
            "input_tokens": int(usage.get("input_tokens") or 0),
            "output_tokens": int(usage.get("output_tokens") or 0),
            "cost_cents": float(usage.get("cost_cents") or 0),
        })  # fmt: skip
    return projected


def pending_token(events: list[dict[str, Any]], step_id: str) -> str | None:
    """The task token a ``.waitForTaskToken`` task of ``step_id`` still waits on."""
    owner = owners(events)
    token: str | None = None
    for event in events:
        if owner.get(event["id"]) != step_id:
            continue
        kind = event["type"]
        details = _details(event)
        if kind == "TaskScheduled":
            params = _json(details.get("parameters"))
            token = params.get("TaskToken") if isinstance(params, dict) else None
        elif kind in _TASK_RESULT or kind in _TASK_FAILURE or kind.endswith("StateExited"):
            token = None
    return token
