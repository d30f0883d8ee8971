"""``GET /api/runs/:id/stream``: a run's progress as Server-Sent Events (``api.sse``).

Every frame derived from a history event carries ``id:`` = that event's id, so a client that
reconnects with ``Last-Event-ID`` (or ``?last_event_id=``) gets only what it missed; the
stream ends once the run has finished.  Both vocabularies are sent:

- stepIQ: ``connected`` ``{type, run_id}`` and ``run_status`` (the status now) first, then
  ``step_status`` ``{run_id, step_id, status, seq}`` (``started`` | ``waiting`` | ``running``
  | ``completed`` | ``failed`` | ``cancelled``), ``run_status`` ``{run_id, status,
  completed_at, last_seq}`` when the run finishes or is redriven, and ``heartbeat``
  ``{run_id, status, last_seq}`` after 15 s of silence;
- Stepflow: ``status``, ``step``, ``error`` and ``complete`` (see ``api.stepflow.render``).

A run still ``pending`` (its execution not started yet) is waited for, briefly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any

from aiohttp import web

from api import sse
from api.sse import Frame
from api.stepflow.render import render as render_stepflow
from api.stepiq.app_keys import PIPELINES_KEY
from api.stepiq.errors import ApiError
from api.stepiq.principal import require_user
from emulator.runviews import Change, RunView, iso

START_WAIT_SECONDS = 10.0
_STEP_STATUS = {
    "step_started": "started",
    "step_waiting": "waiting",
    "step_resumed": "running",
    "step_retrying": "running",
}


def stepiq_frames(run_id: str, changes: Sequence[Change], run: RunView) -> list[Frame]:
    frames: list[Frame] = []
    for change in changes:
        eid = change.event_id
        step = change.step
        if step is not None and (change.kind in _STEP_STATUS or change.kind == "step_finished"):
            status = _STEP_STATUS.get(change.kind, step.status)
            data = {"run_id": run_id, "step_id": step.name, "status": status, "seq": eid}
            frames.append(Frame("step_status", data, eid))
        elif change.kind in ("run_finished", "run_resumed"):
            frames.append(Frame("run_status", {
                "run_id": run_id, "status": change.run_status,
                "completed_at": iso(run.completed_at) if run.terminal else None,
                "last_seq": eid,
            }, eid))  # fmt: skip
    return frames


async def _started(request: web.Request, user_id: str, run_id: str) -> Any:
    """The run once its execution exists (or it will never start)."""
    queries = request.app[PIPELINES_KEY].queries
    deadline = time.monotonic() + START_WAIT_SECONDS
    while True:
        row = queries.row(user_id, run_id)
        if row.x_status is not None or row.start_error is not None or row.cancelled_early:
            return row
        if time.monotonic() >= deadline:
            raise ApiError(409, "The run has not started yet; try again", "RUN_NOT_STARTED")
        await asyncio.sleep(0.02)


async def stream_run(request: web.Request) -> web.StreamResponse:
    user = require_user(request, "pipelines:read")
    pipelines = request.app[PIPELINES_KEY]
    run_id = request.match_info["id"]
    try:
        after = sse.last_event_id(request)
    except sse.InvalidLastEventId as exc:
        raise ApiError(400, str(exc), "INVALID_LAST_EVENT_ID") from None
    row = await _started(request, user.user_id, run_id)
    current = pipelines.queries.render(row)
    opening = [
        Frame("connected", {"type": "connected", "run_id": run_id}),
        Frame("run_status", {"run_id": run_id, "status": current["status"],
                             "completed_at": current["completed_at"], "last_seq": after}),
    ]  # fmt: skip
    if row.x_status is None:  # never started: a failed start, or cancelled before it
        stream = sse.EventStream(request)
        await stream.open()
        for frame in opening:
            await stream.send(frame)
        await stream.close()
        return stream.response

    def render(changes: Sequence[Change], run: RunView, event: Mapping[str, Any]) -> list[Frame]:
        return stepiq_frames(run_id, changes, run) + render_stepflow(changes, run, event)

    def heartbeat(run: RunView) -> Frame:
        return Frame(
            "heartbeat", {"run_id": run_id, "status": run.status, "last_seq": run.last_event_id}
        )

    return await sse.stream_execution(
        request, pipelines.services, row.execution_arn, render,
        step_names=pipelines.queries.step_ids(row.pipeline_id, row.pipeline_version),
        after=after, opening=opening, heartbeat=heartbeat,
    )  # fmt: skip
