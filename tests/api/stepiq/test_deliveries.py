"""Outbound webhooks through a real server: a signed ``pipeline.run.completed`` POST to a
local receiver that fails twice first, retried 1 s and 2 s later on the virtual clock; a
missing signing secret and a 4xx answer; every attempt visible; pending deliveries carried
over a restart."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from pipeline_harness import LOCAL_MODEL, Api, run_async, session_for
from serving import Server, start_server, stop_server

SECRET_NAME = "WEBHOOK_SIGNING_SECRET"
SECRET = "whsec-test-value"


class Receiver:
    """A local HTTP receiver: answers each path with the statuses it is given, in turn
    (the last one repeats), and records every request."""

    def __init__(self, statuses: dict[str, list[int]]) -> None:
        self.statuses = statuses
        self.received: list[dict[str, Any]] = []
        self.runner: web.AppRunner | None = None
        self.base = ""

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.received.append({"path": request.path, "headers": dict(request.headers),
                              "body": body})  # fmt: skip
        plan = self.statuses.get(request.path, [404])
        status = plan.pop(0) if len(plan) > 1 else plan[0]
        return web.Response(status=status, text="ok" if status < 300 else "no")

    async def __aenter__(self) -> Receiver:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.base = f"http://127.0.0.1:{self.runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.runner is not None
        await self.runner.cleanup()

    def at(self, path: str) -> list[dict[str, Any]]:
        return [r for r in self.received if r["path"] == path]


def pipeline_yaml(base: str, missing: bool = True, rejecting: bool = True) -> str:
    targets = [
        f"    - {{type: webhook, url: '{base}/hook', method: POST, "
        f"signing_secret_name: {SECRET_NAME}}}"
    ]
    if missing:
        targets.append(
            f"    - {{type: webhook, url: '{base}/unsigned', signing_secret_name: NOT_SET}}"
        )
    if rejecting:
        targets.append(
            f"    - {{type: webhook, url: '{base}/reject', signing_secret_name: {SECRET_NAME}}}"
        )
    deliver = "\n".join(targets)
    return f"""
name: delivered
input:
  schema:
    topic: {{type: string, required: true}}
steps:
  - id: write
    model: {LOCAL_MODEL}
    prompt: "Write about {{{{input.topic}}}}"
