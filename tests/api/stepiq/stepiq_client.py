"""The stepIQ tests' HTTP client: aiohttp against a ``stepline serve`` process."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from serving import Server


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    """Set environment variables (a server started meanwhile inherits them), then restore them."""
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value


@dataclass
class Api:
    server: Server
    db: Path

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        data: bytes | None = None,
    ) -> tuple[int, Any]:
        """One request through aiohttp's client; (status, parsed JSON body or text)."""

        async def go() -> tuple[int, Any]:
            sent = dict(headers or {})
            if token is not None:
                sent["Authorization"] = f"Bearer {token}"
            async with (
                aiohttp.ClientSession() as session,
                session.request(
                    method, self.server.endpoint + path, json=body, data=data, headers=sent
                ) as response,
            ):
                text = await response.text()
                if response.content_type == "application/json":
                    return response.status, await response.json()
                return response.status, text

        return asyncio.run(go())

    def register(self, password: str = "password-1") -> dict[str, Any]:
        email = f"user-{uuid.uuid4().hex[:10]}@example.org"
        status, body = self.call(
            "POST", "/api/auth/register", {"email": email, "password": password}
        )
        assert status == 201, body
        body["email"] = email
        body["password"] = password
        return dict(body)

    def advance(self, seconds: float) -> None:
        status, body = self.call("POST", "/_stepline/clock", {"advance": seconds})
        assert status == 200, body
