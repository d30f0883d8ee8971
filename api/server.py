"""The HTTP server: the Step Functions JSON 1.0 API on ``POST /``, plus ``GET /health`` and
the virtual clock's control endpoint.

    app = make_app(services)          # an aiohttp application around a ready emulator
    await run(host, port, db_url=..., clock="virtual")   # what ``stepline serve`` runs

Routes:
  POST /                   the API (any path is accepted; SDKs post to "/")
  OPTIONS *                CORS preflight, for browser tools
  GET  /health             {"status": "ok", "timestamp", "version", ...}
  GET  /openapi.yaml       the OpenAPI 3.1 document of the REST surfaces (api.openapi)
  /api/...                 the stepIQ surface (api.stepiq: auth, user, pipelines, runs,
                           schedules, webhooks, models)
  /api/stepflow/...        the Stepflow surface (api.stepflow; --stepflow-base-path)
  GET  /_stepline/clock    {"now": <epoch seconds>, "clock": "virtual" | "system" | "scaled"}
  POST /_stepline/clock    {"advance": SECONDS}: move a virtual clock forward (timers and
                           schedules due by then fire, in time order); 400 on any other clock
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import orjson
from aiohttp import web

from api import protocol, stepflow, stepiq
from api.constraints import RequestChecker
from api.openapi import serve_openapi
from api.stepflow.handlers import health_body
from emulator.mocks import MockConfig
from emulator.sfn import OPERATIONS, Caller, Services, SfnError
from emulator.sfn.errors import CoralError

ALLOWED_HEADERS = (
    "authorization, content-type, x-amz-target, x-amz-date, x-amz-security-token, "
    "x-amz-user-agent, amz-sdk-invocation-id, amz-sdk-request, x-amz-content-sha256"
)
SERVICES_KEY = web.AppKey("services", Services)
CHECKER_KEY = web.AppKey("checker", RequestChecker)
ORIGIN_KEY = web.AppKey("cors_origin", str)


def _cors(response: web.StreamResponse, origin: str) -> None:
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = "x-amzn-RequestId, x-amzn-requestid"


@web.middleware
async def _headers(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    response = await handler(request)
    if "x-amzn-RequestId" not in response.headers:
        response.headers["x-amzn-RequestId"] = protocol.new_request_id()
    _cors(response, request.app[ORIGIN_KEY])
    return response


async def _cors_streamed(request: web.Request, response: web.StreamResponse) -> None:
    """A streamed response (SSE) sends its headers before the middleware sees it."""
    if "Access-Control-Allow-Origin" not in response.headers:
        _cors(response, request.app[ORIGIN_KEY])


def _json(body: bytes, status: int = 200) -> web.Response:
    return web.Response(body=body, status=status, content_type=protocol.CONTENT_TYPE)


def _error(error: SfnError) -> web.Response:
    # Every Step Functions error is a client error: HTTP 400.
    return _json(protocol.encode_error(error), status=400)


async def handle_api(request: web.Request) -> web.StreamResponse:
    services = request.app[SERVICES_KEY]
    try:
        parsed = protocol.parse(
            request.headers.get("X-Amz-Target"),
            request.headers.get("Authorization"),
            await request.read(),
        )
        handler = OPERATIONS.get(parsed.operation)
        if handler is None:
            raise CoralError("UnknownOperationException", "")
        request.app[CHECKER_KEY].check(parsed.operation, parsed.params)
        caller = Caller(parsed.region or services.default_region, services.account)
        result: Any = handler(services, caller, parsed.params)
        if inspect.isawaitable(result):
            result = await result
        return _json(protocol.encode(result))
    except SfnError as error:
        return _error(error)
    except Exception as exc:  # a bug must not look like a hang or a dropped connection
        print(f"stepline: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return _json(
            orjson.dumps(
                {"__type": "com.amazon.coral.service#InternalFailure",
                 "message": f"{type(exc).__name__}: {exc}"}
            ),
            status=500,
        )


async def handle_preflight(request: web.Request) -> web.StreamResponse:
    response = web.Response(status=200)
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = request.headers.get(
        "Access-Control-Request-Headers", ALLOWED_HEADERS
    )
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


async def handle_health(request: web.Request) -> web.StreamResponse:
    services = request.app[SERVICES_KEY]
    return web.json_response(
        {**health_body(), "services": {"stepfunctions": "running"},
         "account": services.account, "region": services.default_region}
    )


def _clock_state(services: Services) -> dict[str, Any]:
    clock = services.executions.clock
    return {"now": round(clock.now().timestamp(), 3), "clock": getattr(clock, "kind", None)}


async def handle_clock_get(request: web.Request) -> web.StreamResponse:
    return web.json_response(_clock_state(request.app[SERVICES_KEY]))


async def handle_clock_post(request: web.Request) -> web.StreamResponse:
    services = request.app[SERVICES_KEY]
    try:
        body = orjson.loads(await request.read() or b"{}")
        seconds = float(body["advance"])
        if seconds < 0:
            raise ValueError
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return web.json_response(
            {"__type": "ValidationException",
             "message": 'expected {"advance": SECONDS} with SECONDS >= 0'},
            status=400,
        )
    advance = getattr(services.executions.clock, "advance", None)
    if advance is None:
        return web.json_response(
            {"__type": "ValidationException",
             "message": "the clock is not virtual: start the server with --clock virtual"},
            status=400,
        )
    await advance(seconds)
    return web.json_response(_clock_state(services))


def make_app(
    services: Services,
    cors_origin: str = "*",
    *,
    stepflow_base_path: str = stepflow.DEFAULT_BASE_PATH,
    stepflow_auth: str = "none",
) -> web.Application:
    app = web.Application(middlewares=[_headers], client_max_size=8 * 1024 * 1024)
    app[SERVICES_KEY] = services
    app[CHECKER_KEY] = RequestChecker()
    app[ORIGIN_KEY] = cors_origin
    app.on_response_prepare.append(_cors_streamed)
    app.router.add_get("/health", handle_health)
    app.router.add_get("/_stepline/clock", handle_clock_get)
    app.router.add_post("/_stepline/clock", handle_clock_post)
    stepiq.add_routes(app, services)  # /api: the stepIQ surface, before the catch-all below
    stepflow.add_routes(app, services, base_path=stepflow_base_path, auth=stepflow_auth)
    app.router.add_get("/openapi.yaml", serve_openapi)
    app.router.add_route("OPTIONS", "/{tail:.*}", handle_preflight)
    app.router.add_post("/{tail:.*}", handle_api)
    return app


async def run(
    host: str = "127.0.0.1",
    port: int = 8083,
    *,
    db_url: str | None = None,
    clock: str = "system",
    wait_time_scale: float | None = None,
    handlers: Mapping[str, Callable[[Any], Any]] | None = None,
    account: str | None = None,
    region: str | None = None,
    activity_poll_seconds: float = 60.0,
    mock_config: MockConfig | None = None,
    ready: Callable[[str], None] | None = None,
    stepflow_base_path: str = stepflow.DEFAULT_BASE_PATH,
    stepflow_auth: str = "none",
) -> None:
    """Serve until SIGINT/SIGTERM.  Prints Step Functions Local's readiness line."""
    from emulator.clock import make_clock
    from emulator.executions import Executions
    from emulator.store.db import Database, default_url

    account = account or os.environ.get("AWS_ACCOUNT_ID") or "123456789012"
    region = region or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    database = Database(db_url or default_url())
    executions = Executions(
        database, make_clock(clock, wait_time_scale), dict(handlers or {}), mocks=mock_config
    )
    await executions.open()
    services = Services(database, executions, account, region, activity_poll_seconds)
    app = make_app(
        services, stepflow_base_path=stepflow_base_path, stepflow_auth=stepflow_auth
    )
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        # Everything loaded so far (modules, botocore's service model, the schema) lives as
        # long as the server: keep it out of the collector's scans.  Each step allocates many
        # short-lived objects, and a full collection walking the import-time heap cost up to
        # 40% of an execution's time (measured with python -m conformance.bench --http).
        gc.freeze()
        port = runner.addresses[0][1] if port == 0 and runner.addresses else port
        line = f"Starting server on port {port} with account {account}, region {region}"
        (ready or (lambda text: print(text, flush=True)))(line)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()
        await executions.close()
