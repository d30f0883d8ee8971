"""The stepIQ REST surface under ``/api``: its services, middlewares and routes.

    add_routes(app, services)     # in api.server.make_app, before the Step Functions catch-all

creates the surface's services on the emulator (``Accounts``, ``Pipelines``, ``Schedules`` and
the schedule ``Ticker``, kept under ``app_keys``), installs the secret lookup the pipeline
integrations use, adds the error middleware (``errors``: one error shape, 404 for unknown
``/api`` paths, 413 over 256 KB) and the auth middleware (``principal``: sets
``request["principal"]``; handlers call ``require_user(request, scope)``), starts and stops the
services with the application, and registers every ``/api`` route.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from api.stepiq.app_keys import ACCOUNTS_KEY, PIPELINES_KEY, SCHEDULES_KEY
from api.stepiq.auth import add_auth_routes
from api.stepiq.errors import ApiError, error_middleware
from api.stepiq.models import add_model_routes
from api.stepiq.pipelines import add_pipeline_routes
from api.stepiq.principal import auth_middleware, require_user
from api.stepiq.runs import add_run_routes
from api.stepiq.schedules import add_schedule_routes
from api.stepiq.user import add_user_routes
from api.stepiq.webhooks import add_webhook_routes
from emulator.accounts import Accounts
from emulator.accounts.keyring import load_secret_key
from emulator.accounts.plans import default_plan, require_cron
from emulator.pipelines import secrets as pipeline_secrets
from emulator.pipelines.plan_gate import PlanGate
from emulator.pipelines.service import Pipelines
from emulator.pipelines.service_errors import InputValidationFailed, pipeline_not_active
from emulator.schedules import Schedules, Ticker
from emulator.sfn import Services

__all__ = ["ApiError", "add_routes", "require_user"]

TICKER_KEY = web.AppKey("stepiq_ticker", Ticker)


def _input_check(pipelines: Pipelines) -> Any:
    def check(user_id: str, pipeline_id: str, input_data: dict[str, Any]) -> None:
        from emulator.pipelines import PipelineInvalid, check_input

        row = pipelines.pipeline_row(user_id, pipeline_id)
        if row.status != "active":
            raise pipeline_not_active()  # as for a run: an archived pipeline takes no trigger
        try:
            check_input(pipelines.pipeline_model(pipeline_id, row.version), input_data)
        except PipelineInvalid as invalid:
            raise InputValidationFailed(list(invalid.issues)) from None

    return check


def add_routes(app: web.Application, services: Services) -> None:
    clock = services.executions.clock
    # New users' plan: STEPLINE_DEFAULT_PLAN, else free (emulator.accounts.plans says why).
    accounts = Accounts(services.db, clock, load_secret_key(services.db), default_plan())
    pipelines = Pipelines(services, secret_lookup=accounts.get_secret)
    pipelines.plan_gate = PlanGate(pipelines, accounts.plan_of)
    schedules = Schedules(
        services.db, clock,
        pipeline_check=lambda user_id, pipeline_id: pipelines.pipeline_row(user_id, pipeline_id),
        input_check=_input_check(pipelines),
        cron_check=lambda user_id: require_cron(accounts.plan_of(user_id)),
    )  # fmt: skip

    async def fire(row: Any) -> str | None:
        input_data = json.loads(row.input_data) if row.input_data else {}
        run = await pipelines.trigger_run(row.user_id, row.pipeline_id, input_data, "cron")
        run_id: str | None = run.get("id")
        return run_id

    ticker = Ticker(schedules, clock, fire)

    def definition_saved(user_id: str, pipeline_id: str, pipeline: Any | None) -> None:
        spec = None if pipeline is None else pipeline.schedule
        schedules.sync_definition(user_id, pipeline_id, spec, archived=pipeline is None)

    pipelines.definition_saved = definition_saved
    app[ACCOUNTS_KEY] = accounts
    app[PIPELINES_KEY] = pipelines
    app[SCHEDULES_KEY] = schedules
    app[TICKER_KEY] = ticker
    app.middlewares.append(error_middleware)
    app.middlewares.append(auth_middleware)

    async def start(app: web.Application) -> None:
        pipeline_secrets.set_lookup(accounts.secret_lookup)
        await pipelines.start()
        await ticker.start()

    async def stop(app: web.Application) -> None:
        await ticker.stop()
        await pipelines.stop()
        pipeline_secrets.set_lookup(None)

    app.on_startup.append(start)
    app.on_cleanup.append(stop)

    add_auth_routes(app)
    add_user_routes(app)
    add_schedule_routes(app)
    add_pipeline_routes(app)
    add_run_routes(app)
    add_webhook_routes(app)
    add_model_routes(app)