output:
  from: write
  deliver:
{deliver}
"""


async def wait_for(predicate: Any, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


def verify(request: dict[str, Any]) -> dict[str, Any]:
    headers = request["headers"]
    timestamp = headers["X-StepIQ-Timestamp"]
    expected = hmac.new(
        SECRET.encode(), f"{timestamp}.".encode() + request["body"], hashlib.sha256
    ).hexdigest()
    assert headers["X-StepIQ-Signature"] == f"v1={expected}"
    assert headers["X-StepIQ-Event"] == "pipeline.run.completed"
    assert headers["Content-Type"].startswith("application/json")
    envelope: dict[str, Any] = json.loads(request["body"])
    return envelope


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[Server]:
    running = start_server(tmp_path / "stepline.db")
    try:
        yield running
    finally:
        stop_server(running)


async def _setup(api: Api, base: str, **kwargs: bool) -> dict[str, Any]:
    await api.register()
    await api.ok("POST", "/api/user/secrets", 201, json={"name": SECRET_NAME, "value": SECRET})
    pipeline: dict[str, Any] = await api.create_yaml(pipeline_yaml(base, **kwargs))
    return pipeline


def test_signed_delivery_retried_after_two_failures(server: Server) -> None:
    async def main() -> dict[str, Any]:
        statuses = {"/hook": [500, 500, 200], "/reject": [410, 204]}
        async with Receiver(statuses) as receiver:
            session, api = await session_for(server.endpoint)
            async with session:
                pipeline = await _setup(api, receiver.base)
                run = await api.run(pipeline["id"], {"topic": "rivers"})
                done = await api.wait_run(run["id"])
                await wait_for(lambda: len(receiver.at("/hook")) == 1, "the first attempt")
                await wait_for(lambda: len(receiver.at("/reject")) == 1, "the 4xx attempt")
                first = await api.ok("GET", f"/api/runs/{run['id']}/deliveries")
                await api.advance(1)
                await wait_for(lambda: len(receiver.at("/hook")) == 2, "the second attempt")
                await api.advance(2)
                await wait_for(lambda: len(receiver.at("/hook")) == 3, "the third attempt")
                await api.advance(10)  # nothing is left to send
                final = await api.ok("GET", f"/api/runs/{run['id']}/deliveries")
                rejected = next(d for d in final["deliveries"] if d["url"].endswith("/reject"))
                again = await api.ok(
                    "POST",
                    f"/api/runs/{run['id']}/deliveries/{rejected['id']}/redeliver",
                    202,
                )
                await wait_for(lambda: len(receiver.at("/reject")) == 2, "the redelivery")
                unknown = await api.call("POST", f"/api/runs/{run['id']}/deliveries/nope/redeliver")
                after = await api.ok("GET", f"/api/runs/{run['id']}/deliveries")
                return {
                    "again": again,
                    "unknown": unknown,
                    "after": after,"pipeline": pipeline, "done": done, "first": first, "final": final,
                        "received": list(receiver.received)}  # fmt: skip

    got = run_async(main())
    done, pipeline = got["done"], got["pipeline"]
    hooks = [r for r in got["received"] if r["path"] == "/hook"]
    assert len(hooks) == 3
    envelopes = [verify(r) for r in hooks]
    stamps = [int(r["headers"]["X-StepIQ-Timestamp"]) for r in hooks]
    assert stamps[1] - stamps[0] == 1 and stamps[2] - stamps[1] == 2  # 1 s, then 2 s
    for attempt, envelope in enumerate(envelopes, start=1):
        assert envelope["event"] == "pipeline.run.completed"
        assert envelope["pipeline"] == {"id": pipeline["id"], "version": 1, "name": "delivered"}
        assert envelope["run"] == {
            "id": done["id"], "status": "completed", "trigger_type": "manual",
            "started_at": done["started_at"], "completed_at": done["completed_at"],
        }  # fmt: skip
        assert envelope["input"] == {"topic": "rivers"}
        assert envelope["output"] == done["output_data"]
        assert envelope["meta"]["attempt"] == attempt
    assert not [r for r in got["received"] if r["path"] == "/unsigned"]  # never sent unsigned

    first = {d["url"].rsplit("/", 1)[1]: d for d in got["first"]["deliveries"]}
    assert first["hook"]["status"] == "pending"
    assert [a["status_code"] for a in first["hook"]["attempts"]] == [500]
    final = {d["url"].rsplit("/", 1)[1]: d for d in got["final"]["deliveries"]}
    hook = final["hook"]
    assert hook["status"] == "succeeded"
    assert [a["status_code"] for a in hook["attempts"]] == [500, 500, 200]
    assert [a["attempt"] for a in hook["attempts"]] == [1, 2, 3]
    assert hook["attempts"][0]["error"] == "HTTP 500" and hook["attempts"][2]["error"] is None
    assert all(a["duration_ms"] >= 0 for a in hook["attempts"])
    unsigned = final["unsigned"]
    assert unsigned["status"] == "failed"
    assert "NOT_SET" in unsigned["last_error"] and "unsigned" in unsigned["last_error"]
    assert [a["status_code"] for a in unsigned["attempts"]] == [None]
    rejected = final["reject"]
    assert rejected["status"] == "failed"  # a 4xx is not retried
    assert [a["status_code"] for a in rejected["attempts"]] == [410]
    # Redelivery: a new delivery of the same event, with its own attempts.
    assert got["again"]["id"] != rejected["id"] and got["again"]["url"] == rejected["url"]
    assert got["unknown"][0] == 404
    redelivered = next(d for d in got["after"]["deliveries"] if d["id"] == got["again"]["id"])
    assert redelivered["status"] == "succeeded"
    assert [a["status_code"] for a in redelivered["attempts"]] == [204]
    assert len(got["after"]["deliveries"]) == 4


def test_pending_delivery_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "stepline.db"

    async def main() -> dict[str, Any]:
        statuses = {"/hook": [503, 200]}
        async with Receiver(statuses) as receiver:
            first = start_server(db)
            try:
                session, api = await session_for(first.endpoint)
                async with session:
                    pipeline = await _setup(api, receiver.base, missing=False, rejecting=False)
                    run = await api.run(pipeline["id"], {"topic": "tides"})
                    await api.wait_run(run["id"])
                    await wait_for(lambda: len(receiver.received) == 1, "the first attempt")
                    token = api.token
            finally:
                stop_server(first)
            second = start_server(db)
            try:
                session, api = await session_for(second.endpoint)
                api.token = token
                async with session:
                    await api.advance(1)
                    await wait_for(lambda: len(receiver.received) == 2, "the retry")
                    await wait_for(lambda: True, "")
                    deliveries = await api.ok("GET", f"/api/runs/{run['id']}/deliveries")
            finally:
                stop_server(second)
            return {"deliveries": deliveries, "received": receiver.received}

    got = run_async(main())
    (delivery,) = got["deliveries"]["deliveries"]
    assert delivery["status"] == "succeeded"
    assert [a["status_code"] for a in delivery["attempts"]] == [503, 200]
    assert [verify(r)["meta"]["attempt"] for r in got["received"]] == [1, 2]


def failing_yaml(base: str) -> str:
    """A pipeline whose only step fails (its handler is not registered), with a signed target
    that asks for failed runs, one that does not, and webhook notifications."""
    return f"""
