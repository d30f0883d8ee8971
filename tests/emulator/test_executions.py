"""The runner end to end: each step committed, effects carried out after, on a virtual clock."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from databases import database_url, sqlite_file_url

import asl
from emulator import Delayed, TaskFailure, run_local
from emulator.clock import ScaledClock, VirtualClock
from emulator.driver import default_info
from emulator.executions import (
    ExecutionAlreadyExists,
    ExecutionNotFound,
    ExecutionRequest,
    Executions,
    InvalidTaskToken,
    TaskTimedOut,
)
from emulator.store import schema
from emulator.store.db import Database

__all__ = ["database_url"]

START = datetime(2024, 1, 1, tzinfo=UTC)
ACCOUNT = "123456789012"
FN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:F"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/StepFunctionsRole"
SM = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:Local"


def machine(states: dict[str, Any], **top: Any) -> str:
    return json.dumps({"StartAt": next(iter(states)), "States": states, **top})


def arn(name: str) -> str:
    return f"arn:aws:states:us-east-1:{ACCOUNT}:execution:Local:{name}"


async def start(ex: Executions, name: str, definition: str, input: Any = None) -> str:
    record = await ex.start_execution(
        ExecutionRequest(
            arn=arn(name),
            state_machine_arn=SM,
            name=name,
            definition=definition,
            role_arn=ROLE,
            input_text=json.dumps({} if input is None else input),
            type="STANDARD",
        ),
    )
    return record.arn


def untimed(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in e.items() if k != "timestamp"} for e in history]


def driver_history(definition: str, input: Any, handlers: dict[str, Any]) -> list[dict[str, Any]]:
    # The runner is given json.dumps(input); ExecutionStarted keeps that text.
    result = run_local(
        asl.load(definition),
        input,
        handlers,
        default_info(start_time=START),
        input_text=json.dumps(input),
    )
    return untimed([e.render(True) for e in result.events])


Scenario = Callable[[Executions], Awaitable[None]]


def run(
    url: str, scenario: Scenario, handlers: dict[str, Any] | None = None, **options: Any
) -> None:
    async def main() -> None:
        ex = Executions(Database(url), VirtualClock(START), handlers or {}, **options)
        await ex.open()
        try:
            await scenario(ex)
        finally:
            await ex.close()
            ex.db.dispose()

    asyncio.run(main())


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    yield sqlite_file_url(tmp_path)


PASSES = machine(
    {
        "A": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.a", "Next": "B"},
        "B": {"Type": "Pass", "End": True},
    }
)


def test_a_pass_machine_finishes_in_the_start_transaction(database_url: str) -> None:
    async def scenario(ex: Executions) -> None:
        record = await ex.start_execution(
            ExecutionRequest(arn=arn("p"), state_machine_arn=SM, name="p", definition=PASSES,
            role_arn=ROLE, input_text='{"in": true}', type="STANDARD"),
        )  # fmt: skip
        assert (record.status, record.output) == ("SUCCEEDED", '{"in":true,"a":{"x":1}}')
        assert record.stop_date == record.start_date == START
        stored = ex.get(arn("p"))
        assert stored == record
        history = ex.history(arn("p"))
        assert untimed(history) == driver_history(PASSES, {"in": True}, {})
        assert {e["timestamp"] for e in history} == {START}

    run(database_url, scenario)


def test_a_task_gets_a_copy_of_its_input_and_its_result_flows_on(database_url: str) -> None:
    seen: list[Any] = []

    def handler(event: Any) -> Any:
        seen.append(event)
        event["mutated"] = True
        return {"got": event["v"]}

    definition = machine({"T": {"Type": "Task", "Resource": FN, "ResultPath": "$.r", "End": True}})

    async def scenario(ex: Executions) -> None:
        await start(ex, "t", definition, {"v": 7})
        record = await ex.wait_finished(arn("t"), 10)
        assert (record.status, json.loads(record.output or "")) == (
            "SUCCEEDED",
            {"v": 7, "r": {"got": 7}},
        )
        assert untimed(ex.history(arn("t"))) == driver_history(definition, {"v": 7}, {FN: handler})

    run(database_url, scenario, {FN: handler})
    assert seen[0] == {"v": 7, "mutated": True}


def test_a_resource_without_handler_fails_as_the_driver_does(sqlite_url: str) -> None:
    definition = machine({"T": {"Type": "Task", "Resource": FN, "End": True}})

    async def scenario(ex: Executions) -> None:
        await start(ex, "t", definition)
        record = await ex.wait_finished(arn("t"), 10)
        assert (record.status, record.error) == ("FAILED", "Lambda.ResourceNotFoundException")
        assert untimed(ex.history(arn("t"))) == driver_history(definition, {}, {})

    run(sqlite_url, scenario)


def test_a_year_long_wait_ends_at_once_on_the_virtual_clock(database_url: str) -> None:
    year = 31_536_000
    definition = machine({"W": {"Type": "Wait", "Seconds": year, "End": True}})

    async def scenario(ex: Executions) -> None:
        await start(ex, "w", definition)
        record = await ex.wait_finished(arn("w"), 10)
        assert record.status == "SUCCEEDED"
        assert record.stop_date == START + timedelta(seconds=year)
        assert ex.history(arn("w"))[-1]["timestamp"] == START + timedelta(seconds=year)

    run(database_url, scenario)


def test_timers_fire_in_time_order_a_timeout_of_5_before_a_wait_of_10(database_url: str) -> None:
    definition = machine(
        {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": True}}},
                    {
                        "StartAt": "T",
                        "States": {
                            "T": {
                                "Type": "Task",
                                "Resource": FN,
                                "TimeoutSeconds": 5,
                                "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Late"}],
                                "End": True,
                            },
                            "Late": {"Type": "Pass", "End": True},
                        },
                    },
                ],
                "End": True,
            }
        }
    )
    handlers = {FN: lambda _: Delayed(20, result="too late")}

    async def scenario(ex: Executions) -> None:
        await start(ex, "o", definition)
        record = await ex.wait_finished(arn("o"), 10)
        assert record.status == "SUCCEEDED"
        history = ex.history(arn("o"))
        when = {e["type"]: e["timestamp"] - START for e in history}
        assert when["LambdaFunctionTimedOut"] == timedelta(seconds=5)
        assert when["WaitStateExited"] == timedelta(seconds=10)
        types = [e["type"] for e in history]
        assert types.index("LambdaFunctionTimedOut") < types.index("WaitStateExited")
        assert untimed(history) == driver_history(definition, {}, handlers)

    run(database_url, scenario, handlers)


def test_stop_aborts_a_waiting_execution_and_cancels_its_timer(database_url: str) -> None:
    definition = machine({"W": {"Type": "Wait", "Seconds": 100, "End": True}})
    blocker = threading.Event()
    slow = machine({"T": {"Type": "Task", "Resource": FN, "End": True}})

    async def scenario(ex: Executions) -> None:
        await start(ex, "s", definition)
        await start(ex, "busy", slow)  # a task in flight: the clock must not jump
        await asyncio.sleep(0.05)
        record = await ex.stop_execution(arn("s"), "Halt", "asked to")
        assert (record.status, record.error, record.cause) == ("ABORTED", "Halt", "asked to")
        assert record.stop_date == START
        types = [e["type"] for e in ex.history(arn("s"))]
        assert types[-2:] == ["WaitStateAborted", "ExecutionAborted"]
        assert ex.history(arn("s"))[-1]["executionAbortedEventDetails"] == {
            "error": "Halt",
            "cause": "asked to",
        }
        with ex.db.begin() as c:
            assert c.execute(schema.timers.select()).all() == []
        again = await ex.stop_execution(arn("s"), "Other", None)
        assert (again.status, again.error) == ("ABORTED", "Halt")  # a finished one stays
        with pytest.raises(ExecutionNotFound):
            await ex.stop_execution(arn("nope"), None, None)
        blocker.set()
        assert (await ex.wait_finished(arn("busy"), 10)).status == "SUCCEEDED"

    def wait_for_test(_: Any) -> Any:
        blocker.wait(10)
        return {}

    run(database_url, scenario, {FN: wait_for_test})


def test_the_clock_does_not_jump_while_a_task_is_in_flight_but_advance_moves_it(
    sqlite_url: str,
) -> None:
    release = threading.Event()
    wait = machine({"W": {"Type": "Wait", "Seconds": 10, "End": True}})
    task = machine({"T": {"Type": "Task", "Resource": FN, "End": True}})

    async def scenario(ex: Executions) -> None:
        clock = ex.clock
        assert isinstance(clock, VirtualClock)
        clock.settle_seconds = 0.2  # how long an advance waits for the blocked handler
        await start(ex, "task", task)
        await start(ex, "wait", wait)
        await asyncio.sleep(0.1)
        assert clock.now() == START
        assert (await ex.wait_finished(arn("wait"), 0.05)).status == "RUNNING"
        await clock.advance(4)
        assert clock.now() == START + timedelta(seconds=4)
        assert ex.get(arn("wait")).status == "RUNNING"  # type: ignore[union-attr]
        await clock.advance(6)
        record = ex.get(arn("wait"))
        assert record is not None and record.status == "SUCCEEDED"
        assert record.stop_date == START + timedelta(seconds=10)
        release.set()
        assert (await ex.wait_finished(arn("task"), 10)).stop_date == START + timedelta(seconds=10)

    def blocked(_: Any) -> Any:
        release.wait(10)
        return {}

    run(sqlite_url, scenario, {FN: blocked})


def test_retries_wait_their_interval_on_the_virtual_clock(sqlite_url: str) -> None:
    definition = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": FN,
                "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 3, "MaxAttempts": 2}],
                "End": True,
            }
        }
    )

    def boom(_: Any) -> Any:
        raise TaskFailure("Boom", "always")

    async def scenario(ex: Executions) -> None:
        await start(ex, "r", definition)
        record = await ex.wait_finished(arn("r"), 10)
        assert (record.status, record.error, record.cause) == ("FAILED", "Boom", "always")
        assert record.stop_date == START + timedelta(seconds=3 + 6)  # BackoffRate 2.0
        assert untimed(ex.history(arn("r"))) == driver_history(definition, {}, {FN: boom})

    run(sqlite_url, scenario, {FN: boom})


def test_listing_is_newest_first_with_filters_and_continuation(database_url: str) -> None:
    wait = machine({"W": {"Type": "Wait", "Seconds": 5, "End": True}})

    async def scenario(ex: Executions) -> None:
        await start(ex, "a", PASSES)
        await start(ex, "b", wait)
        await start(ex, "c", PASSES)
        listed = ex.list()
        assert [r.name for _, r in listed] == ["c", "b", "a"]
        seqs = [seq for seq, _ in listed]
        assert seqs == sorted(seqs, reverse=True)
        assert [r.name for _, r in ex.list(status="RUNNING")] == ["b"]
        assert [r.name for _, r in ex.list(after_seq=seqs[0], limit=1)] == ["b"]
        assert ex.list(state_machine_arn=SM + "x") == []
        with pytest.raises(ExecutionAlreadyExists):
            await start(ex, "a", PASSES)

    run(database_url, scenario)


def test_history_pages_forwards_and_backwards_without_data(database_url: str) -> None:
    async def scenario(ex: Executions) -> None:
        await start(ex, "h", PASSES, {"secret": 1})
        full = ex.history(arn("h"))
        assert [e["id"] for e in full] == [1, 2, 3, 4, 5, 6]
        assert ex.history(arn("h"), start=2, limit=2) == full[2:4]
        assert [e["id"] for e in ex.history(arn("h"), reverse=True, limit=2)] == [6, 5]
        assert [e["id"] for e in ex.history(arn("h"), reverse=True, start=5)] == [4, 3, 2, 1]
        bare = ex.history(arn("h"), include_data=False)
        result = run_local(asl.load(PASSES), {"secret": 1}, {}, default_info(start_time=START))
        assert untimed(bare) == untimed([e.render(False) for e in result.events])
        assert "input" not in bare[0]["executionStartedEventDetails"]
        assert bare[0]["executionStartedEventDetails"]["inputDetails"] == {"truncated": False}

    run(database_url, scenario)


def test_wait_finished_returns_the_running_record_after_its_timeout(sqlite_url: str) -> None:
    callback = machine(
        {"T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
               "Parameters": {"token.$": "$$.Task.Token"}, "End": True}}
    )  # fmt: skip
    tokens: list[str] = []

    def send(event: Any) -> Any:
        tokens.append(event["token"])
        return {"MessageId": "m"}

    async def scenario(ex: Executions) -> None:
        await start(ex, "cb", callback)
        assert (await ex.wait_finished(arn("cb"), 0.2)).status == "RUNNING"
        assert ex.clock.now() == START  # a callback awaited: time does not jump
        with pytest.raises(InvalidTaskToken):
            await ex.send_task_success("not-a-token", "{}")
        with pytest.raises(TaskTimedOut):
            await ex.send_task_success("0" * 64, "{}")
        await ex.send_task_success(tokens[0], '{"done": 1}')
        record = await ex.wait_finished(arn("cb"), 10)
        assert (record.status, record.output) == ("SUCCEEDED", '{"done":1}')
        with pytest.raises(TaskTimedOut):
            await ex.send_task_success(tokens[0], "{}")
        with pytest.raises(ExecutionNotFound):
            await ex.wait_finished(arn("none"), 0)

    run(sqlite_url, scenario, {"arn:aws:states:::sqs:sendMessage.waitForTaskToken": send})


def test_express_sync_runs_in_memory_and_keeps_no_row(sqlite_url: str) -> None:
    definition = machine(
        {"W": {"Type": "Wait", "Seconds": 60, "Next": "P"}, "P": {"Type": "Pass", "End": True}}
    )

    async def scenario(ex: Executions) -> None:
        record = await ex.run_express_sync(
            ExecutionRequest(arn="arn:aws:states:us-east-1:123456789012:express:Local:x:y", state_machine_arn=SM,
            name="x", definition=definition, role_arn=ROLE, input_text='{"k":1}', type="EXPRESS"),
        )  # fmt: skip
        assert (record.status, record.output) == ("SUCCEEDED", '{"k":1}')
        assert record.stop_date == START + timedelta(seconds=60)
        assert ex.get(record.arn) is None and ex.list() == []

    run(sqlite_url, scenario)


def test_a_scale_of_zero_ends_waits_and_retries_at_once_in_real_time(sqlite_url: str) -> None:
    definition = machine({"W": {"Type": "Wait", "Seconds": 3600, "End": True}})

    async def main() -> None:
        ex = Executions(Database(sqlite_url), ScaledClock(0), {})
        await ex.open()
        try:
            await start(ex, "z", definition)
            record = await ex.wait_finished(arn("z"), 10)
            assert record.status == "SUCCEEDED"
            assert record.stop_date is not None
            assert record.stop_date - record.start_date < timedelta(seconds=5)
        finally:
            await ex.close()

    asyncio.run(main())
