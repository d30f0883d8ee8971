"""The rows of nested executions' links (emulator.store.schema_executions_links): which Task
of which execution started which child, and whether the child's end reached the parent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from emulator.store.schema_executions_links import execution_links as L


def find(connection: Connection, parent_arn: str, task_id: str) -> Any:
    return connection.execute(
        select(L.c.child_arn, L.c.pattern, L.c.delivered).where(
            L.c.parent_arn == parent_arn, L.c.task_id == task_id
        )
    ).first()


def save(
    connection: Connection,
    parent_arn: str,
    task_id: str,
    child_arn: str | None,
    pattern: str,
    now: datetime,
) -> None:
    connection.execute(delete(L).where(L.c.parent_arn == parent_arn, L.c.task_id == task_id))
    connection.execute(
        insert(L).values(
            parent_arn=parent_arn,
            task_id=task_id,
            child_arn=child_arn,
            pattern=pattern,
            delivered=False,
            created=now,
        )
    )


def set_child(connection: Connection, parent_arn: str, task_id: str, child_arn: str) -> None:
    connection.execute(
        update(L)
        .where(L.c.parent_arn == parent_arn, L.c.task_id == task_id)
        .values(child_arn=child_arn)
    )


def drop(connection: Connection, parent_arn: str, task_id: str) -> None:
    connection.execute(delete(L).where(L.c.parent_arn == parent_arn, L.c.task_id == task_id))


def mark_delivered(connection: Connection, parent_arn: str, task_id: str) -> None:
    connection.execute(
        update(L).where(L.c.parent_arn == parent_arn, L.c.task_id == task_id).values(delivered=True)
    )


def waiting_parent(connection: Connection, child_arn: str, patterns: tuple[str, ...]) -> Any:
    """The open link (parent_arn, task_id, pattern) of a child whose parent waits for its end."""
    return connection.execute(
        select(L.c.parent_arn, L.c.task_id, L.c.pattern).where(
            L.c.child_arn == child_arn, L.c.delivered.is_(False), L.c.pattern.in_(patterns)
        )
    ).first()


def close(connection: Connection, parent_arn: str, child_arn: str) -> None:
    connection.execute(
        update(L)
        .where(L.c.parent_arn == parent_arn, L.c.child_arn == child_arn)
        .values(delivered=True)
    )


def open_links(
    connection: Connection, patterns: tuple[str, ...], arn: str | None = None
) -> list[Any]:
    """Open links of these patterns (parent_arn, task_id, child_arn, pattern); with ``arn``,
    those where it is the parent or the child."""
    query = select(L.c.parent_arn, L.c.task_id, L.c.child_arn, L.c.pattern).where(
        L.c.delivered.is_(False), L.c.pattern.in_(patterns)
    )
    if arn is not None:
        query = query.where((L.c.parent_arn == arn) | (L.c.child_arn == arn))
    return list(connection.execute(query).all())
