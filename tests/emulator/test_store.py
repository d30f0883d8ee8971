"""The store: schema creation and migrations, SQLite settings, rows of a step, fencing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from databases import database_url, sqlite_file_url
from sqlalchemy import inspect, select, text, update

import asl
from emulator.store import event_rows, migrations, schema
from emulator.store import execution_rows as rows
from emulator.store.db import Database, default_url, normalize_url
from emulator.store.messages import (
    invoke_task_from_json,
    invoke_task_to_json,
    outcome_from_json,
    outcome_to_json,
)

__all__ = ["database_url"]

NOW = datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=UTC)
ARN = "arn:aws:states:us-east-1:123456789012:execution:M:e"


def row(arn: str = ARN, owner: str | None = "me") -> dict[str, Any]:
    return {
        "arn": arn,
        "state_machine_arn": "arn:aws:states:us-east-1:123456789012:stateMachine:M",
        "version_arn": None,
        "alias_arn": None,
        "name": arn.rsplit(":", 1)[1],
        "type": "STANDARD",
        "status": "RUNNING",
        "definition": "{}",
        "role_arn": "arn:aws:iam::123456789012:role/R",
        "input": "{}",
        "start_date": NOW,
        "trace_header": None,
        "redrive_count": 0,
        "lease_owner": owner,
        "lease_expires": NOW + timedelta(days=3650),
    }


def event(id: int, type: str, details: dict[str, Any] | None = None) -> asl.Event:
    key = None if details is None else type[0].lower() + type[1:] + "EventDetails"
    return asl.Event(id, id - 1, NOW + timedelta(seconds=id), type, key, details)


def test_a_new_database_gets_every_table_and_the_current_version(database_url: str) -> None:
    db = Database(database_url)
    try:
        with db.begin() as c:
            tables = set(inspect(c).get_table_names())
            assert set(schema.metadata.tables) <= tables
            assert migrations.current_version(c) == schema.SCHEMA_VERSION
        Database(database_url).dispose()  # opening again changes nothing
        with db.begin() as c:
            assert c.execute(select(schema.schema_version)).all() == [(schema.SCHEMA_VERSION,)]
    finally:
        db.dispose()


def test_an_older_database_is_migrated_step_by_step(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    Database(database_url).dispose()
    applied: list[int] = []

    def add_column(connection: Any, dialect: str) -> None:
        applied.append(2)
        connection.execute(text("ALTER TABLE executions ADD COLUMN color INTEGER"))

    monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    monkeypatch.setitem(migrations.STEPS, schema.SCHEMA_VERSION, add_column)
    db = Database(database_url)
    try:
        with db.begin() as c:
            assert migrations.current_version(c) == schema.SCHEMA_VERSION
            columns = {col["name"] for col in inspect(c).get_columns("executions")}
        assert "color" in columns and applied == [2]
        Database(database_url).dispose()
        assert applied == [2]  # once only
    finally:
        db.dispose()


def test_a_database_from_a_newer_stepline_is_refused(database_url: str) -> None:
    db = Database(database_url)
    with db.begin() as c:
        c.execute(update(schema.schema_version).values(version=schema.SCHEMA_VERSION + 5))
    db.dispose()
    with pytest.raises(migrations.SchemaTooNew, match="upgrade Stepline"):
        Database(database_url)


def test_sqlite_runs_in_wal_mode_with_normal_sync(tmp_path: Path) -> None:
    db = Database(sqlite_file_url(tmp_path / "nested" / "dir"))
    try:
        assert db.dialect == "sqlite"
        with db.begin() as c:
            assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert (tmp_path / "nested" / "dir" / "stepline.db").exists()
    finally:
        db.dispose()
    memory = Database("sqlite://")
    with memory.begin() as c:
        assert migrations.current_version(c) == schema.SCHEMA_VERSION


def test_urls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_url() == f"sqlite:///{tmp_path}/stepline/stepline.db"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_url() == f"sqlite:///{tmp_path}/.local/share/stepline/stepline.db"
    assert normalize_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalize_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"
    with pytest.raises(ValueError, match="unsupported database"):
        Database("mysql://u@h/d")


def test_a_step_writes_events_timers_tasks_and_is_fenced_by_the_lease(database_url: str) -> None:
    db = Database(database_url)
    try:
        first = rows.StepWrite(
            events=event_rows.event_rows(ARN, (event(1, "ExecutionStarted", {"input": {"a": 1}}),)),
            timers_added={"wait:1": (NOW + timedelta(seconds=5), 1.5)},
            tasks_added={"k2": ('{"id":"k2"}', None, False)},
            cursor='{"c":1}',
            event_count=1,
        )
        with db.begin() as c:
            seq = rows.next_seq(c, db.dialect)
            rows.insert_execution(c, {**row(), "seq": seq}, first)
        with db.begin() as c:
            assert rows.next_seq(c, db.dialect) == seq + 1
        second = rows.StepWrite(
            events=event_rows.event_rows(ARN, (event(2, "WaitStateEntered", {"name": "W"}),)),
            timers_removed={"wait:1"},
            tasks_removed={"k2"},
            cursor='{"c":2}',
            event_count=2,
        )
        with pytest.raises(rows.LeaseLost), db.begin() as c:
            rows.write_step(c, ARN, "somebody else", second)
        with db.begin() as c:  # nothing of the refused step was written
            assert len(c.execute(select(schema.events)).all()) == 1
            assert len(c.execute(select(schema.timers)).all()) == 1
            rows.write_step(c, ARN, "me", second)
        with db.begin() as c:
            assert c.execute(select(schema.timers)).all() == []
            assert c.execute(select(schema.pending_tasks)).all() == []
            stored = c.execute(
                select(schema.executions.c.cursor, schema.executions.c.event_count)
            ).one()
            assert tuple(stored) == ('{"c":2}', 2)
            history = event_rows.read_history(c, ARN, reverse=False, include_data=True, start=0, limit=10)
        assert history[0] == {
            "timestamp": NOW + timedelta(seconds=1),
            "type": "ExecutionStarted",
            "id": 1,
            "previousEventId": 0,
            "executionStartedEventDetails": {
                "input": '{"a":1}',
                "inputDetails": {"truncated": False},
            },
        }
        done = rows.StepWrite(
            finish=rows.Finish("SUCCEEDED", '{"a":1}', None, None, NOW + timedelta(seconds=9)),
            event_count=2,
        )
        with db.begin() as c:
            rows.write_step(c, ARN, "me", done)
            record = rows.read_record(c, ARN)
            final = c.execute(select(schema.executions)).one()
        assert record is not None
        assert (record.status, record.output, record.stop_date) == (
            "SUCCEEDED",
            '{"a":1}',
            NOW + timedelta(seconds=9),
        )
        assert (final.cursor, final.lease_owner, final.lease_expires) == (None, None, None)
        with pytest.raises(rows.LeaseLost), db.begin() as c:  # a finished one takes no step
            rows.write_step(c, ARN, "me", done)
    finally:
        db.dispose()


def test_effects_and_outcomes_survive_their_json_form() -> None:
    effect = asl.InvokeTask("k1", "arn:r", {"big": 2**70, "s": "é"}, "T", 5, 2, "tok", {"R": 1})
    assert invoke_task_from_json(invoke_task_to_json(effect)) == effect
    outcomes: list[asl.Outcome] = [
        asl.TaskSucceeded("k1", {"a": [1, None]}),
        asl.TaskFailed("k1", "E", "C"),
        asl.TaskHeartbeat("k1"),
        asl.TimerFired("wait:3"),
        asl.CallbackSucceeded("tok", "text"),
        asl.CallbackFailed("tok", "E"),
        asl.StopRequested(None, "why"),
    ]
    for outcome in outcomes:
        assert outcome_from_json(outcome_to_json(outcome)) == outcome
    with pytest.raises(ValueError, match="unknown outcome"):
        outcome_from_json('{"kind": "Nope"}')
