"""Several runners on one database: leases, requests between them, takeover, fencing."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from databases import database_url
from sqlalchemy import update
from test_executions import FN, ROLE, SM, START, arn, driver_history, machine, untimed

from emulator.clock import VirtualClock
from emulator.executions import ExecutionRequest, Executions
from emulator.store import schema
from emulator.store.db import Database

__all__ = ["database_url"]

WAIT = machine(
    {"W": {"Type": "Wait", "Seconds": 100, "Next": "P"}, "P": {"Type": "Pass", "End": True}}
)
TASK = machine({"T": {"Type": "Task", "Resource": FN, "End": True}})
E = schema.executions


def runner(url: str, handlers: dict[str, Any] | None = None, **options: Any) -> Executions:
    options.setdefault("poll_seconds", 0.02)
    return Executions(Database(url), VirtualClock(START), handlers or {}, **options)


async def start(ex: Executions, name: str, definition: str) -> str:
    record = await ex.start_execution(
        ExecutionRequest(arn=arn(name), state_machine_arn=SM, name=name, definition=definition,
        role_arn=ROLE, input_text="{}", type="STANDARD"),
    )  # fmt: skip
    return record.arn


def owner_of(ex: Executions, execution: str) -> str | None:
    with ex.db.begin() as c:
        return c.execute(E.select().where(E.c.arn == execution)).one().lease_owner  # type: ignore[no-any-return]


CALLBACK = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
AWAIT = machine(
    {
        "C": {
            "Type": "Task",
            "Resource": CALLBACK,
            "Parameters": {"t.$": "$$.Task.Token"},
            "End": True,
        }
    }
)


def test_a_stop_sent_to_another_process_is_applied_by_the_owner(database_url: str) -> None:
    async def main() -> None:
        a = runner(database_url, {CALLBACK: lambda _: {}})
        b = runner(database_url)
        await a.open()
        await b.open()
        try:
            await start(a, "c", AWAIT)  # a callback awaited: a's clock stays put
            execution = await start(a, "w", WAIT)
            await asyncio.sleep(0.05)
            assert owner_of(a, execution) == a.owner
            record = await b.stop_execution(execution, "E", "from b")
            assert (record.status, record.error, record.cause) == ("ABORTED", "E", "from b")
            types = [e["type"] for e in a.history(execution)]
            assert types == [
                "ExecutionStarted",
                "WaitStateEntered",
                "WaitStateAborted",
                "ExecutionAborted",
            ]
            assert execution not in a._runner.live
            with a.db.begin() as c:
                assert c.execute(schema.requests.select()).all() == []
                assert c.execute(schema.timers.select()).all() == []
        finally:
            await a.close()
            await b.close()

    asyncio.run(main())


def test_executions_released_on_close_are_carried_on_by_the_next_runner(database_url: str) -> None:
    answers: list[Any] = []

    def handler(event: Any) -> Any:
        answers.append(event)
        return {"ok": True}

    release = threading.Event()

    def blocked(_: Any) -> Any:
        release.wait(10)
        return {"from": "a"}

    async def main() -> None:
        a = runner(database_url, {FN: blocked})
        await a.open()
        clock = a.clock
        assert isinstance(clock, VirtualClock)
        clock.settle_seconds = 0.05
        await start(a, "w", WAIT)
        await start(a, "t", TASK)
        await clock.advance(40)  # the wait is part-way through, the task in flight
        await a.close()
        release.set()  # a's answer comes after it closed: it must be dropped
        with a.db.begin() as c:
            running = c.execute(E.select().where(E.c.status == "RUNNING")).all()
        assert {r.lease_owner for r in running} == {None}

        b = runner(database_url, {FN: handler})
        await b.open()  # recovery: the wait's timer and the pending task
        try:
            assert b.clock.now() == START  # catches up with the last event (at START)
            for name in ("w", "t"):
                record = await b.wait_finished(arn(name), 10)
                assert record.status == "SUCCEEDED", name
            assert (await b.wait_finished(arn("w"))).stop_date == START + timedelta(seconds=100)
            assert untimed(b.history(arn("w"))) == driver_history(WAIT, {}, {})
            assert answers == [{}]  # the pending task was dispatched again, once
            expected = driver_history(TASK, {}, {FN: lambda _: {"ok": True}})
            assert untimed(b.history(arn("t"))) == expected
        finally:
            await b.close()

    asyncio.run(main())


def test_an_expired_lease_is_claimed_and_a_live_one_is_not(database_url: str) -> None:
    async def main() -> None:
        a = runner(database_url, lease_seconds=30)
        await a.open()
        execution = await start(a, "w", WAIT)
        # a dies without releasing: its lease still runs, so b must leave the execution alone
        a._runner._open = False
        for loop in a._runner._loops:
            loop.cancel()
        with a.db.begin() as c:
            c.execute(update(E).values(lease_owner="elsewhere:1:dead"))
        b = runner(database_url, reclaim_dead_owners=True)
        await b.open()
        try:
            await asyncio.sleep(0.1)
            assert owner_of(b, execution) == "elsewhere:1:dead"
            with b.db.begin() as c:
                c.execute(update(E).values(lease_expires=datetime.now(UTC) - timedelta(seconds=1)))
            record = await b.wait_finished(execution, 10)  # b claims it within a second
            assert record.status == "SUCCEEDED"
            assert record.stop_date == START + timedelta(seconds=100)
            assert [e["id"] for e in b.history(execution)] == [1, 2, 3, 4, 5, 6]
        finally:
            await b.close()
            await a.close()

    asyncio.run(main())


def test_a_runner_that_lost_its_lease_cannot_write(database_url: str) -> None:
    async def main() -> None:
        a = runner(database_url)
        await a.open()
        clock = a.clock
        assert isinstance(clock, VirtualClock)
        try:
            execution = await start(a, "w", WAIT)
            with a.db.begin() as c:
                c.execute(update(E).values(lease_owner="thief"))
            await clock.advance(100)  # the timer fires; the step must not be written
            record = a.get(execution)
            assert record is not None and record.status == "RUNNING"
            assert len(a.history(execution)) == 2
            assert execution not in a._runner.live
            with a.db.begin() as c:
                assert len(c.execute(schema.timers.select()).all()) == 1
        finally:
            await a.close()

    asyncio.run(main())


def test_runners_on_one_clock_fire_timers_in_time_order(database_url: str) -> None:
    async def main() -> None:
        clock = VirtualClock(START)
        a = Executions(Database(database_url), clock, {})
        b = Executions(Database(database_url), clock, {})
        await a.open()
        await b.open()
        try:
            await start(a, "slow", machine({"W": {"Type": "Wait", "Seconds": 20, "End": True}}))
            await start(b, "fast", machine({"W": {"Type": "Wait", "Seconds": 10, "End": True}}))
            fast = await b.wait_finished(arn("fast"), 10)
            slow = await a.wait_finished(arn("slow"), 10)
            assert fast.stop_date == START + timedelta(seconds=10)
            assert slow.stop_date == START + timedelta(seconds=20)
        finally:
            await a.close()
            await b.close()

    asyncio.run(main())
