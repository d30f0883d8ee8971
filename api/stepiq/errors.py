"""The stepIQ surface's one error shape, and the middleware that renders every failure in it.

    {"error": "<message>", "code": "<CODE>", "issues": [{"field", "message"}]?, "details": {}?}

Errors of the emulator layers are mapped to HTTP statuses here (and only here): the accounts
errors by class, the pipelines service errors by their ``kind``.  Unknown paths under the
surface answer 404 ``{"error": "Not found", "code": "NOT_FOUND"}``; bodies over 256 KB answer
413 (stepIQ's limit); anything unexpected answers 500 with the same shape, and is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from emulator import accounts
from emulator.pipelines.service_errors import ServiceError

log = logging.getLogger("stepline.api")

MAX_BODY = 256 * 1024  # stepIQ: "Request body too large (max 256KB)"
ROOT = "/api"
_CATCH_ALL = "/{tail}"  # canonical form of the catch-all "/{tail:.*}" routes in api/server.py

_ACCOUNT_STATUS: dict[type[accounts.AccountsError], int] = {
    accounts.InvalidRequest: 400,
    accounts.InvalidCredentials: 401,
    accounts.InvalidToken: 401,
    accounts.EmailTaken: 409,
    accounts.NotFound: 404,
    accounts.PlanLimitExceeded: 403,  # stepIQ: 403 {error, code: PLAN_*, details}
}
KIND_STATUS = {
    "bad_request": 400,
    "invalid": 400,
    "not_found": 404,
    "conflict": 409,
    "unprocessable": 422,
    "forbidden": 403,
    "unauthorized": 401,
}


class ApiError(Exception):
    """An HTTP error of the stepIQ surface."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str,
        *,
        issues: list[dict[str, str]] | None = None,
        details: Any = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.issues = issues
        self.details = details


def error_body(
    message: str, code: str, issues: list[dict[str, str]] | None = None, details: Any = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"error": message, "code": code}
    if issues:
        body["issues"] = issues
    if details is not None:
        body["details"] = details
    return body


def error_response(error: ApiError) -> web.Response:
    return web.json_response(
        error_body(error.message, error.code, error.issues, error.details), status=error.status
    )


def not_found(message: str = "Not found", code: str = "NOT_FOUND") -> ApiError:
    return ApiError(404, message, code)


def owns(request: web.Request) -> bool:
    """Whether the request is the stepIQ surface's: a path under ``/api`` that a stepIQ
    handler serves, or that no route serves.  Another surface mounted under ``/api``
    (Stepflow) keeps its own routes and error shapes."""
    path = request.path
    if path != ROOT and not path.startswith(ROOT + "/"):
        return False
    if _unrouted(request):
        return True
    module = getattr(request.match_info.handler, "__module__", None) or ""
    return module == __package__ or module.startswith(f"{__package__}.")


def as_api_error(exc: Exception) -> ApiError | None:
    """The HTTP rendering of an emulator-layer error, or None for an unexpected one."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, accounts.AccountsError):
        for cls in type(exc).__mro__:
            status = _ACCOUNT_STATUS.get(cls)
            if status is not None:
                details = getattr(exc, "details", None)
                return ApiError(
                    status, exc.message, exc.code, issues=exc.issues or None, details=details
                )
    if isinstance(exc, ServiceError):
        status = KIND_STATUS.get(exc.kind, 400)
        return ApiError(status, exc.message, exc.code, issues=exc.issues, details=exc.details)
    return None


def _unrouted(request: web.Request) -> bool:
    info = request.match_info
    if info.http_exception is not None:
        return True
    resource = info.route.resource
    return resource is None or resource.canonical == _CATCH_ALL


@web.middleware
async def error_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    if request.method == "OPTIONS" or not owns(request):
        return await handler(request)
    if _unrouted(request):
        return error_response(not_found())
    if request.content_length is not None and request.content_length > MAX_BODY:
        return error_response(too_large())
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = exc.reason.upper().replace(" ", "_").replace("-", "_")
        return error_response(ApiError(exc.status, exc.reason, code))
    except Exception as exc:
        mapped = as_api_error(exc)
        if mapped is not None:
            return error_response(mapped)
        log.exception("internal error on %s %s", request.method, request.path)
        return error_response(ApiError(500, "Internal server error", "INTERNAL_ERROR"))


def too_large() -> ApiError:
    return ApiError(413, "Request body too large (max 256KB)", "PAYLOAD_TOO_LARGE")
