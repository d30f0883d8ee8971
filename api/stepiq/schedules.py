"""``/api/schedules`` and ``/api/pipelines/{id}/schedules``: cron triggers of pipelines.

    GET    /api/pipelines/{id}/schedules        list (pipelines:read)
    POST   /api/pipelines/{id}/schedules        {name, description?, cron_expression, timezone?,
                                                 input_data?, enabled?} -> 201 (session only)
    POST   /api/schedules/{id}/enable | disable -> the schedule (session only)
    DELETE /api/schedules/{id}                  -> {deleted: true} (session only)
    GET    /api/schedules/upcoming?limit=N      next fire times across enabled schedules
                                                (pipelines:read; N 1..100, default 10)
"""

from __future__ import annotations

from aiohttp import web

from api.stepiq.app_keys import SCHEDULES_KEY
from api.stepiq.bodies import json_object
from api.stepiq.errors import ApiError
from api.stepiq.principal import require_user
from emulator.schedules.service import MAX_UPCOMING


async def list_schedules(request: web.Request) -> web.StreamResponse:
    principal = require_user(request, "pipelines:read")
    found = request.app[SCHEDULES_KEY].for_pipeline(principal.user_id, request.match_info["pipeline_id"])
    return web.json_response(found)


async def create_schedule(request: web.Request) -> web.StreamResponse:
    principal = require_user(request)
    body = await json_object(request)
    created = request.app[SCHEDULES_KEY].create(
        principal.user_id, request.match_info["pipeline_id"], body
    )
    return web.json_response(created, status=201)


async def enable(request: web.Request) -> web.StreamResponse:
    principal = require_user(request)
    return web.json_response(
        request.app[SCHEDULES_KEY].set_enabled(principal.user_id, request.match_info["id"], True)
    )


async def disable(request: web.Request) -> web.StreamResponse:
    principal = require_user(request)
    return web.json_response(
        request.app[SCHEDULES_KEY].set_enabled(principal.user_id, request.match_info["id"], False)
    )


async def delete(request: web.Request) -> web.StreamResponse:
    principal = require_user(request)
    request.app[SCHEDULES_KEY].delete(principal.user_id, request.match_info["id"])
    return web.json_response({"deleted": True})


async def upcoming(request: web.Request) -> web.StreamResponse:
    principal = require_user(request, "pipelines:read")
    text = request.query.get("limit", "10")
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_UPCOMING:
        raise ApiError(
            400, f"limit must be an integer from 1 to {MAX_UPCOMING}", "VALIDATION_ERROR",
            issues=[{"field": "limit", "message": f"must be 1 to {MAX_UPCOMING}"}],
        )
    found = request.app[SCHEDULES_KEY].upcoming(principal.user_id, int(text))
    return web.json_response({"upcoming": found})


def add_schedule_routes(app: web.Application) -> None:
    router = app.router
    router.add_get("/api/schedules/upcoming", upcoming)
    router.add_get("/api/pipelines/{pipeline_id}/schedules", list_schedules)
    router.add_post("/api/pipelines/{pipeline_id}/schedules", create_schedule)
    router.add_post("/api/schedules/{id}/enable", enable)
    router.add_post("/api/schedules/{id}/disable", disable)
    router.add_delete("/api/schedules/{id}", delete)
