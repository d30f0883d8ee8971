"""The waitForEvent integration: it records each waiting task under its event id; waiters
whose task waits no more are dropped when read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select

import asl
from emulator.integrations import TaskCall, find
from emulator.integrations.events import CALLBACK, RESOURCE, WAITS, EventWaits, waiters
from emulator.store.db import Database
from emulator.store.schema import pending_tasks
from emulator.store.schema_stepflow import stepflow_event_waiters

NOW = datetime(2024, 1, 1, tzinfo=UTC)
ARN = "arn:aws:states:us-east-1:123456789012:execution:m:e"
TOKEN = "a" * 64


def effect(params: object, resource: str = CALLBACK, token: str | None = TOKEN) -> asl.InvokeTask:
    return asl.InvokeTask("t1", resource, params, "Wait", task_token=token)


def test_both_resources_are_answered_by_the_registered_integration() -> None:
    assert find(CALLBACK) is WAITS
    assert find(RESOURCE) is WAITS
    assert find(CALLBACK + "x") is not WAITS


def test_without_a_database_the_task_fails_clearly() -> None:
    when, outcome = EventWaits().call(TaskCall(effect({"EventId": "e"}), NOW, ARN))
    assert when == NOW
    assert isinstance(outcome, asl.TaskFailed)
    assert outcome.error == "Stepline.InvalidParameterException"
    assert "stepline serve" in (outcome.cause or "")


def test_a_waiter_is_recorded_and_read_while_its_task_waits(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'events.db'}")
    waits = EventWaits()
    waits.db = db
    _, outcome = waits.call(TaskCall(effect({"EventId": "paid", "TaskToken": TOKEN}), NOW, ARN))
    assert isinstance(outcome, asl.TaskSucceeded)
    assert outcome.output == {"EventId": "paid"}
    # The task is not pending (nothing committed it): the row is stale and is dropped.
    assert waiters(db, "paid") == []
    with db.begin() as connection:
        assert connection.execute(select(stepflow_event_waiters)).all() == []
    waits.call(TaskCall(effect({"EventId": "paid"}), NOW, ARN))
    with db.begin() as connection:
        connection.execute(insert(pending_tasks).values(
            execution_arn=ARN, task_id="t1", effect="{}", task_token=TOKEN, callback=True,
        ))  # fmt: skip
    assert waiters(db, "paid") == [(TOKEN, ARN)]
    assert waiters(db, "other") == []
    db.dispose()
