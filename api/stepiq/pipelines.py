"""``/api/pipelines``: pipelines CRUD, validation and manual runs.

    GET    /api/pipelines?status=active|archived|all&limit=&cursor=   {pipelines, next_cursor}
    POST   /api/pipelines            JSON {name?, description?, definition, tags?}, or the
                                     pipeline document itself as YAML (application/yaml,
                                     text/yaml) or JSON                  -> 201 pipeline
    POST   /api/pipelines/validate   same body                  -> 200 {valid, errors, diagnostics}
    GET    /api/pipelines/:id        the pipeline with definition_asl and state_machine_arn
    PUT    /api/pipelines/:id        partial: a new version when the definition changes
    GET    /api/pipelines/:id/versions   {versions: [{version, definition, created_at, ...}]}
    DELETE /api/pipelines/:id        archives                   -> 200 {archived, id, status}
    POST   /api/pipelines/:id/run    {input_data?}, Idempotency-Key -> 202 run (status pending)

Reading needs a session or an API key with ``pipelines:read``; running, ``pipelines:execute``;
creating, changing and archiving, a user session.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from aiohttp import web

from api.stepiq.app_keys import PIPELINES_KEY
from api.stepiq.bodies import json_object, raw_body
from api.stepiq.errors import ApiError
from api.stepiq.principal import require_user

YAML_TYPES = ("application/yaml", "text/yaml", "application/x-yaml", "text/x-yaml")


def int_query(request: web.Request, name: str) -> int | None:
    value = request.query.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise ApiError(400, f"{name} must be an integer", "INVALID_QUERY") from None


async def pipeline_source(
    request: web.Request, *, required: bool = True
) -> tuple[str | bytes | None, str | None, dict[str, Any]]:
    """(document text, its content type, {name, description, tags}) of a create or update
    body: raw YAML, a JSON ``{definition, ...}`` wrapper (definition as an object or as YAML
    or JSON text), or the JSON pipeline document itself."""
    body = await raw_body(request)
    if request.content_type.lower() in YAML_TYPES:
        if not body.strip():
            raise ApiError(400, "A pipeline definition is required", "INVALID_BODY")
        return body, "application/yaml", {}
    try:
        value = orjson.loads(body) if body.strip() else None
    except orjson.JSONDecodeError:
        raise ApiError(
            400, "Invalid JSON body (send YAML with Content-Type: application/yaml)",
            "INVALID_JSON",
        ) from None  # fmt: skip
    if not isinstance(value, dict):
        raise ApiError(400, "The body must be a JSON object", "INVALID_JSON")
    if "definition" not in value:
        if not required and set(value) <= {"name", "description", "tags"}:
            return None, None, value
        return body, "application/json", {}
    meta = {k: value[k] for k in ("name", "description", "tags") if k in value}
    unknown = set(value) - {"definition", "name", "description", "tags"}
    if unknown:
        raise ApiError(
            400, f"Unknown fields: {', '.join(sorted(unknown))}", "INVALID_BODY",
            details={"allowed": ["name", "description", "definition", "tags"]},
        )  # fmt: skip
    for key in ("name", "description"):
        if key in meta and meta[key] is not None and not isinstance(meta[key], str):
            raise ApiError(400, f"{key} must be a string", "INVALID_BODY")
    definition = value["definition"]
    if isinstance(definition, str):
        return definition, None, meta
    if isinstance(definition, dict):
        return json.dumps(definition), "application/json", meta
    if definition is None and not required:
        return None, None, meta
    raise ApiError(400, "definition must be an object, or YAML or JSON text", "INVALID_BODY")


async def list_pipelines(request: web.Request) -> web.StreamResponse:
    user = require_user(request, "pipelines:read")
    result = request.app[PIPELINES_KEY].list_pipelines(
        user.user_id,
        status=request.query.get("status") or None,
        limit=int_query(request, "limit"),
        cursor=request.query.get("cursor") or None,
    )
    return web.json_response(result)


async def create_pipeline(request: web.Request) -> web.StreamResponse:
    user = require_user(request)
    source, content_type, meta = await pipeline_source(request)
    assert source is not None
    created = await request.app[PIPELINES_KEY].create_pipeline(
        user.user_id,
        source,
        content_type,
        name=meta.get("name"),
        description=meta.get("description"),
        tags=meta.get("tags"),
    )
    return web.json_response(created, status=201)


async def validate_pipeline(request: web.Request) -> web.StreamResponse:
    user = require_user(request, "pipelines:read")
    source, content_type, _ = await pipeline_source(request)
    assert source is not None
    result = await request.app[PIPELINES_KEY].validate_pipeline(user.user_id, source, content_type)
    return web.json_response(result)


async def get_pipeline(request: web.Request) -> web.StreamResponse:
    user = require_user(request, "pipelines:read")
    found = request.app[PIPELINES_KEY].get_pipeline(user.user_id, request.match_info["id"])
    return web.json_response(found)


async def list_versions(request: web.Request) -> web.StreamResponse:
    user = require_user(request, "pipelines:read")
    found = request.app[PIPELINES_KEY].list_versions(user.user_id, request.match_info["id"])
    return web.json_response(found)


async def update_pipeline(request: web.Request) -> web.StreamResponse:
    user = require_user(request)
    source, content_type, meta = await pipeline_source(request, required=False)
    updated = await request.app[PIPELINES_KEY].update_pipeline(
        user.user_id,
        request.match_info["id"],
        source,
        content_type,
        name=meta.get("name"),
        description=meta.get("description"),
        tags=meta.get("tags"),
    )
    return web.json_response(updated)


async def archive_pipeline(request: web.Request) -> web.StreamResponse:
    user = require_user(request)
    result = await request.app[PIPELINES_KEY].archive_pipeline(
        user.user_id, request.match_info["id"]
    )
    return web.json_response(result)


async def run_pipeline(request: web.Request) -> web.StreamResponse:
    user = require_user(request, "pipelines:execute")
    body = await json_object(request, optional=True)
    input_data = body.get("input_data")
    run = await request.app[PIPELINES_KEY].trigger_run(
        user.user_id,
        request.match_info["id"],
        input_data,
        "api" if user.via == "api_key" else "manual",
        idempotency_key=request.headers.get("Idempotency-Key") or None,
    )
    return web.json_response(run, status=202)


def add_pipeline_routes(app: web.Application) -> None:
    app.router.add_get("/api/pipelines", list_pipelines)
    app.router.add_post("/api/pipelines", create_pipeline)
    app.router.add_post("/api/pipelines/validate", validate_pipeline)
    app.router.add_get("/api/pipelines/{id}", get_pipeline)
    app.router.add_put("/api/pipelines/{id}", update_pipeline)
    app.router.add_get("/api/pipelines/{id}/versions", list_versions)
    app.router.add_delete("/api/pipelines/{id}", archive_pipeline)
    app.router.add_post("/api/pipelines/{id}/run", run_pipeline)
