"""``/api/runs``: listing, detail with steps, cancel, retry, human review, deliveries, stream.

    GET  /api/runs?pipeline_id=&status=&trigger_type=&created_after=&created_before=&limit=&cursor=
                                                   {runs, next_cursor}, newest first
    GET  /api/runs/:id                             the run with steps (tokens, cost per step)
    GET  /api/runs/:id/stream                      Server-Sent Events (see ``run_stream``)
    GET  /api/runs/:id/deliveries                  outbound webhook deliveries and attempts
    POST /api/runs/:id/deliveries/:delivery_id/redeliver   202 a new delivery of the same event
    POST /api/runs/:id/cancel                      200 {cancelled: true, run}; 409 when finished
    POST /api/runs/:id/retry?mode=rerun|redrive    202 the new (rerun) or redriven run
    POST /api/runs/:id/steps/:step_id/approve      body: the step's result -> 200 run
    POST /api/runs/:id/steps/:step_id/reject       body: {reason?}         -> 200 run

Reading needs a session or ``pipelines:read``; the rest, ``pipelines:execute``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
from aiohttp import web

from api.stepiq.app_keys import PIPELINES_KEY
from api.stepiq.bodies import json_object, raw_body
from api.stepiq.errors import ApiError
from api.stepiq.pipelines import int_query
from api.stepiq.principal import require_user
from api.stepiq.run_stream import stream_run


def time_query(request: web.Request, name: str) -> datetime | None:
    value = request.query.get(name)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, f"{name} must be an ISO 8601 timestamp", "INVALID_QUERY") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


async def list_runs(request: web.Request) -> web.StreamResponse:
    user = require_user(request, "pipelines:read")
    pipelines = request.app[PIPELINES_KEY]
    result = pipelines.queries.list(
        user.user_id,
        pipeline_id=request.query.get("pipeline_id") or None,
        status=request.query.get("status") or None,
        trigger_type=request.query.get("trigger_type") or None,
        created_after=time_query(request, "created_after"),
        created_before=time_query(request, "created_before"),
        limit=int_query(request, "limit"),
        cursor=request.query.get("cursor") or None,
    )
    return web.json_response(result)


async def get_run(request: web.Request) -> web.StreamResponse:
    user = require_user(request, "pipelines:read")
    return web.json_response(
        request.app[PIPELINES_KEY].get_run(user.user_id, request.match_info["id"])
    )


async def run_deliveries(request: web.Request) -> web.StreamResponse:
    user = require_user(request, "pipelines:read")
    pipelines = request.app[PIPELINES_KEY]
    run = pipelines.queries.row(user.user_id, request.match_info["id"])
    return web.json_response({"deliveries": pipelines.deliveries.for_run(run.id)})


async def redeliver(request: web.Request) -> web.StreamResponse:
    user = require_user(request, "pipelines:execute")
    pipelines = request.app[PIPELINES_KEY]
    run = pipelines.queries.row(user.user_id, request.match_info["id"])
    new_id = pipelines.deliveries.redeliver(run.id, request.match_info["delivery_id"])
    found = next(d for d in pipelines.deliveries.for_run(run.id) if d["id"] == new_id)
    return web.json_response(found, status=202)


async def cancel_run(request: web.Request) -> web.StreamResponse:
    user = require_user(request, "pipelines:execute")
    result = await request.app[PIPELINES_KEY].cancel_run(user.user_id, request.match_info["id"])
    return web.json_response(result)


async def retry_run(request: web.Request) -> web.StreamResponse:
    user = require_user(request, "pipelines:execute")
    mode = request.query.get("mode") or "rerun"
    run = await request.app[PIPELINES_KEY].runs.retry(user.user_id, request.match_info["id"], mode)
    return web.json_response(run, status=202)


async def approve_step(request: web.Request) -> web.StreamResponse:
    user = require_user(request, "pipelines:execute")
    body = await raw_body(request)
    try:
        payload = orjson.loads(body) if body.strip() else {}
    except orjson.JSONDecodeError:
        raise ApiError(400, "Invalid JSON body", "INVALID_JSON") from None
    run = await request.app[PIPELINES_KEY].runs.review(
        user.user_id, request.match_info["id"], request.match_info["step_id"], True, payload
    )
    return web.json_response(run)


async def reject_step(request: web.Request) -> web.StreamResponse:
    user = require_user(request, "pipelines:execute")
    body = await json_object(request, optional=True)
    reason = body.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise ApiError(400, "reason must be a string", "INVALID_BODY")
    run = await request.app[PIPELINES_KEY].runs.review(
        user.user_id, request.match_info["id"], request.match_info["step_id"], False, reason
    )
    return web.json_response(run)


def add_run_routes(app: web.Application) -> None:
    app.router.add_get("/api/runs", list_runs)
    app.router.add_get("/api/runs/{id}", get_run)
    app.router.add_get("/api/runs/{id}/stream", stream_run)
    app.router.add_get("/api/runs/{id}/deliveries", run_deliveries)
    app.router.add_post("/api/runs/{id}/deliveries/{delivery_id}/redeliver", redeliver)
    app.router.add_post("/api/runs/{id}/cancel", cancel_run)
    app.router.add_post("/api/runs/{id}/retry", retry_run)
    app.router.add_post("/api/runs/{id}/steps/{step_id}/approve", approve_step)
    app.router.add_post("/api/runs/{id}/steps/{step_id}/reject", reject_step)
