"""What a process needs to carry a running execution on: its cursor, timers, pending tasks,
and the outcomes other processes left for it (requests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, desc, insert, select

from emulator.store import schema
from emulator.store.event_rows import utc

E = schema.executions
T = schema.timers
P = schema.pending_tasks
R = schema.requests


@dataclass(frozen=True, slots=True)
class TimerRow:
    timer_id: str
    fire_at: datetime
    due_epoch: float


@dataclass(frozen=True, slots=True)
class TaskRow:
    task_id: str
    effect: str
    task_token: str | None
    callback: bool


@dataclass(frozen=True, slots=True)
class RunningRow:
    arn: str
    definition: str
    cursor: str
    lease_owner: str | None
    timers: list[TimerRow]
    tasks: list[TaskRow]


@dataclass(frozen=True, slots=True)
class RequestRow:
    id: int
    execution_arn: str
    outcome: str


def load_running(connection: Connection, arn: str) -> RunningRow | None:
    row = connection.execute(
        select(E.c.definition, E.c.cursor, E.c.lease_owner).where(
            E.c.arn == arn, E.c.status == "RUNNING"
        )
    ).first()
    if row is None or row.cursor is None:
        return None
    timers = [
        TimerRow(t.timer_id, _aware(t.fire_at), float(t.fire_at_epoch))
        for t in connection.execute(
            select(T.c.timer_id, T.c.fire_at, T.c.fire_at_epoch)
            .where(T.c.execution_arn == arn)
            .order_by(T.c.fire_at_epoch)
        )
    ]
    tasks = [
        TaskRow(p.task_id, p.effect, p.task_token, bool(p.callback))
        for p in connection.execute(
            select(P.c.task_id, P.c.effect, P.c.task_token, P.c.callback).where(
                P.c.execution_arn == arn
            )
        )
    ]
    return RunningRow(arn, row.definition, row.cursor, row.lease_owner, timers, tasks)


def _aware(value: datetime) -> datetime:
    aware = utc(value)
    assert aware is not None
    return aware


def add_request(connection: Connection, arn: str, outcome: str, now: datetime) -> int:
    result = connection.execute(
        insert(R).values(execution_arn=arn, outcome=outcome, created=now).returning(R.c.id)
    )
    return int(result.scalar_one())


def requests_for_owner(connection: Connection, owner: str) -> list[RequestRow]:
    """Requests waiting for executions that ``owner`` holds, oldest first."""
    query = (
        select(R.c.id, R.c.execution_arn, R.c.outcome)
        .select_from(R.join(E, E.c.arn == R.c.execution_arn))
        .where(E.c.lease_owner == owner)
        .order_by(R.c.id)
    )
    return [RequestRow(r.id, r.execution_arn, r.outcome) for r in connection.execute(query)]


def requests_for(connection: Connection, arn: str) -> list[RequestRow]:
    query = select(R.c.id, R.c.execution_arn, R.c.outcome).where(R.c.execution_arn == arn)
    return [
        RequestRow(r.id, r.execution_arn, r.outcome)
        for r in connection.execute(query.order_by(R.c.id))
    ]


def has_requests(connection: Connection) -> bool:
    return connection.execute(select(R.c.id).limit(1)).first() is not None


@dataclass(frozen=True, slots=True)
class TokenRow:
    execution_arn: str
    task_id: str
    callback: bool


def find_token(connection: Connection, token: str) -> TokenRow | None:
    """The pending task that waits on ``token`` (its callback row first)."""
    query = (
        select(P.c.execution_arn, P.c.task_id, P.c.callback)
        .where(P.c.task_token == token)
        .order_by(desc(P.c.callback))
    )
    row = connection.execute(query).first()
    return None if row is None else TokenRow(row.execution_arn, row.task_id, bool(row.callback))
