"""Server-Sent Events: an execution's run, streamed as its steps are committed.

Both REST surfaces stream runs the same way and differ only in vocabulary: a *renderer*
turns what each history event changed (:class:`emulator.runviews.Change`) into frames.

    return await stream_execution(request, services, arn, render_stepflow)

Every frame derived from a history event carries ``id:`` = that event's id, so a client that
reconnects with ``Last-Event-ID`` (or ``?last_event_id=``) gets exactly the frames of later
events: the stream folds the whole history again but writes only what comes after.  While
nothing happens a comment line (``: heartbeat``, or the surface's own heartbeat frame) keeps
proxies from closing the connection.  Once the run is terminal and its final frames are
written, the stream ends.

Waking up: this process signals each commit of an execution it advances
(:class:`emulator.commit_signals.CommitSignals`), so a frame follows a commit at once; an
execution another process advances (a shared PostgreSQL database) is read every
``POLL_SECONDS`` instead.  Each read fetches only the events after the last one read.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from asl import jsontext
from emulator.runviews import Change, Projector, RunView, all_events, describe
from emulator.sfn import Services

HEARTBEAT_SECONDS = 15.0
POLL_SECONDS = 1.0  # an execution this process does not advance
HELD_POLL_SECONDS = 5.0  # one it advances: commits wake the stream; this is a safety net


@dataclass(frozen=True)
class Frame:
    """One SSE event: ``event:`` name, ``data:`` (JSON), and ``id:`` if it has one."""

    event: str
    data: Any
    id: int | None = None

    def encode(self) -> bytes:
        lines = []
        if self.id is not None:
            lines.append(f"id: {self.id}")
        lines.append(f"event: {self.event}")
        text = self.data if isinstance(self.data, str) else jsontext.dumps(self.data)
        lines.extend(f"data: {line}" for line in text.split("\n"))
        return ("\n".join(lines) + "\n\n").encode()


@dataclass
class _Open:
    """The streams an application is serving, so that shutting down ends them."""

    signals: set[asyncio.Event] = field(default_factory=set)
    closing: bool = False


_OPEN = web.AppKey("sse_streams", _Open)


async def close_all(app: web.Application) -> None:
    """``app.on_shutdown``: end every open stream now (not at the server's shutdown timeout)."""
    open_streams = app.get(_OPEN)
    if open_streams is not None:
        open_streams.closing = True
        for signal in open_streams.signals:
            signal.set()


def install(app: web.Application) -> None:
    """Track the application's streams and end them when it shuts down."""
    if _OPEN not in app:
        app[_OPEN] = _Open()
        app.on_shutdown.append(close_all)


# changes (of one history event), the run after it, the event -> frames
Renderer = Callable[[Sequence[Change], RunView, Mapping[str, Any]], list[Frame]]


class InvalidLastEventId(ValueError):
    """``Last-Event-ID`` (or ``?last_event_id=``) is not a non-negative integer."""


def last_event_id(request: web.Request) -> int:
    """The event id a reconnecting client saw last (0: none)."""
    raw = request.headers.get("Last-Event-ID")
    if raw is None or not raw.strip():
        raw = request.query.get("last_event_id")
    if raw is None or not raw.strip():
        return 0
    try:
        value = int(raw.strip())
    except ValueError:
        raise InvalidLastEventId(f"Last-Event-ID must be an event id, got {raw!r}") from None
    if value < 0:
        raise InvalidLastEventId(f"Last-Event-ID must not be negative, got {value}")
    return value


class EventStream:
    """The ``text/event-stream`` response."""

    def __init__(self, request: web.Request) -> None:
        self.request = request
        self.response = web.StreamResponse(
            status=200,
            headers={
                "Content-Type": "text/event-stream; charset=utf-8",
                "Cache-Control": "no-cache, no-transform",
                "Connection": "keep-alive",
                "X-Accel-Buffering": "no",  # nginx: do not buffer the stream
            },
        )

    async def open(self) -> None:
        await self.response.prepare(self.request)

    async def send(self, frame: Frame) -> None:
        await self.response.write(frame.encode())

    async def comment(self, text: str) -> None:
        await self.response.write(f": {text}\n\n".encode())

    async def close(self) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            await self.response.write_eof()


def _holds(services: Services, arn: str) -> bool:
    holds = getattr(services.executions, "holds", None)
    return bool(holds(arn)) if holds is not None else False


async def stream_execution(
    request: web.Request,
    services: Services,
    execution_arn: str,
    render: Renderer,
    *,
    step_names: Sequence[str] | None = None,
    after: int | None = None,
    opening: Sequence[Frame] = (),
    heartbeat: Callable[[RunView], Frame] | None = None,
    heartbeat_seconds: float = HEARTBEAT_SECONDS,
    poll_seconds: float = POLL_SECONDS,
) -> web.StreamResponse:
    """Stream the run of ``execution_arn`` until it is terminal (or the client leaves).

    ``after``: write only frames of events after this id (default: the request's
    Last-Event-ID, which raises :class:`InvalidLastEventId` when malformed).  ``opening``:
    frames written first (without ids).  ``heartbeat``: the frame written when nothing
    happened for ``heartbeat_seconds`` (default: a comment line)."""
    if after is None:
        after = last_event_id(request)
    described = describe(services, execution_arn)
    if described is None:
        raise web.HTTPNotFound()
    projector = Projector(described, step_names=step_names)
    commits = services.executions.commits
    signal = commits.watch(execution_arn)
    open_streams = request.app.get(_OPEN)
    if open_streams is not None:
        open_streams.signals.add(signal)
    stream = EventStream(request)
    try:
        await stream.open()
        for frame in opening:
            await stream.send(frame)
        position = 0
        quiet_since = time.monotonic()
        while True:
            signal.clear()
            wrote = False
            for event in all_events(services, execution_arn, position):
                changes = projector.feed(event)
                position = int(event["id"])
                if position <= after or not changes:
                    continue
                for frame in render(changes, projector.run, event):
                    await stream.send(frame)
                    wrote = True
            if projector.run.terminal or (open_streams is not None and open_streams.closing):
                break
            now = time.monotonic()
            if wrote:
                quiet_since = now
            elif now - quiet_since >= heartbeat_seconds:
                if heartbeat is not None:
                    await stream.send(heartbeat(projector.view()))
                else:
                    await stream.comment("heartbeat")
                quiet_since = now
            wait = poll_seconds if not _holds(services, execution_arn) else HELD_POLL_SECONDS
            wait = max(0.0, min(wait, heartbeat_seconds - (time.monotonic() - quiet_since)))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(signal.wait(), timeout=wait)
    except ConnectionError:
        return stream.response  # the client went away: nothing more to write
    finally:
        commits.unwatch(execution_arn, signal)
        if open_streams is not None:
            open_streams.signals.discard(signal)
    await stream.close()
    return stream.response
