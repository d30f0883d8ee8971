"""The Stepflow REST surface, mounted under a base path (default ``/api/stepflow``).

    add_routes(app, services, base_path="/api/stepflow", auth="none")

Routes (as Stepflow's API reference, shared/seeds/stepflow-api-reference.txt):
  POST {base}/trigger/{workflowId}   start a run: ``{runId, publicAccessToken}``
  GET  {base}/runs/{runId}           the run and its steps (``?token=pat_…``)
  GET  {base}/runs/{runId}/stream    Server-Sent Events until the run ends (``?token=pat_…``)
  POST {base}/notify/{eventId}       resume every run waiting for the event: ``{success: true}``
  GET  {base}/health                 ``{status: "ok", timestamp, version}``
  GET  {base}/openapi.yaml           the OpenAPI document of every Stepline REST endpoint

Errors are ``{error, code}``: WORKFLOW_NOT_FOUND, RUN_NOT_FOUND, EVENT_NOT_FOUND (404),
UNAUTHORIZED (401), INVALID_INPUT (400); unknown paths under the base answer 404 NOT_FOUND.
Authentication: see :mod:`api.stepflow.auth` (``--stepflow-auth none|api-key``).
"""

from __future__ import annotations

from aiohttp import web

from api import sse
from api.stepflow import handlers
from api.stepflow.auth import AUTH_MODES
from api.stepflow.handlers import STEPFLOW_KEY, Stepflow
from emulator.accounts import Accounts
from emulator.pipelines.service import Pipelines
from emulator.sfn import Services
from emulator.stepflow import StepflowRuns

DEFAULT_BASE_PATH = "/api/stepflow"
CATCH_ALL = "/{tail:.*}"

__all__ = ["AUTH_MODES", "DEFAULT_BASE_PATH", "STEPFLOW_KEY", "add_routes", "normalize_base"]


def normalize_base(base_path: str) -> str:
    """``api/stepflow/`` -> ``/api/stepflow``; ``/`` or empty -> ``""`` (served at the root)."""
    base = "/" + base_path.strip().strip("/")
    return "" if base == "/" else base


def add_routes(
    app: web.Application,
    services: Services,
    *,
    base_path: str = DEFAULT_BASE_PATH,
    auth: str = "none",
) -> None:
    if auth not in AUTH_MODES:
        raise ValueError(f"the Stepflow auth mode must be one of {', '.join(AUTH_MODES)}")
    from api.openapi import serve_openapi
    from api.stepiq.app_keys import ACCOUNTS_KEY, PIPELINES_KEY
    from emulator.integrations import events

    events.attach(services.db)  # waitForEvent tasks record their waiters in the database

    base = normalize_base(base_path)

    def accounts() -> Accounts | None:
        return app.get(ACCOUNTS_KEY)

    def pipelines() -> Pipelines | None:
        return app.get(PIPELINES_KEY)

    app[STEPFLOW_KEY] = Stepflow(
        services, StepflowRuns(services), base, auth, accounts=accounts, pipelines=pipelines
    )
    sse.install(app)  # open streams end when the server shuts down
    router = app.router
    router.add_post(base + "/trigger/{workflowId}", handlers.trigger)
    router.add_get(base + "/runs/{runId}", handlers.get_run)
    router.add_get(base + "/runs/{runId}/stream", handlers.stream_run)
    router.add_post(base + "/notify/{eventId}", handlers.notify_event)
    if base:  # at the root, the server's own /health and /openapi.yaml serve
        router.add_get(base + "/health", handlers.health)
        router.add_get(base + "/openapi.yaml", serve_openapi)
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            router.add_route(method, base + CATCH_ALL, handlers.not_found)