name: failing
steps:
  - id: crash
    type: code
    handler: not-registered
output:
  from: crash
  deliver:
    - {{type: webhook, url: '{base}/failed', signing_secret_name: {SECRET_NAME},
        events: [pipeline.run.failed]}}
    - {{type: webhook, url: '{base}/completed-only', signing_secret_name: {SECRET_NAME}}}
notifications:
  on_success: [{{type: webhook, url: '{base}/on-success'}}]
  on_failure: [{{type: webhook, url: '{base}/on-failure'}}]
"""


def test_failed_run_reaches_the_targets_that_ask_for_it(server: Server) -> None:
    async def main() -> dict[str, Any]:
        statuses = {"/failed": [200], "/on-failure": [204], "/completed-only": [200],
                    "/on-success": [200]}  # fmt: skip
        async with Receiver(statuses) as receiver:
            session, api = await session_for(server.endpoint)
            async with session:
                await api.register()
                await api.ok(
                    "POST", "/api/user/secrets", 201, json={"name": SECRET_NAME, "value": SECRET}
                )
                pipeline = await api.create_yaml(failing_yaml(receiver.base))
                run = await api.run(pipeline["id"], {})
                done = await api.wait_run(run["id"])
                await wait_for(lambda: len(receiver.received) == 2, "two deliveries")
                await api.advance(10)
                deliveries = await api.ok("GET", f"/api/runs/{run['id']}/deliveries")
            return {"done": done, "received": list(receiver.received), "deliveries": deliveries}

    got = run_async(main())
    assert got["done"]["status"] == "failed"
    by_path = {r["path"]: r for r in got["received"]}
    assert set(by_path) == {"/failed", "/on-failure"}
    signed = by_path["/failed"]
    timestamp = signed["headers"]["X-StepIQ-Timestamp"]
    expected = hmac.new(
        SECRET.encode(), f"{timestamp}.".encode() + signed["body"], hashlib.sha256
    ).hexdigest()
    assert signed["headers"]["X-StepIQ-Signature"] == f"v1={expected}"
    assert signed["headers"]["X-StepIQ-Event"] == "pipeline.run.failed"
    envelope = json.loads(signed["body"])
    assert envelope["event"] == "pipeline.run.failed"
    assert envelope["run"]["status"] == "failed"
    notified = by_path["/on-failure"]
    assert "X-StepIQ-Signature" not in notified["headers"]  # a notification names no secret
    assert json.loads(notified["body"])["event"] == "pipeline.run.failed"
    assert all(d["status"] == "succeeded" for d in got["deliveries"]["deliveries"])
    assert len(got["deliveries"]["deliveries"]) == 2
