"""An in-process ``stepline serve`` for the conformance runner and the benchmark: a
temporary SQLite file, a chosen clock, an aiohttp server on a free port of 127.0.0.1 in a
background thread.

    with LocalServer() as server:
        ... server.endpoint ...
"""

from __future__ import annotations

import asyncio
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from aiohttp import web


class LocalServer:
    def __init__(
        self,
        clock: str = "virtual",
        handlers: Mapping[str, Callable[[Any], Any]] | None = None,
        db_url: str | None = None,
    ) -> None:
        self._clock = clock
        self._handlers = dict(handlers or {})
        self._db_url = db_url
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._runner: web.AppRunner | None = None
        self._executions: Any = None
        self._database: Any = None
        self.endpoint = ""
        self.port = 0

    def __enter__(self) -> LocalServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=60)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=60)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    async def _start(self) -> None:
        from api.server import make_app
        from emulator.clock import make_clock
        from emulator.executions import Executions
        from emulator.sfn import Services
        from emulator.store.db import Database

        url = self._db_url
        if url is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="stepline-")
            url = f"sqlite:///{Path(self._tmp.name) / 'stepline.db'}"
        self._database = Database(url)
        self._executions = Executions(self._database, make_clock(self._clock, None), self._handlers)
        await self._executions.open()
        services = Services(self._database, self._executions, "123456789012", "us-east-1", 1.0)
        self._runner = web.AppRunner(make_app(services), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.endpoint = f"http://127.0.0.1:{self.port}"

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._executions is not None:
            await self._executions.close()
        if self._database is not None:
            self._database.dispose()
