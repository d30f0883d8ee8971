"""The kill tests again, through the API: real `stepline serve` processes driven by boto3.

A server starts executions, is killed with SIGKILL mid-way, and a new server on the same
database finishes every one of them with exactly the expected history.  On PostgreSQL, two
servers share the work and one of them is killed; the other carries its executions on.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from databases import fresh_postgres_schema, sqlite_file_url
from kill_worker import FLAKY, INPUTS, MACHINES, ROLE, SLOW, planned
from sqlalchemy import select
from test_kill import TASK_SECONDS, expected_history, progress

from emulator.store import schema
from emulator.store.db import Database

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_file_url(tmp_path)
    else:
        yield from fresh_postgres_schema()


class Server:
    """``stepline serve`` on a free port of 127.0.0.1, with the kill worker's handlers."""

    def __init__(self, url: str) -> None:
        env = dict(
            os.environ,
            KILL_WORKER_TASK_SECONDS=TASK_SECONDS,
            PYTHONPATH=os.pathsep.join([str(ROOT), str(HERE)]),
            PYTHONUNBUFFERED="1",
        )
        command = [
            sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", "0",
            "--db", url,
            "--handler", f"{SLOW}=kill_worker:slow",
            "--handler", f"{FLAKY}=kill_worker:broken",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line.startswith("Starting server on port "), f"serve did not start: {line!r}"
        port = int(line.split()[4])
        self.client = boto3.client(
            "stepfunctions",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(retries={"max_attempts": 1}),
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.process.stdout is not None:
            self.process.stdout.close()


def create_machines(server: Server) -> dict[str, str]:
    return {
        name: server.client.create_state_machine(
            name=name, definition=json.dumps(definition), roleArn=ROLE
        )["stateMachineArn"]
        for name, definition in MACHINES.items()
    }


def start_all(server: Server, machines: dict[str, str], prefix: str) -> list[tuple[str, str]]:
    started = []
    for machine, name in planned(prefix, 2):
        arn = server.client.start_execution(
            stateMachineArn=machines[machine], name=name, input=json.dumps(INPUTS[machine])
        )["executionArn"]
        started.append((machine, arn))
    return started


def await_and_check(server: Server, started: list[tuple[str, str]]) -> None:
    deadline = time.monotonic() + 60
    for machine, arn in started:
        while True:
            described = server.client.describe_execution(executionArn=arn)
            if described["status"] != "RUNNING" or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert described["status"] == "SUCCEEDED", (arn, described)
        events: list[dict[str, Any]] = []
        pages = server.client.get_paginator("get_execution_history")
        for page in pages.paginate(executionArn=arn, PaginationConfig={"PageSize": 7}):
            events.extend(page["events"])
        assert [e["id"] for e in events] == list(range(1, len(events) + 1)), arn
        untimed = [{k: v for k, v in e.items() if k != "timestamp"} for e in events]
        assert untimed == expected_history(machine), arn


def lease_owners(url: str) -> set[str]:
    db = Database(url)
    try:
        with db.begin() as c:
            query = select(schema.executions.c.lease_owner).where(
                schema.executions.c.status == "RUNNING"
            )
            return {owner for owner in c.execute(query).scalars() if owner is not None}
    finally:
        db.dispose()


def test_kill_9_a_server_mid_way_and_a_new_server_finishes_every_execution(db_url: str) -> None:
    first = Server(db_url)
    try:
        machines = create_machines(first)
        started = start_all(first, machines, "s")
        time.sleep(1.3)
        first.kill()
    finally:
        first.stop()
    at_kill = progress(db_url)
    assert at_kill["running"] > 0 and at_kill["timers"] > 0 and at_kill["tasks"] > 0, at_kill
    second = Server(db_url)
    try:
        await_and_check(second, started)
    finally:
        second.stop()


def test_two_servers_share_one_postgresql_database_and_survive_one_dying() -> None:
    urls = fresh_postgres_schema()
    url = next(urls)
    a = b = None
    try:
        a = Server(url)
        b = Server(url)
        machines = create_machines(a)
        started = start_all(a, machines, "a") + start_all(b, machines, "b")
        time.sleep(0.5)
        assert len(lease_owners(url)) == 2  # each server advances the executions it started
        a.kill()
        assert progress(url)["running"] > 0
        await_and_check(b, started)
    finally:
        for server in (a, b):
            if server is not None:
                server.stop()
        urls.close()
