"""Durability: kill -9 a process in the middle of executions; another carries them on.

Every execution must finish with exactly the history the in-process driver computes for the
same machine and input: event ids contiguous, nothing lost, nothing written twice.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from databases import fresh_postgres_schema, sqlite_file_url
from kill_worker import HANDLERS, INPUTS, MACHINES, execution_arn, planned

import asl
from emulator import run_local
from emulator.clock import SystemClock
from emulator.driver import default_info
from emulator.executions import Executions
from emulator.store import schema
from emulator.store.db import Database

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("kill_worker.py")
TASK_SECONDS = "0.4"


@pytest.fixture(params=["sqlite-system", "sqlite-scaled", "postgresql-system"])
def db_and_clock(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    backend, clock = request.param.split("-")
    if backend == "sqlite":
        yield sqlite_file_url(tmp_path), clock
    else:
        for url in fresh_postgres_schema():
            yield url, clock


def expected_history(machine: str) -> list[dict[str, Any]]:
    result = run_local(
        asl.load(json.dumps(MACHINES[machine])),
        INPUTS[machine],
        HANDLERS,
        default_info(),
        input_text=json.dumps(INPUTS[machine]),  # the text kill_worker starts them with
    )
    assert result.status == "SUCCEEDED"
    return [_untimed(e.render(True)) for e in result.events]


def _untimed(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k != "timestamp"}


class Worker:
    def __init__(self, url: str, prefix: str, count: int, *args: str) -> None:
        env = dict(os.environ, KILL_WORKER_TASK_SECONDS=TASK_SECONDS, PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER), url, prefix, str(count), *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line.startswith("READY "), f"the worker did not start: {line!r}"
        self.owner = line.split()[1]

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)  # reaped: a zombie would still look alive

    def stop(self) -> None:
        if self.process.poll() is None:
            self.kill()
        if self.process.stdout is not None:
            self.process.stdout.close()


def progress(url: str) -> dict[str, int]:
    """How far the executions are: counts of running ones, timers, pending tasks, events."""
    db = Database(url)
    try:
        with db.begin() as c:
            count = lambda table: c.execute(table.select()).all().__len__()  # noqa: E731
            return {
                "running": len(
                    c.execute(
                        schema.executions.select().where(schema.executions.c.status == "RUNNING")
                    ).all()
                ),
                "timers": count(schema.timers),
                "tasks": count(schema.pending_tasks),
                "events": count(schema.events),
            }
    finally:
        db.dispose()


async def finish_all(url: str, arns: list[str], timeout: float = 60) -> Executions:
    executions = Executions(Database(url), SystemClock(), HANDLERS, poll_seconds=0.05)
    await executions.open()
    for arn in arns:
        record = await executions.wait_finished(arn, timeout)
        assert record.status == "SUCCEEDED", (arn, record.status, record.error, record.cause)
    return executions


def check_histories(executions: Executions, plan: list[tuple[str, str]]) -> None:
    for machine, name in plan:
        history = executions.history(execution_arn(machine, name), limit=1000)
        ids = [e["id"] for e in history]
        assert ids == list(range(1, len(ids) + 1)), (name, ids)
        assert [_untimed(e) for e in history] == expected_history(machine), name
        stamps = [e["timestamp"] for e in history]
        assert stamps == sorted(stamps), name


def wait_for_progress(url: str, seconds: float) -> dict[str, int]:
    time.sleep(seconds)
    return progress(url)


def test_kill_9_mid_way_and_a_new_process_carries_every_execution_on(
    db_and_clock: tuple[str, str],
) -> None:
    db_url, clock = db_and_clock
    plan = planned("k", 2)
    worker = Worker(db_url, "k", 2, "--clock", clock)
    try:
        at_kill = wait_for_progress(db_url, 1.3)
        worker.kill()
    finally:
        worker.stop()
    # The kill landed mid-way: executions running, with timers and tasks outstanding.
    assert at_kill["running"] > 0 and at_kill["timers"] > 0 and at_kill["tasks"] > 0, at_kill

    async def resume() -> None:
        executions = await finish_all(db_url, [execution_arn(m, n) for m, n in plan])
        try:
            check_histories(executions, plan)
        finally:
            await executions.close()

    asyncio.run(resume())
    after = progress(db_url)
    assert (after["running"], after["timers"], after["tasks"]) == (0, 0, 0), after


def test_two_processes_share_executions_and_one_takes_over_when_the_other_dies(
    tmp_path: Path,
) -> None:
    urls = fresh_postgres_schema()
    url = next(urls)
    try:
        _lease_test(url)
    finally:
        urls.close()


def _lease_test(url: str) -> None:
    lease = ["--lease", "2", "--no-reclaim"]  # takeover only through an expired lease
    plan = planned("a", 2) + planned("b", 2)
    a = Worker(url, "a", 2, *lease)
    b = Worker(url, "b", 2, *lease)
    try:
        time.sleep(0.5)
        a.kill()
        db = Database(url)
        with db.begin() as c:
            running = c.execute(
                schema.executions.select().where(schema.executions.c.status == "RUNNING")
            ).all()
        db.dispose()
        owners = {row.lease_owner for row in running}
        assert {a.owner, b.owner} <= owners, owners  # each advanced its own executions
        orphans = [row.arn for row in running if row.lease_owner == a.owner]
        assert orphans
        deadline = time.monotonic() + 60
        while progress(url)["running"] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert progress(url)["running"] == 0, "b did not take over a's executions"
    finally:
        a.stop()
        b.stop()

    async def check() -> None:
        executions = Executions(Database(url), SystemClock(), HANDLERS)
        try:
            for machine, name in plan:
                record = executions.get(execution_arn(machine, name))
                assert record is not None and record.status == "SUCCEEDED", name
            check_histories(executions, plan)
        finally:
            executions.db.dispose()

    asyncio.run(check())
