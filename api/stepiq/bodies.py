"""Reading request bodies of the stepIQ surface: JSON objects, within the 256 KB limit."""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from api.stepiq.errors import MAX_BODY, ApiError, too_large


async def raw_body(request: web.Request) -> bytes:
    body = await request.read()
    if len(body) > MAX_BODY:
        raise too_large()
    return body


async def json_object(request: web.Request, *, optional: bool = False) -> dict[str, Any]:
    """The body as a JSON object ({} for an empty body when ``optional``)."""
    body = await raw_body(request)
    if not body.strip():
        if optional:
            return {}
        raise ApiError(400, "A JSON object body is required", "INVALID_JSON")
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, "Invalid JSON body", "INVALID_JSON") from exc
    if not isinstance(value, dict):
        raise ApiError(400, "The body must be a JSON object", "INVALID_JSON")
    return value
