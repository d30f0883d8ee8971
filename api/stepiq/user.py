"""``/api/user``: the profile, API keys and secrets; pipeline-scoped secrets.

    GET    /api/user/me                        profile (session, or a key with pipelines:read)
    GET    /api/user/plan                      {plan, limits} (stepIQ's PLAN_LIMITS row; -1: unlimited)
    PUT    /api/user/plan                      {plan}: change it, on a development server only
                                               (STEPLINE_DEV=1), else 403 PLAN_CHANGE_DISABLED
    GET    /api/user/api-keys                  keys, metadata and prefix only
    POST   /api/user/api-keys                  {name?, scopes?, expires_at?} -> 201 with ``key`` (shown once)
    DELETE /api/user/api-keys/{id}             revoke -> {deleted: true}
    GET    /api/user/secrets                   names only
    POST   /api/user/secrets                   {name, value}: create (201) or update (200)
    PUT    /api/user/secrets/{name}            {value}: create or update
    DELETE /api/user/secrets/{name}
    GET|POST /api/pipelines/{id}/secrets, PUT|DELETE /api/pipelines/{id}/secrets/{name}
                                               the same, scoped to one pipeline (overrides global)

Keys and secrets are managed with a user session only: an API key cannot mint keys or read
secret names.  Listing and creating keys needs a plan with API access (403 PLAN_API_DISABLED
on free, as stepIQ); revoking does not, so a downgraded user can still revoke.
"""

from __future__ import annotations

from aiohttp import web

from api.stepiq.app_keys import ACCOUNTS_KEY, PIPELINES_KEY
from api.stepiq.auth import DEV_ENV, dev_mode
from api.stepiq.bodies import json_object
from api.stepiq.errors import ApiError
from api.stepiq.principal import require_user
from emulator.accounts.plans import limits_of


async def me(request: web.Request) -> web.StreamResponse:
    principal = require_user(request, "pipelines:read")
    user = request.app[ACCOUNTS_KEY].user(principal.user_id)
    return web.json_response(user.to_json())


def _plan_json(plan: str) -> dict[str, object]:
    limits = limits_of(plan).to_json()
    del limits["plan"]
    return {"plan": plan, "limits": limits}


async def get_plan(request: web.Request) -> web.StreamResponse:
    principal = require_user(request, "pipelines:read")
    return web.json_response(_plan_json(request.app[ACCOUNTS_KEY].plan_of(principal.user_id)))


async def put_plan(request: web.Request) -> web.StreamResponse:
    principal = require_user(request)
    if not dev_mode():
        # There is no billing here: a plan changes only on a development server.
        raise ApiError(
            403, f"Changing the plan needs a development server ({DEV_ENV}=1)",
            "PLAN_CHANGE_DISABLED",
        )  # fmt: skip
    body = await json_object(request)
    user = request.app[ACCOUNTS_KEY].set_plan(principal.user_id, body.get("plan"))
    return web.json_response(_plan_json(user.plan))


async def list_keys(request: web.Request) -> web.StreamResponse:
    principal = require_user(request)
    keys = request.app[ACCOUNTS_KEY].list_api_keys(principal.user_id)
    return web.json_response([key.to_json() for key in keys])


async def create_key(request: web.Request) -> web.StreamResponse:
    principal = require_user(request)
    body = await json_object(request, optional=True)
    key, plaintext = request.app[ACCOUNTS_KEY].create_api_key(
        principal.user_id, body.get("name"), body.get("scopes"), body.get("expires_at")
    )
    return web.json_response({**key.to_json(), "key": plaintext}, status=201)


async def revoke_key(request: web.Request) -> web.StreamResponse:
    principal = require_user(request)
    request.app[ACCOUNTS_KEY].revoke_api_key(principal.user_id, request.match_info["key_id"])
    return web.json_response({"deleted": True})


def _pipeline_scope(request: web.Request, user_id: str) -> str | None:
    """The pipeline of a pipeline-scoped route (checked to be the user's), else None."""
    pipeline_id = request.match_info.get("pipeline_id")
    if pipeline_id is not None:
        request.app[PIPELINES_KEY].pipeline_row(user_id, pipeline_id)
    return pipeline_id


async def list_secrets(request: web.Request) -> web.StreamResponse:
    principal = require_user(request)
    scope = _pipeline_scope(request, principal.user_id)
    found = request.app[ACCOUNTS_KEY].list_secrets(principal.user_id, scope)
    return web.json_response([secret.to_json() for secret in found])


async def _save(request: web.Request, path_name: str | None) -> web.StreamResponse:
    principal = require_user(request)
    scope = _pipeline_scope(request, principal.user_id)
    body = await json_object(request)
    name = path_name if path_name is not None else body.get("name")
    secret, created = request.app[ACCOUNTS_KEY].put_secret(
        principal.user_id, name, body.get("value"), scope
    )
    return web.json_response(secret.to_json(), status=201 if created else 200)


async def post_secret(request: web.Request) -> web.StreamResponse:
    return await _save(request, None)


async def put_secret(request: web.Request) -> web.StreamResponse:
    return await _save(request, request.match_info["name"])


async def delete_secret(request: web.Request) -> web.StreamResponse:
    principal = require_user(request)
    scope = _pipeline_scope(request, principal.user_id)
    request.app[ACCOUNTS_KEY].delete_secret(principal.user_id, request.match_info["name"], scope)
    return web.json_response({"deleted": True})


def add_user_routes(app: web.Application) -> None:
    router = app.router
    router.add_get("/api/user/me", me)
    router.add_get("/api/user/plan", get_plan)
    router.add_put("/api/user/plan", put_plan)
    router.add_get("/api/user/api-keys", list_keys)
    router.add_post("/api/user/api-keys", create_key)
    router.add_delete("/api/user/api-keys/{key_id}", revoke_key)
    for base in ("/api/user/secrets", "/api/pipelines/{pipeline_id}/secrets"):
        router.add_get(base, list_secrets)
        router.add_post(base, post_secret)
        router.add_put(base + "/{name}", put_secret)
        router.add_delete(base + "/{name}", delete_secret)
