"""JSON forms of the effects and outcomes the store keeps.

A pending task row keeps its ``InvokeTask`` so that a restarted emulator can dispatch it
again; a request row keeps the outcome another process asked the owner of an execution to
apply (a StopExecution, later SendTask*).
"""

from __future__ import annotations

from typing import Any

import asl
from asl import jsontext


def invoke_task_to_json(effect: asl.InvokeTask) -> str:
    return jsontext.dumps(
        {
            "id": effect.id,
            "resource": effect.resource,
            "input": effect.input,
            "state_name": effect.state_name,
            "timeout_seconds": effect.timeout_seconds,
            "heartbeat_seconds": effect.heartbeat_seconds,
            "task_token": effect.task_token,
            "credentials": effect.credentials,
        }
    )


def invoke_task_from_json(text: str) -> asl.InvokeTask:
    raw = jsontext.loads(text)
    return asl.InvokeTask(
        raw["id"],
        raw["resource"],
        raw["input"],
        raw["state_name"],
        raw["timeout_seconds"],
        raw["heartbeat_seconds"],
        raw["task_token"],
        raw["credentials"],
    )


def await_callback_to_json(effect: asl.AwaitCallback) -> str:
    return jsontext.dumps({"id": effect.id, "task_token": effect.task_token})


_OUTCOMES: dict[str, type[Any]] = {
    "TaskSucceeded": asl.TaskSucceeded,
    "TaskFailed": asl.TaskFailed,
    "TaskSubmitted": asl.TaskSubmitted,
    "TaskHeartbeat": asl.TaskHeartbeat,
    "TaskStarted": asl.TaskStarted,
    "TimerFired": asl.TimerFired,
    "CallbackSucceeded": asl.CallbackSucceeded,
    "CallbackFailed": asl.CallbackFailed,
    "StopRequested": asl.StopRequested,
}


def outcome_to_json(outcome: asl.Outcome) -> str:
    fields = {name: getattr(outcome, name) for name in outcome.__slots__}
    return jsontext.dumps({"kind": type(outcome).__name__, **fields})


def outcome_from_json(text: str) -> asl.Outcome:
    raw = jsontext.loads(text)
    kind = raw.pop("kind")
    cls = _OUTCOMES.get(kind)
    if cls is None:
        raise ValueError(f"unknown outcome kind {kind!r}")
    outcome: asl.Outcome = cls(**raw)
    return outcome
