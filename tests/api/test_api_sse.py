"""api.sse's frames and resume position."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer, make_mocked_request

from api.sse import Frame, InvalidLastEventId, last_event_id, stream_execution
from emulator.clock import make_clock
from emulator.executions import ExecutionRequest, Executions
from emulator.runviews import Change, RunView
from emulator.sfn import Services
from emulator.store.db import Database

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/R"
CALLBACK = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
MACHINE = {
    "StartAt": "Approve",
    "States": {
        "Approve": {"Type": "Task", "Resource": CALLBACK, "End": True,
                    "Parameters": {"QueueUrl": "q", "MessageBody.$": "$$.Task.Token"}},
    },
}  # fmt: skip


def test_frames_carry_id_event_and_json_data() -> None:
    assert Frame("step", {"name": "a", "n": 1}, 7).encode() == (
        b'id: 7\nevent: step\ndata: {"name":"a","n":1}\n\n'
    )
    assert Frame("note", "two\nlines").encode() == b"event: note\ndata: two\ndata: lines\n\n"


def test_last_event_id_from_the_header_or_the_query() -> None:
    assert last_event_id(make_mocked_request("GET", "/s")) == 0
    assert last_event_id(make_mocked_request("GET", "/s", headers={"Last-Event-ID": "12"})) == 12
    assert last_event_id(make_mocked_request("GET", "/s?last_event_id=5")) == 5
    # The header wins: it is what EventSource sends when it reconnects.
    request = make_mocked_request("GET", "/s?last_event_id=5", headers={"Last-Event-ID": "9"})
    assert last_event_id(request) == 9
    for bad in ("x", "-1", "1.5"):
        with pytest.raises(InvalidLastEventId):
            last_event_id(make_mocked_request("GET", "/s", headers={"Last-Event-ID": bad}))


def test_a_quiet_stream_sends_heartbeats_and_a_commit_wakes_it(tmp_path: Path) -> None:
    """In-process: an execution waiting for its token; the stream sends heartbeat comments,
    then SendTaskSuccess's commit is pushed at once (the poll interval is far longer)."""

    async def scenario() -> tuple[str, float]:
        db = Database(f"sqlite:///{tmp_path / 'sse.db'}")
        executions = Executions(db, make_clock("virtual", None), {CALLBACK: lambda event: {}})
        await executions.open()
        services = Services(db, executions, ACCOUNT, "us-east-1")
        arn = f"arn:aws:states:us-east-1:{ACCOUNT}:execution:m:e"
        await executions.start_execution(
            ExecutionRequest(
                arn=arn, state_machine_arn=f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:m",
                name="e", definition=json.dumps(MACHINE), role_arn=ROLE, input_text="{}",
                type="STANDARD",
            )
        )  # fmt: skip

        def render(changes: Sequence[Change], run: RunView, event: Mapping[str, Any]) -> list[Frame]:
            return [Frame(c.kind, c.step.status if c.step else c.run_status, c.event_id)
                    for c in changes]  # fmt: skip

        async def handler(request: web.Request) -> web.StreamResponse:
            return await stream_execution(
                request, services, arn, render, heartbeat_seconds=0.2, poll_seconds=30
            )

        app = web.Application()
        app.router.add_get("/s", handler)
        async with TestClient(TestServer(app)) as client:
            response = await client.get("/s")
            text = ""
            while text.count(": heartbeat") < 2:
                text += (await response.content.readline()).decode()
            token = (await asyncio.to_thread(_tokens, db, arn))[0]
            sent = time.monotonic()
            await executions.send_task_success(token, '{"ok":true}')
            text += (await response.content.read()).decode()
            elapsed = time.monotonic() - sent
        await executions.close()
        db.dispose()
        return text, elapsed

    text, elapsed = asyncio.run(scenario())
    assert "id: 5\nevent: step_waiting\ndata: waiting\n\n" in text  # text data is sent as is
    assert text.index(": heartbeat") < text.index("event: run_finished")
    assert text.endswith("event: run_finished\ndata: completed\n\n")
    assert elapsed < 5  # pushed by the commit, not found by the 30 s poll


def _tokens(db: Database, arn: str) -> list[str]:
    from sqlalchemy import select

    from emulator.store.schema import pending_tasks

    with db.begin() as connection:
        return [
            row.task_token
            for row in connection.execute(
                select(pending_tasks.c.task_token).where(pending_tasks.c.execution_arn == arn)
            )
            if row.task_token
        ]
