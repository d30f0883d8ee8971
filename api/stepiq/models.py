"""``GET /api/models`` (the model catalog, no credentials needed) and ``GET /api/user/usage``.

GET /api/models?provider=openai     [{id, name, provider, input_cost_per_million,
                                      output_cost_per_million, max_tokens, supports_json}]
GET /api/user/usage                 {credits_used, credits_remaining, runs_today, total_runs,
                                      total_cost_cents, total_tokens, by_model, plan}
"""

from __future__ import annotations

from aiohttp import web

from api.stepiq.app_keys import ACCOUNTS_KEY, PIPELINES_KEY
from api.stepiq.principal import require_user
from emulator.accounts.plans import limits_of
from emulator.models import catalog


async def list_models(request: web.Request) -> web.StreamResponse:
    models = catalog()
    provider = request.query.get("provider")
    if provider:
        models = [m for m in models if m.get("provider") == provider]
    return web.json_response(models)


async def usage(request: web.Request) -> web.StreamResponse:
    user = require_user(request, "pipelines:read")
    plan = request.app[ACCOUNTS_KEY].plan_of(user.user_id)
    result = request.app[PIPELINES_KEY].queries.usage(user.user_id, limits_of(plan).credits)
    result["plan"] = plan
    return web.json_response(result)


def add_model_routes(app: web.Application) -> None:
    app.router.add_get("/api/models", list_models)
    app.router.add_get("/api/user/usage", usage)
