"""The Stepflow surface's handlers (routes in :mod:`api.stepflow`)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

import orjson
from aiohttp import web

from api import sse
from api.stepflow import pipelines as pipeline_workflows
from api.stepflow.auth import EXECUTE, check_run_access, credentials, require_caller
from api.stepflow.render import render, run_json
from emulator.accounts import Accounts
from emulator.pipelines.service import Pipelines
from emulator.runviews import read_run
from emulator.sfn import Services
from emulator.stepflow import StepflowError, StepflowRun, StepflowRuns, notify

log = logging.getLogger("stepline.api")

STATUS = {
    "WORKFLOW_NOT_FOUND": 404,
    "RUN_NOT_FOUND": 404,
    "EVENT_NOT_FOUND": 404,
    "NOT_FOUND": 404,
    "UNAUTHORIZED": 401,
    "INVALID_INPUT": 400,
}


def version() -> str:
    try:
        return metadata.version("stepline")
    except metadata.PackageNotFoundError:
        return "0.0.0"


@dataclass
class Stepflow:
    """What the surface's handlers share."""

    services: Services
    runs: StepflowRuns
    base_path: str
    auth: str
    accounts: Callable[[], Accounts | None] = field(default=lambda: None)
    pipelines: Callable[[], Pipelines | None] = field(default=lambda: None)


STEPFLOW_KEY = web.AppKey("stepflow", Stepflow)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error_response(code: str, message: str) -> web.Response:
    return web.json_response({"error": message, "code": code}, status=STATUS.get(code, 400))


def handles(handler: Handler) -> Handler:
    """Render the surface's errors as ``{error, code}``."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except StepflowError as exc:
            return error_response(exc.code, exc.message)
        except sse.InvalidLastEventId as exc:
            return error_response("INVALID_INPUT", str(exc))
        except web.HTTPException:
            raise
        except Exception:
            log.exception("Stepflow %s %s failed", request.method, request.path)
            return web.json_response(
                {"error": "Internal server error", "code": "INTERNAL_ERROR"}, status=500
            )

    return wrapped


async def _json_body(request: web.Request) -> Any:
    """The body's JSON (an empty body is ``{}``)."""
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise StepflowError("INVALID_INPUT", f"The request body is not valid JSON: {exc}") from None


@handles
async def trigger(request: web.Request) -> web.StreamResponse:
    sf = request.app[STEPFLOW_KEY]
    principal = require_caller(sf.auth, credentials(request, sf.accounts()), EXECUTE)
    body = await _json_body(request)
    if not isinstance(body, dict):
        raise StepflowError("INVALID_INPUT", "The request body must be a JSON object")
    workflow_id = request.match_info["workflowId"]
    user_id = principal.user_id if principal is not None else None
    try:
        started = await sf.runs.trigger(workflow_id, body, user_id=user_id)
    except StepflowError as exc:
        pipelines = sf.pipelines()
        if exc.code != "WORKFLOW_NOT_FOUND" or user_id is None or pipelines is None:
            raise
        found = await pipeline_workflows.trigger(pipelines, sf.runs, user_id, workflow_id, body)
        if found is None:
            raise
        started = found
    return web.json_response(
        {"runId": started.run_id, "publicAccessToken": started.public_access_token}
    )


def _readable(request: web.Request) -> tuple[Stepflow, StepflowRun]:
    sf = request.app[STEPFLOW_KEY]
    found = credentials(request, sf.accounts())
    run = sf.runs.require(request.match_info["runId"])
    check_run_access(sf.auth, found, run, sf.runs)
    return sf, run


def _step_names(sf: Stepflow, run: StepflowRun) -> list[str] | None:
    pipelines = sf.pipelines()
    if pipelines is None:
        return None
    return pipeline_workflows.step_names(pipelines, run.execution_arn)


@handles
async def get_run(request: web.Request) -> web.StreamResponse:
    sf, run = _readable(request)
    view = read_run(sf.services, run.execution_arn, step_names=_step_names(sf, run))
    if view is None:
        raise StepflowError("RUN_NOT_FOUND", f"Run {run.run_id!r} not found")
    return web.json_response(run_json(run, view))


@handles
async def stream_run(request: web.Request) -> web.StreamResponse:
    sf, run = _readable(request)
    after = sse.last_event_id(request)
    if sf.services.executions.get(run.execution_arn) is None:
        raise StepflowError("RUN_NOT_FOUND", f"Run {run.run_id!r} not found")
    return await sse.stream_execution(
        request, sf.services, run.execution_arn, render,
        step_names=_step_names(sf, run), after=after,
    )  # fmt: skip


@handles
async def notify_event(request: web.Request) -> web.StreamResponse:
    sf = request.app[STEPFLOW_KEY]
    require_caller(sf.auth, credentials(request, sf.accounts()), EXECUTE)
    payload = await _json_body(request)
    resumed = await notify(sf.services, request.match_info["eventId"], payload)
    return web.json_response({"success": True, "resumed": len(resumed)})


def health_body() -> dict[str, Any]:
    now = datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    return {"status": "ok", "timestamp": stamp, "version": version()}


@handles
async def health(request: web.Request) -> web.StreamResponse:
    return web.json_response(health_body())


@handles
async def not_found(request: web.Request) -> web.StreamResponse:
    return error_response("NOT_FOUND", "Not found")
