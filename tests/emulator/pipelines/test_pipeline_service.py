"""The pipelines service in process: recovery of what a stopped process left (a run written
but not started; a run finished while nothing delivered it), status mapping, cursors,
webhook signatures, the projection of a history into steps."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from emulator.clock import VirtualClock
from emulator.executions import Executions
from emulator.pipelines import cursor, run_steps, webhook_signing
from emulator.pipelines.deliveries import backoff
from emulator.pipelines.service import Pipelines, iso
from emulator.pipelines.service_errors import BadRequest
from emulator.sfn import Services
from emulator.store.db import Database

USER = "user-1"


def document(url: str | None = None) -> str:
    deliver = (
        f"  deliver:\n    - {{type: webhook, url: '{url}', signing_secret_name: SIGNING}}\n"
        if url
        else ""
    )
    return (
        "name: in-process\n"
        "steps:\n"
        "  - id: greet\n"
        "    type: transform\n"
        "    prompt: 'Hello {{input.who}}'\n"
        "output:\n"
        "  from: greet\n" + deliver
    )


@asynccontextmanager
async def service(db_path: Path, secret: str | None = "s3cret") -> AsyncIterator[Pipelines]:
    db = Database(f"sqlite:///{db_path}")
    executions = Executions(db, VirtualClock(), {})
    await executions.open()
    services = Services(db, executions, "123456789012", "us-east-1")
    lookup: Callable[[str, str, str | None], str | None] = lambda user, name, pid: secret  # noqa: E731
    try:
        yield Pipelines(services, secret_lookup=lookup)
    finally:
        await executions.close()
        db.dispose()


@asynccontextmanager
async def receiver(received: list[dict[str, Any]]) -> AsyncIterator[str]:
    async def handle(request: web.Request) -> web.Response:
        received.append({"headers": dict(request.headers), "body": await request.read()})
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    finally:
        await runner.cleanup()


async def until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)


def test_a_run_written_but_not_started_starts_with_the_service(tmp_path: Path) -> None:
    async def main() -> tuple[str, str]:
        async with service(tmp_path / "a.db") as pipelines:
            created = await pipelines.create_pipeline(USER, document(), "application/yaml")
            run = await pipelines.trigger_run(USER, created["id"], {"who": "Ada"}, "api")
            await pipelines.runs.stop()  # the start is lost, as when the process stops
            before = pipelines.get_run(USER, run["id"])["status"]
        async with service(tmp_path / "a.db") as pipelines:
            await pipelines.start()
            try:
                await pipelines.runs.settle()
                await until(lambda: pipelines.get_run(USER, run["id"])["status"] == "completed")
                after = pipelines.get_run(USER, run["id"])
            finally:
                await pipelines.stop()
        return before, after["output_data"]

    before, output = asyncio.run(main())
    assert before == "pending"
    assert output == "Hello Ada"


def test_a_run_finished_unplanned_is_delivered_on_start(tmp_path: Path) -> None:
    received: list[dict[str, Any]] = []

    async def main() -> list[dict[str, Any]]:
        async with receiver(received) as url:
            async with service(tmp_path / "b.db") as pipelines:
                # No deliveries worker is listening: the run finishes unplanned.
                created = await pipelines.create_pipeline(USER, document(url), "text/yaml")
                run = await pipelines.trigger_run(USER, created["id"], {"who": "Bo"}, "manual")
                await pipelines.runs.settle()
                await until(lambda: pipelines.get_run(USER, run["id"])["status"] == "completed")
                assert pipelines.deliveries.for_run(run["id"]) == []
            async with service(tmp_path / "b.db") as pipelines:
                await pipelines.start()
                try:
                    await until(lambda: len(received) == 1)
                    await until(
                        lambda: pipelines.deliveries.for_run(run["id"])[0]["status"] == "succeeded"
                    )
                    # Started again, nothing is planned twice.
                    pipelines.deliveries.recover()
                    deliveries = pipelines.deliveries.for_run(run["id"])
                finally:
                    await pipelines.stop()
        return deliveries

    deliveries = asyncio.run(main())
    assert len(deliveries) == 1 and len(received) == 1
    request = received[0]
    assert webhook_signing.verify(
        "s3cret", request["headers"]["X-StepIQ-Timestamp"], request["body"],
        request["headers"]["X-StepIQ-Signature"],
    )  # fmt: skip
    assert json.loads(request["body"])["output"] == "Hello Bo"


def test_cursor_round_trip_and_refusal() -> None:
    assert cursor.decode(cursor.encode(41)) == 41
    with pytest.raises(BadRequest):
        cursor.decode("not-a-cursor")
    with pytest.raises(BadRequest):
        cursor.limit_of(0)
    assert cursor.limit_of(None) == cursor.DEFAULT_LIMIT


def test_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    # Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac key
    signature = webhook_signing.signature("key", 1700000000, b'{"a":1}')
    assert (
        signature
        == "v1=" + __import__("hmac").new(b"key", b'1700000000.{"a":1}', "sha256").hexdigest()
    )
    assert webhook_signing.verify("key", "1700000000", b'{"a":1}', signature)
    assert not webhook_signing.verify("key", "1700000001", b'{"a":1}', signature)
    headers = webhook_signing.headers("pipeline.run.completed", 1, b"{}", None)
    assert "X-StepIQ-Signature" not in headers


def test_backoff_is_one_two_four_seconds() -> None:
    assert [backoff(n) for n in (1, 2, 3)] == [1.0, 2.0, 4.0]


def test_iso_timestamps_are_utc_milliseconds() -> None:
    assert iso(datetime(2026, 2, 27, 10, 0, 4, 123456, tzinfo=UTC)) == "2026-02-27T10:00:04.123Z"
    assert iso(None) is None


def _event(event_id: int, previous: int, kind: str, **details: Any) -> dict[str, Any]:
    stamp = datetime(2026, 1, 1, 0, 0, event_id, tzinfo=UTC)
    event = {"id": event_id, "previousEventId": previous, "type": kind, "timestamp": stamp}
    if details:
        event["detailsEventDetails"] = details
    return event


def test_projection_of_a_retried_step_and_a_waiting_review() -> None:
    record = {"output": "text", "model": "m", "usage": {"input_tokens": 3, "output_tokens": 4,
                                                       "cost_cents": 2}}  # fmt: skip
    events = [
        _event(1, 0, "ExecutionStarted"),
        _event(2, 1, "TaskStateEntered", name="write"),
        _event(3, 2, "TaskScheduled", resource="llm.invoke", parameters="{}"),
        _event(4, 3, "TaskFailed", error="Boom", cause="c"),
        _event(5, 4, "TaskScheduled", resource="llm.invoke", parameters="{}"),
        _event(6, 5, "TaskSucceeded", output=json.dumps(record)),
        _event(7, 6, "TaskStateExited", name="write", output=json.dumps(record)),
        _event(8, 7, "TaskStateEntered", name="review"),
        _event(
            9,
            8,
            "TaskScheduled",
            resource="humanReview.waitForTaskToken",
            parameters=json.dumps({"TaskToken": "tok"}),
        ),
        _event(10, 9, "TaskStarted"),
        _event(11, 10, "TaskSubmitted", output="{}"),
    ]
    steps = {s["step_id"]: s for s in run_steps.project(events, ["write", "review", "later"])}
    assert steps["write"]["status"] == "completed"
    assert steps["write"]["retry_count"] == 1
    assert (steps["write"]["input_tokens"], steps["write"]["output_tokens"]) == (3, 4)
    assert steps["write"]["cost_cents"] == 2 and steps["write"]["output"] == "text"
    assert steps["write"]["duration_ms"] == 5000
    assert steps["review"]["status"] == "waiting"
    assert steps["later"]["status"] == "pending"
    assert run_steps.pending_token(events, "review") == "tok"
    assert run_steps.pending_token(events, "write") is None


def test_a_run_cancelled_before_its_start_never_starts(tmp_path: Path) -> None:
    async def main() -> tuple[dict[str, Any], dict[str, Any], Any, dict[str, Any]]:
        async with service(tmp_path / "c.db") as pipelines:
            created = await pipelines.create_pipeline(USER, document(), "application/yaml")
            run = await pipelines.trigger_run(USER, created["id"], {"who": "Cy"}, "api")
            cancelled = await pipelines.cancel_run(USER, run["id"])
            await pipelines.runs.settle()
            execution = pipelines.services.executions.get(run["execution_arn"])
            listed = pipelines.queries.list(USER, status="cancelled")
            return run, cancelled, execution, listed

    run, cancelled, execution, listed = asyncio.run(main())
    assert run["status"] == "pending"
    assert cancelled["cancelled"] is True and cancelled["run"]["status"] == "cancelled"
    assert execution is None  # the execution was never started
    assert [r["id"] for r in listed["runs"]] == [run["id"]]
