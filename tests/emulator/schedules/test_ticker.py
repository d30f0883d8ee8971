"""The ticker on a virtual clock, with a recorded fire function (the server test fires
real pipeline runs)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from emulator.clock import VirtualClock
from emulator.pipelines.service_errors import InputValidationFailed
from emulator.schedules import Schedules, Ticker
from emulator.store.db import Database
from emulator.store.schema_schedules import schedules as table

START = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)


def make() -> tuple[VirtualClock, Schedules]:
    clock = VirtualClock(START)
    return clock, Schedules(Database("sqlite://"), clock)


def test_schedules_fire_in_order_at_their_own_times() -> None:
    async def scenario() -> None:
        clock, schedules = make()
        fired: list[tuple[str, datetime]] = []

        async def fire(row: Any) -> str:
            fired.append((row.name, clock.now()))
            return f"run-{len(fired)}"

        ticker = Ticker(schedules, clock, fire)
        await ticker.start()
        try:
            hourly = schedules.create("u1", "p1", {"name": "hourly", "cron_expression": "0 * * * *"})
            schedules.create(
                "u1", "p1",
                {"name": "ny", "cron_expression": "30 2 * * *", "timezone": "America/New_York"},
            )  # fmt: skip
            assert hourly["next_run_at"] == "2026-03-07T13:00:00.000Z"
            await asyncio.sleep(0.05)
            assert fired == []  # a schedule never makes a virtual clock jump by itself
            await clock.advance(3 * 3600)
            assert fired == [
                ("hourly", datetime(2026, 3, 7, 13, tzinfo=UTC)),
                ("hourly", datetime(2026, 3, 7, 14, tzinfo=UTC)),
                ("hourly", datetime(2026, 3, 7, 15, tzinfo=UTC)),
            ]
            fired.clear()
            # Through the New York spring-forward night: 02:30 does not exist on 8 March and,
            # as on EventBridge Scheduler, does not fire; the hourly schedule goes on in UTC.
            await clock.set_time(datetime(2026, 3, 8, 7, 30, tzinfo=UTC))
            assert [name for name, _ in fired if name == "ny"] == []
            hours = [when.hour for name, when in fired if name == "hourly"]
            assert hours == [*range(16, 24), *range(0, 8)]
            await clock.set_time(datetime(2026, 3, 9, 6, 30, tzinfo=UTC))
            ny = [when for name, when in fired if name == "ny"]
            assert ny == [datetime(2026, 3, 9, 6, 30, tzinfo=UTC)]  # 02:30 EDT
            assert [when for _, when in fired] == sorted(when for _, when in fired)
            listed = {s["name"]: s for s in schedules.for_pipeline("u1", "p1")}
            assert listed["ny"]["last_run_at"] == "2026-03-09T06:30:00.000Z"
            assert listed["ny"]["next_run_at"] == "2026-03-10T06:30:00.000Z"
            last_hourly = max(i for i, (name, _) in enumerate(fired) if name == "hourly")
            assert listed["hourly"]["last_run_id"] == f"run-{last_hourly + 1}"
        finally:
            await ticker.stop()

    asyncio.run(scenario())


def test_disabled_schedules_do_not_fire_and_failures_are_recorded() -> None:
    async def scenario() -> None:
        clock, schedules = make()
        calls: list[str] = []

        async def fire(row: Any) -> str:
            calls.append(row.name)
            if row.name == "bad":
                raise InputValidationFailed([{"field": "input.topic", "message": "is required"}])
            return "run-ok"

        ticker = Ticker(schedules, clock, fire)
        await ticker.start()
        try:
            bad = schedules.create("u1", "p1", {"name": "bad", "cron_expression": "*/10 * * * *"})
            off = schedules.create("u1", "p1", {"name": "off", "cron_expression": "* * * * *"})
            schedules.set_enabled("u1", off["id"], False)
            await clock.advance(25 * 60)
            assert calls == ["bad", "bad"]  # 12:10 and 12:20; the ticker survived the failures
            row = schedules.get("u1", bad["id"])
            assert row["last_error"] == {
                "error": "Input validation failed",
                "code": "INPUT_VALIDATION_FAILED",
                "issues": [{"field": "input.topic", "message": "is required"}],
            }
            assert row["next_run_at"] == "2026-03-07T12:30:00.000Z"
            assert schedules.get("u1", off["id"])["next_run_at"] is None
            schedules.set_enabled("u1", off["id"], True)
            await clock.advance(60)
            assert calls[-1] == "off"
            upcoming = schedules.upcoming("u1", 3)
            assert [u["run_at"] for u in upcoming] == [
                "2026-03-07T12:27:00.000Z",
                "2026-03-07T12:28:00.000Z",
                "2026-03-07T12:29:00.000Z",
            ]
        finally:
            await ticker.stop()

    asyncio.run(scenario())


def test_a_schedule_fires_once_when_two_tickers_share_the_database() -> None:
    async def scenario() -> None:
        clock, schedules = make()
        other = Schedules(schedules.db, clock)
        fired: list[str] = []

        async def fire(row: Any) -> str:
            fired.append(row.id)
            return "r"

        first, second = Ticker(schedules, clock, fire), Ticker(other, clock, fire)
        await first.start()
        await second.start()
        try:
            schedules.create("u1", "p1", {"name": "s", "cron_expression": "0 13 * * *"})
            second.changed()
            await clock.advance(3600)
            assert len(fired) == 1
        finally:
            await first.stop()
            await second.stop()

    asyncio.run(scenario())


def test_validation_errors() -> None:
    _, schedules = make()
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"cron_expression": "* * * * *"}, "name", "VALIDATION_ERROR"),
        ({"name": "x", "cron_expression": "* * *"}, "cron_expression", "INVALID_CRON"),
        ({"name": "x", "cron_expression": "* * * * *", "timezone": "Nowhere/City"},
         "timezone", "INVALID_TIMEZONE"),
        ({"name": "x", "cron_expression": "* * * * *", "input_data": [1]}, "input_data",
         "VALIDATION_ERROR"),
    ]  # fmt: skip
    for body, field, code in cases:
        try:
            schedules.create("u1", "p1", body)
        except Exception as exc:
            assert getattr(exc, "code", None) == code
            assert exc.issues[0]["field"] == field  # type: ignore[attr-defined]
        else:
            raise AssertionError(f"{body} was accepted")
    with schedules.db.begin() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0


def test_input_data_is_stored_as_given() -> None:
    _, schedules = make()
    created = schedules.create(
        "u1", "p1", {"name": "x", "cron_expression": "0 0 1 1 *", "input_data": {"topic": "a"}}
    )
    assert created["input_data"] == {"topic": "a"}
    with schedules.db.begin() as conn:
        stored = conn.execute(sa.select(table.c.input_data)).scalar_one()
    assert json.loads(stored) == {"topic": "a"}
