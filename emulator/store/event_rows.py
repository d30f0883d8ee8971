"""The events table: each step's history events as one row (encoded by ``history_codec``),
and GetExecutionHistory read back from it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, desc, select

from asl.history import Event, render_details
from emulator.store import history_codec, schema

E = schema.executions
EV = schema.events


def utc(value: datetime | None) -> datetime | None:
    """A datetime from the store as aware UTC (SQLite keeps no zone)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def event_rows(arn: str, events: tuple[Event, ...]) -> list[tuple[Any, ...]]:
    """The events table's rows for one step's events: one row per timestamp (the interpreter
    stamps a step's events with the step's time, so in practice one row).  The details keep
    the values the interpreter recorded, encoded once with the whole batch;
    GetExecutionHistory's rendering happens on reading."""
    rows: list[tuple[Any, ...]] = []
    batch: list[Event] = []
    for event in events:
        if batch and event.timestamp != batch[0].timestamp:
            rows.append(_batch_row(arn, batch))
            batch = []
        batch.append(event)
    if batch:
        rows.append(_batch_row(arn, batch))
    return rows


def _batch_row(arn: str, batch: list[Event]) -> tuple[Any, ...]:
    return (arn, batch[0].id, batch[-1].id, batch[0].timestamp, history_codec.encode(batch))


_EVENT_COLUMNS = "execution_arn, first_id, last_id, timestamp, body"
_INSERT_EVENTS_SQL = {
    "sqlite": f"INSERT INTO events ({_EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
    "postgresql": f"INSERT INTO events ({_EVENT_COLUMNS}) VALUES (%s, %s, %s, %s, %s)",
}


def insert_events(connection: Connection, rows: list[tuple[Any, ...]]) -> None:
    """Straight to the driver, as SQLAlchemy's parameter processing costs more than the
    insert; SQLite gets SQLAlchemy's DateTime storage format, in UTC."""
    dialect = connection.dialect.name
    if dialect == "sqlite":
        rows = [
            (*row[:3], row[3].astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"), row[4])
            for row in rows
        ]
    connection.exec_driver_sql(_INSERT_EVENTS_SQL[dialect], rows)


def read_history(
    connection: Connection, arn: str, *, reverse: bool, include_data: bool, start: int, limit: int
) -> list[dict[str, Any]]:
    query = select(EV.c.timestamp, EV.c.body).where(EV.c.execution_arn == arn)
    if reverse:
        if start > 0:
            query = query.where(EV.c.first_id < start)
        query = query.order_by(desc(EV.c.first_id))
    else:
        query = query.where(EV.c.last_id > start).order_by(EV.c.first_id)
    out: list[dict[str, Any]] = []
    for row in connection.execute(query):
        stamp = utc(row.timestamp)
        batch = history_codec.decode(row.body)
        for event_id, previous, kind, details_key, details in (
            reversed(batch) if reverse else batch
        ):
            if (event_id >= start > 0) if reverse else event_id <= start:
                continue
            event: dict[str, Any] = {
                "timestamp": stamp,
                "type": kind,
                "id": event_id,
                "previousEventId": previous,
            }
            if details_key is not None:
                event[details_key] = render_details(details or {}, include_data)
            out.append(event)
            if len(out) >= limit:
                return out
    return out


def last_event_time(connection: Connection) -> datetime | None:
    """The latest event of any running execution (a restarted virtual clock starts there)."""
    query = (
        select(EV.c.timestamp)
        .select_from(
            EV.join(E, and_(EV.c.execution_arn == E.c.arn, EV.c.last_id == E.c.event_count))
        )
        .where(E.c.status == "RUNNING")
        .order_by(desc(EV.c.timestamp))
        .limit(1)
    )
    return utc(connection.execute(query).scalar())
