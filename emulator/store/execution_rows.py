"""Executions in the store: one step, one transaction (their events: ``event_rows``).

:class:`StepWrite` is everything one step of the interpreter changes — its events, timers
started and cancelled (or fired), tasks now pending and tasks no longer awaited, the cursor,
and on the last step the final status.  :func:`write_step` writes it inside the caller's
transaction, fenced by the lease: a process that lost an execution to another cannot write it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, desc, insert, select, update

from emulator.store import schema
from emulator.store.event_rows import insert_events, utc

E = schema.executions
T = schema.timers
P = schema.pending_tasks


@dataclass
class ExecutionRecord:
    arn: str
    state_machine_arn: str
    version_arn: str | None
    alias_arn: str | None
    name: str
    type: str
    status: str
    input: str
    output: str | None
    error: str | None
    cause: str | None
    start_date: datetime
    stop_date: datetime | None
    trace_header: str | None
    redrive_count: int
    redrive_date: datetime | None
    definition: str
    role_arn: str


@dataclass(frozen=True, slots=True)
class Finish:
    status: str
    output: str | None
    error: str | None
    cause: str | None
    stop_date: datetime


@dataclass(slots=True)
class StepWrite:
    events: list[tuple[Any, ...]] = field(default_factory=list)
    timers_added: dict[str, tuple[datetime, float]] = field(default_factory=dict)
    timers_removed: set[str] = field(default_factory=set)
    tasks_added: dict[str, tuple[str, str | None, bool]] = field(default_factory=dict)
    tasks_removed: set[str] = field(default_factory=set)
    cursor: str | None = None
    event_count: int = 0  # the execution's number of events after the step
    finish: Finish | None = None
    request_id: int | None = None

    def is_empty(self) -> bool:
        return not (
            self.events
            or self.timers_added
            or self.timers_removed
            or self.tasks_added
            or self.tasks_removed
            or self.cursor is not None
            or self.finish is not None
            or self.request_id is not None
        )


class LeaseLost(Exception):
    """The execution is no longer this process's to advance."""


# Statements are built once: building a statement costs more than running it on SQLite.
R = schema.requests
C = schema.counters
_NEXT_COUNTER = (
    update(C).where(C.c.name == "execution_seq").values(value=C.c.value + 1).returning(C.c.value)
)
_NEXT_SEQUENCE = select(schema.execution_seq.next_value())
_INSERT_EXECUTION = insert(E)
_INSERT_TIMERS = insert(T)
_INSERT_TASKS = insert(P)
_FENCE = and_(
    E.c.arn == bindparam("fence_arn"),
    E.c.status == "RUNNING",
    E.c.lease_owner == bindparam("fence_owner"),
)
_ADVANCE = (
    update(E).where(_FENCE).values(cursor=bindparam("cursor"), event_count=bindparam("count"))
)
_FINISH = (
    update(E)
    .where(_FENCE)
    .values(
        status=bindparam("status"),
        output=bindparam("output"),
        error=bindparam("error"),
        cause=bindparam("cause"),
        stop_date=bindparam("stop_date"),
        event_count=bindparam("count"),
        cursor=bindparam("cursor"),  # kept for RedriveExecution when it ended unsuccessfully
        lease_owner=None,
        lease_expires=None,
    )
)
_HOLDS = select(E.c.arn).where(_FENCE)
_DELETE_TIMERS = delete(T).where(T.c.execution_arn == bindparam("arn"))
_DELETE_SOME_TIMERS = delete(T).where(
    T.c.execution_arn == bindparam("arn"), T.c.timer_id.in_(bindparam("ids", expanding=True))
)
_DELETE_TASKS = delete(P).where(P.c.execution_arn == bindparam("arn"))
_DELETE_SOME_TASKS = delete(P).where(
    P.c.execution_arn == bindparam("arn"), P.c.task_id.in_(bindparam("ids", expanding=True))
)
_DELETE_REQUESTS = delete(R).where(R.c.execution_arn == bindparam("arn"))
_DELETE_REQUEST = delete(R).where(R.c.id == bindparam("request_id"))


def next_seq(connection: Connection, dialect: str) -> int:
    statement = _NEXT_SEQUENCE if dialect == "postgresql" else _NEXT_COUNTER
    return int(connection.execute(statement).scalar_one())


def finish_values(finish: Finish) -> dict[str, Any]:
    """The columns an execution's end sets (its lease is released)."""
    return {
        "status": finish.status,
        "output": finish.output,
        "error": finish.error,
        "cause": finish.cause,
        "stop_date": finish.stop_date,
        "lease_owner": None,
        "lease_expires": None,
    }


def insert_execution(connection: Connection, row: dict[str, Any], write: StepWrite) -> None:
    """A new execution and its first step."""
    values = dict(row)
    if write.finish is not None:
        values.update(finish_values(write.finish))
    values["cursor"] = write.cursor
    values["event_count"] = write.event_count
    connection.execute(_INSERT_EXECUTION, values)
    write_children(connection, row["arn"], write, True)


