"""The run and step views (what both REST surfaces show of an execution) and their statuses.
See :mod:`emulator.runviews` for how they are derived."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from asl import jsontext

RUN_STATUS = {
    "RUNNING": "running",
    "SUCCEEDED": "completed",
    "FAILED": "failed",
    "TIMED_OUT": "failed",
    "ABORTED": "cancelled",
    "PENDING_REDRIVE": "running",
}
TERMINAL = frozenset({"completed", "failed", "cancelled"})
STEP_STATUSES = (
    "pending", "running", "waiting", "completed", "failed", "cancelled", "skipped",
)  # fmt: skip


@dataclass
class StepView:
    name: str
    type: str  # the ASL state type: Task, Pass, Wait, ...
    status: str = "pending"
    result: Any = None
    error: str | None = None
    cause: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    retry_count: int = 0
    usage: dict[str, Any] | None = None
    event_id: int = 0  # the history event that last changed this step

    def to_dict(self) -> dict[str, Any]:
        """snake_case, times in ISO 8601 (UTC, milliseconds)."""
        return {
            "name": self.name,
            "type": self.type,
            "status": self.status,
            "result": self.result,
            "error": self.error,
            "cause": self.cause,
            "started_at": iso(self.started_at),
            "completed_at": iso(self.completed_at),
            "retry_count": self.retry_count,
            "usage": self.usage,
        }


@dataclass
class RunView:
    execution_arn: str
    name: str
    state_machine_arn: str
    status: str
    input: Any
    output: Any = None
    error: str | None = None
    cause: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    steps: list[StepView] = field(default_factory=list)
    last_event_id: int = 0

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def current_step(self) -> str | None:
        """The step entered last that has not finished, if any."""
        for step in sorted(self.steps, key=lambda s: s.event_id, reverse=True):
            if step.status in ("running", "waiting"):
                return step.name
        return None

    def usage(self) -> dict[str, Any]:
        """The steps' usage summed (tokens, cost)."""
        total: dict[str, Any] = {}
        for step in self.steps:
            add_usage(total, step.usage or {})
        return total

    def to_dict(self) -> dict[str, Any]:
        return {
            "execution_arn": self.execution_arn,
            "name": self.name,
            "state_machine_arn": self.state_machine_arn,
            "status": self.status,
            "input": self.input,
            "output": self.output,
            "error": self.error,
            "cause": self.cause,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "started_at": iso(self.started_at),
            "completed_at": iso(self.completed_at),
            "steps": [step.to_dict() for step in self.steps],
            "last_event_id": self.last_event_id,
        }


@dataclass(frozen=True)
class Change:
    """What one history event changed, for streams.

    ``kind``: ``step_started``, ``step_waiting``, ``step_resumed`` (a waiting step runs
    again), ``step_retrying``, ``step_finished`` (completed, failed or cancelled: see
    ``step.status``), ``run_finished`` (see ``run_status``) or ``run_resumed`` (redriven)."""

    event_id: int
    kind: str
    run_status: str
    step: StepView | None = None


def iso(value: datetime | str | None) -> str | None:
    """``2024-01-15T10:30:00.000Z`` (text is passed through)."""
    if value is None or isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (
        value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    )


def parse_json(text: Any) -> Any:
    """A JSON payload as recorded (text); kept as text if it is not JSON (truncated, say)."""
    if not isinstance(text, str):
        return text
    try:
        return jsontext.loads(text)
    except ValueError:
        return text


def add_usage(total: dict[str, Any], usage: Mapping[str, Any]) -> None:
    for key, value in usage.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            total.setdefault(key, value)
        else:
            total[key] = total.get(key, 0) + value
