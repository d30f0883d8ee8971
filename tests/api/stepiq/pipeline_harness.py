"""Helpers for the stepIQ pipelines and runs tests: an HTTP client for a real ``stepline
serve``, a user session, pipeline documents, and waiting for runs."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import aiohttp

LOCAL_MODEL = "stepline-local"


class Api:
    """One user's view of the stepIQ surface (``token``: their JWT)."""

    def __init__(self, session: aiohttp.ClientSession, endpoint: str) -> None:
        self.session = session
        self.endpoint = endpoint
        self.token: str | None = None

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: str | bytes | None = None,
        headers: dict[str, str] | None = None,
        auth: bool = True,
    ) -> tuple[int, Any]:
        sent = dict(headers or {})
        if auth and self.token is not None and "X-API-Key" not in sent:
            sent.setdefault("Authorization", f"Bearer {self.token}")
        async with self.session.request(
            method, self.endpoint + path, json=json, data=data, headers=sent
        ) as response:
            text = await response.text()
            try:
                body = await response.json(content_type=None) if text else None
            except ValueError:
                body = text
            return response.status, body

    async def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        got, body = await self.call(method, path, **kwargs)
        assert got == status, f"{method} {path}: {got} {body}"
        return body

    async def register(self) -> dict[str, Any]:
        email = f"user-{uuid.uuid4().hex[:10]}@example.com"
        password = "correct horse battery"
        await self.ok("POST", "/api/auth/register", 201,
                      json={"email": email, "password": password}, auth=False)  # fmt: skip
        session = await self.ok(
            "POST", "/api/auth/login", json={"email": email, "password": password}, auth=False
        )
        self.token = session["token"]
        user: dict[str, Any] = session["user"]
        return user

    async def api_key(self, scopes: list[str] | None = None) -> str:
        body: dict[str, Any] = {"name": "test key"}
        if scopes is not None:
            body["scopes"] = scopes
        created = await self.ok("POST", "/api/user/api-keys", 201, json=body)
        key: str = created["key"]
        return key

    async def create_yaml(self, document: str) -> dict[str, Any]:
        created: dict[str, Any] = await self.ok(
            "POST", "/api/pipelines", 201, data=document,
            headers={"Content-Type": "application/yaml"},
        )  # fmt: skip
        return created

    async def run(self, pipeline_id: str, input_data: Any = None, **kwargs: Any) -> dict[str, Any]:
        body = {} if input_data is None else {"input_data": input_data}
        run: dict[str, Any] = await self.ok(
            "POST", f"/api/pipelines/{pipeline_id}/run", 202, json=body, **kwargs
        )
        return run

    async def wait_run(
        self, run_id: str, statuses: tuple[str, ...] = ("completed", "failed", "cancelled"),
        timeout: float = 20.0,
    ) -> dict[str, Any]:  # fmt: skip
        deadline = time.monotonic() + timeout
        while True:
            run: dict[str, Any] = await self.ok("GET", f"/api/runs/{run_id}")
            if run["status"] in statuses:
                return run
            assert time.monotonic() < deadline, f"run {run_id} stayed {run['status']}"
            await asyncio.sleep(0.05)

    async def wait_step(self, run_id: str, step_id: str, status: str) -> dict[str, Any]:
        deadline = time.monotonic() + 20.0
        while True:
            run: dict[str, Any] = await self.ok("GET", f"/api/runs/{run_id}")
            step = next(s for s in run["steps"] if s["step_id"] == step_id)
            if step["status"] == status:
                return run
            assert time.monotonic() < deadline, f"step {step_id} stayed {step['status']}"
            await asyncio.sleep(0.05)

    async def advance(self, seconds: float) -> None:
        await self.ok("POST", "/_stepline/clock", json={"advance": seconds}, auth=False)


def summarize_yaml(name: str = "summarize", model: str = LOCAL_MODEL) -> str:
    return f"""
name: {name}
description: Summarise a topic in two steps
version: 1
variables:
  tone: friendly
input:
  schema:
    topic: {{type: string, required: true, description: What to write about}}
    words: {{type: integer, default: 50}}
steps:
  - id: outline
    model: {model}
    prompt: "Outline {{{{input.topic}}}} in a {{{{vars.tone}}}} tone"
  - id: draft
    model: {model}
    prompt: "Write {{{{input.words}}}} words from: {{{{steps.outline.output}}}}"
output:
  from: draft
"""


def review_yaml(name: str = "reviewed", deliver: str = "") -> str:
    return f"""
name: {name}
input:
  schema:
    topic: {{type: string, required: true}}
steps:
  - id: draft
    model: {LOCAL_MODEL}
    prompt: "Draft about {{{{input.topic}}}}"
  - id: review
    type: human_review
    prompt: "Publish the draft about {{{{input.topic}}}}?"
  - id: publish
    type: transform
    prompt: "Published: {{{{steps.draft.output}}}}"
output:
  from: publish
{deliver}
"""


async def session_for(endpoint: str) -> tuple[aiohttp.ClientSession, Api]:
    session = aiohttp.ClientSession()
    return session, Api(session, endpoint)


async def new_user(endpoint: str) -> tuple[aiohttp.ClientSession, Api]:
    """A session and the client of a newly registered user."""
    session, api = await session_for(endpoint)
    await api.register()
    return session, api


def served(tmp_path_factory: Any, name: str, *extra: str) -> Any:
    """A fresh ``stepline serve`` (virtual clock, its own SQLite file) for one test module."""
    from serving import start_server

    return start_server(tmp_path_factory.mktemp(name) / "stepline.db", *extra)


def run_async(coro: Any) -> Any:
    return asyncio.run(coro)