def write_step(connection: Connection, arn: str, owner: str, write: StepWrite) -> None:
    """One later step; raises :class:`LeaseLost` (the caller's transaction rolls back)."""
    fence = {"fence_arn": arn, "fence_owner": owner, "count": write.event_count}
    finish = write.finish
    if finish is not None:
        updated = connection.execute(
            _FINISH,
            {
                **fence,
                "status": finish.status,
                "output": finish.output,
                "error": finish.error,
                "cause": finish.cause,
                "stop_date": finish.stop_date,
                "cursor": write.cursor,
            },
        ).rowcount
    elif write.cursor is not None:
        updated = connection.execute(_ADVANCE, {**fence, "cursor": write.cursor}).rowcount
    else:
        updated = len(connection.execute(_HOLDS, fence).all())
    if updated != 1:
        raise LeaseLost(arn)
    write_children(connection, arn, write, False)


def write_children(connection: Connection, arn: str, write: StepWrite, first: bool) -> None:
    if write.events:
        insert_events(connection, write.events)
    if write.finish is not None:
        if not first:
            connection.execute(_DELETE_TIMERS, {"arn": arn})
            connection.execute(_DELETE_TASKS, {"arn": arn})
            # Outcomes others left for it can no longer apply.
            connection.execute(_DELETE_REQUESTS, {"arn": arn})
    else:
        if write.timers_removed:
            connection.execute(_DELETE_SOME_TIMERS, {"arn": arn, "ids": list(write.timers_removed)})
        if write.timers_added:
            connection.execute(
                _INSERT_TIMERS,
                [
                    {"execution_arn": arn, "timer_id": k, "fire_at": at, "fire_at_epoch": due}
                    for k, (at, due) in write.timers_added.items()
                ],
            )
        if write.tasks_removed:
            connection.execute(_DELETE_SOME_TASKS, {"arn": arn, "ids": list(write.tasks_removed)})
        if write.tasks_added:
            connection.execute(
                _INSERT_TASKS,
                [
                    {
                        "execution_arn": arn,
                        "task_id": k,
                        "effect": effect,
                        "task_token": token,
                        "callback": callback,
                    }
                    for k, (effect, token, callback) in write.tasks_added.items()
                ],
            )
    if write.request_id is not None:
        connection.execute(_DELETE_REQUEST, {"request_id": write.request_id})


# ---------------------------------------------------------------------- reading

_RECORD_COLUMNS = (
    E.c.arn,
    E.c.state_machine_arn,
    E.c.version_arn,
    E.c.alias_arn,
    E.c.name,
    E.c.type,
    E.c.status,
    E.c.input,
    E.c.output,
    E.c.error,
    E.c.cause,
    E.c.start_date,
    E.c.stop_date,
    E.c.trace_header,
    E.c.redrive_count,
    E.c.redrive_date,
    E.c.definition,
    E.c.role_arn,
)


def _record(row: Any) -> ExecutionRecord:
    start = utc(row.start_date)
    assert start is not None
    return ExecutionRecord(
        arn=row.arn,
        state_machine_arn=row.state_machine_arn,
        version_arn=row.version_arn,
        alias_arn=row.alias_arn,
        name=row.name,
        type=row.type,
        status=row.status,
        input=row.input,
        output=row.output,
        error=row.error,
        cause=row.cause,
        start_date=start,
        stop_date=utc(row.stop_date),
        trace_header=row.trace_header,
        redrive_count=row.redrive_count or 0,
        redrive_date=utc(row.redrive_date),
        definition=row.definition,
        role_arn=row.role_arn,
    )


_READ_RECORD = select(*_RECORD_COLUMNS).where(E.c.arn == bindparam("arn"))


def read_record(connection: Connection, arn: str) -> ExecutionRecord | None:
    row = connection.execute(_READ_RECORD, {"arn": arn}).first()
    return None if row is None else _record(row)


def list_records(
    connection: Connection,
    *,
    state_machine_arn: str | None,
    version_arn: str | None,
    alias_arn: str | None,
    status: str | None,
    after_seq: int | None,
    limit: int,
) -> list[tuple[int, ExecutionRecord]]:
    query = select(E.c.seq, *_RECORD_COLUMNS)
    if state_machine_arn is not None:
        query = query.where(E.c.state_machine_arn == state_machine_arn)
    if version_arn is not None:
        query = query.where(E.c.version_arn == version_arn)
    if alias_arn is not None:
        query = query.where(E.c.alias_arn == alias_arn)
    if status is not None:
        query = query.where(E.c.status == status)
    if after_seq is not None:
        query = query.where(E.c.seq < after_seq)
    query = query.order_by(desc(E.c.seq)).limit(limit)
    return [(int(row.seq), _record(row)) for row in connection.execute(query)]
