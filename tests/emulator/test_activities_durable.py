"""The durable activity queue and task tokens through ``Executions`` (SQLite and PostgreSQL).

https://docs.aws.amazon.com/step-functions/latest/dg/concepts-activities.html
https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetActivityTask.html
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from databases import database_url, sqlite_file_url
from sqlalchemy import delete, select

from emulator.clock import VirtualClock
from emulator.executions import ExecutionRequest, Executions, TaskTimedOut
from emulator.store import schema
from emulator.store.db import Database

__all__ = ["database_url"]

START = datetime(2024, 1, 1, tzinfo=UTC)
ACCOUNT = "123456789012"
ACTIVITY = f"arn:aws:states:us-east-1:{ACCOUNT}:activity:Worker"
CALLBACK = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/StepFunctionsRole"
SM = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:Local"


def _task_machine(resource: str, **task: Any) -> str:
    return json.dumps(
        {
            "StartAt": "Work",
            "States": {"Work": {"Type": "Task", "Resource": resource, "End": True, **task}},
        }
    )


async def _start(ex: Executions, name: str, definition: str, input: Any = None) -> str:
    record = await ex.start_execution(
        ExecutionRequest(
            arn=f"arn:aws:states:us-east-1:{ACCOUNT}:execution:Local:{name}",
            state_machine_arn=SM,
            name=name,
            definition=definition,
            role_arn=ROLE,
            input_text=json.dumps({} if input is None else input),
            type="STANDARD",
        ),
    )
    return record.arn


def _types(ex: Executions, arn: str) -> list[str]:
    return [e["type"] for e in ex.history(arn, limit=1000)]


Scenario = Callable[[Executions], Awaitable[None]]


def _run(url: str, scenario: Scenario, handlers: dict[str, Any] | None = None) -> None:
    async def main() -> None:
        ex = Executions(Database(url), VirtualClock(START), handlers or {})
        await ex.open()
        try:
            await scenario(ex)
        finally:
            await ex.close()
            ex.db.dispose()

    asyncio.run(main())


def test_one_worker_takes_the_task_and_its_token_finishes_it(database_url: str) -> None:
    async def scenario(ex: Executions) -> None:
        arn = await _start(ex, "one", _task_machine(ACTIVITY), {"n": 1})
        first, second = await asyncio.gather(
            ex.get_activity_task(ACTIVITY, "w-a", 0.5),
            ex.get_activity_task(ACTIVITY, "w-b", 0.5),
        )
        taken = [t for t in (first, second) if t is not None]
        assert len(taken) == 1
        token, data = taken[0]
        assert json.loads(data) == {"n": 1}
        worker = "w-a" if first is not None else "w-b"
        history = ex.history(arn, limit=100)
        assert [e["type"] for e in history][-2:] == ["ActivityScheduled", "ActivityStarted"]
        assert history[-1]["activityStartedEventDetails"] == {"workerName": worker}
        await ex.send_task_heartbeat(token)
        await ex.send_task_success(token, '{"done": true}')
        record = await ex.wait_finished(arn, timeout=10)
        assert record.status == "SUCCEEDED" and json.loads(record.output or "") == {"done": True}
        with pytest.raises(TaskTimedOut):
            await ex.send_task_success(token, "{}")
        assert await ex.get_activity_task(ACTIVITY, "late", 0.1) is None

    _run(database_url, scenario)


def test_tasks_are_handed_out_oldest_first_and_only_for_their_activity(
    database_url: str,
) -> None:
    other = ACTIVITY + "Other"

    async def scenario(ex: Executions) -> None:
        await _start(ex, "first", _task_machine(ACTIVITY), {"i": 1})
        await _start(ex, "second", _task_machine(ACTIVITY), {"i": 2})
        assert await ex.get_activity_task(other, None, 0.1) is None
        one = await ex.get_activity_task(ACTIVITY, None, 0.5)
        two = await ex.get_activity_task(ACTIVITY, None, 0.5)
        assert one is not None and two is not None
        assert [json.loads(one[1]), json.loads(two[1])] == [{"i": 1}, {"i": 2}]
        assert one[0] != two[0]

    _run(database_url, scenario)


def test_a_long_poll_returns_as_soon_as_a_task_is_scheduled(sqlite_url: str) -> None:
    async def scenario(ex: Executions) -> None:
        async def later() -> str:
            await asyncio.sleep(0.2)
            return await _start(ex, "later", _task_machine(ACTIVITY), {"x": 1})

        began = time.monotonic()
        polled, arn = await asyncio.gather(ex.get_activity_task(ACTIVITY, "w", 10), later())
        assert polled is not None and json.loads(polled[1]) == {"x": 1}
        assert time.monotonic() - began < 5
        assert "ActivityStarted" in _types(ex, arn)

    _run(sqlite_url, scenario)


def test_the_virtual_clock_waits_for_the_worker_rather_than_timing_the_task_out(
    sqlite_url: str,
) -> None:
    async def scenario(ex: Executions) -> None:
        arn = await _start(ex, "slow", _task_machine(ACTIVITY, TimeoutSeconds=5))
        await asyncio.sleep(0.3)
        assert ex.get(arn) is not None and ex.get(arn).status == "RUNNING"  # type: ignore[union-attr]
        assert "ActivityTimedOut" not in _types(ex, arn)
        taken = await ex.get_activity_task(ACTIVITY, "w", 0.5)
        assert taken is not None
        await ex.send_task_failure(taken[0], "Worker.Broke", "gears")
        record = await ex.wait_finished(arn, timeout=10)
        assert (record.status, record.error, record.cause) == ("FAILED", "Worker.Broke", "gears")

    _run(sqlite_url, scenario)


def test_a_waiting_task_is_offered_again_after_a_restart(tmp_path: Path) -> None:
    url = sqlite_file_url(tmp_path)
    started: list[str] = []

    async def before(ex: Executions) -> None:
        started.append(await _start(ex, "kept", _task_machine(ACTIVITY), {"k": 1}))

    _run(url, before)
    # As if the process had died between the step's commit and offering the task.
    db = Database(url)
    with db.begin() as connection:
        connection.execute(delete(schema.activity_tasks))
    db.dispose()

    async def after(ex: Executions) -> None:
        taken = await ex.get_activity_task(ACTIVITY, "again", 1)
        assert taken is not None and json.loads(taken[1]) == {"k": 1}
        await ex.send_task_success(taken[0], '"ok"')
        record = await ex.wait_finished(started[0], timeout=10)
        assert record.status == "SUCCEEDED"
        assert _types(ex, started[0]).count("ActivityScheduled") == 1
        # The ended task's row is forgotten when the activity is next polled.
        assert await ex.get_activity_task(ACTIVITY, "next", 0.1) is None

    _run(url, after)
    db = Database(url)
    with db.begin() as connection:
        assert connection.execute(select(schema.activity_tasks)).all() == []  # forgotten
    db.dispose()


def test_a_callback_before_the_service_call_answered_completes_the_task(
    sqlite_url: str,
) -> None:
    release = threading.Event()

    def slow_service(data: Any) -> Any:
        release.wait(10)
        return {"MessageId": "m"}

    async def scenario(ex: Executions) -> None:
        definition = _task_machine(
            CALLBACK, Parameters={"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}}
        )
        arn = await _start(ex, "early", definition)
        history = ex.history(arn, limit=100)
        scheduled = next(e for e in history if e["type"] == "TaskScheduled")
        token = json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["MessageBody"][
            "token"
        ]
        await ex.send_task_success(token, '{"early": 1}')
        record = await ex.wait_finished(arn, timeout=10)
        release.set()
        assert record.status == "SUCCEEDED" and json.loads(record.output or "") == {"early": 1}
        types = _types(ex, arn)
        assert "TaskSubmitted" not in types and types[-3:] == [
            "TaskSucceeded",
            "TaskStateExited",
            "ExecutionSucceeded",
        ]

    try:
        _run(sqlite_url, scenario, {CALLBACK: slow_service})
    finally:
        release.set()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return sqlite_file_url(tmp_path)
