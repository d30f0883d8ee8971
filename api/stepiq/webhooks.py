"""``POST /api/webhooks/:pipelineId``: trigger a run from another system, with an API key.

    X-API-Key: sk_live_…  (or ?api_key=, or Authorization: Bearer sk_…), scope webhooks:trigger
    body: {"input_data": {...}}, or any top-level JSON object (used whole when ``input_data``
          is absent or not an object)
    202 {"accepted": true, "run_id", "status": "pending", "pipeline_id"}

As stepIQ's seed says: 401 for a missing or invalid key (a key without the scope is an invalid
key for this endpoint), 404 for a pipeline that is not the key owner's or not active, 422 when
the input does not match ``input.schema``; a body that is not a JSON object is a 400.
"""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from api.stepiq.app_keys import PIPELINES_KEY
from api.stepiq.bodies import raw_body
from api.stepiq.errors import ApiError
from api.stepiq.principal import principal_of

SCOPE = "webhooks:trigger"


def _input_of(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise ApiError(400, "Invalid JSON body", "INVALID_JSON") from None
    if not isinstance(value, dict):
        raise ApiError(400, "Invalid JSON body: the body must be a JSON object", "INVALID_JSON")
    inner = value.get("input_data")
    return inner if isinstance(inner, dict) else value


async def trigger(request: web.Request) -> web.StreamResponse:
    principal = principal_of(request)
    if principal is None:
        presented = (
            request.headers.get("X-API-Key")
            or request.headers.get("Authorization")
            or request.query.get("api_key")
        )
        if not presented:
            raise ApiError(401, "Unauthorized", "UNAUTHORIZED")
        raise ApiError(401, "Invalid API key", "INVALID_API_KEY")
    if principal.via != "api_key":
        raise ApiError(401, "An API key is required (X-API-Key)", "UNAUTHORIZED")
    if SCOPE not in principal.scopes:
        raise ApiError(
            401, "Invalid API key", "INVALID_API_KEY",
            details={"reason": f"the key lacks the scope {SCOPE}"},
        )  # fmt: skip
    input_data = _input_of(await raw_body(request))
    pipeline_id = request.match_info["pipeline_id"]
    run = await request.app[PIPELINES_KEY].trigger_run(
        principal.user_id, pipeline_id, input_data, "webhook"
    )
    return web.json_response(
        {
            "accepted": True,
            "run_id": run["id"],
            "status": run["status"],
            "pipeline_id": pipeline_id,
        },
        status=202,
    )


def add_webhook_routes(app: web.Application) -> None:
    app.router.add_post("/api/webhooks/{pipeline_id}", trigger)
