"""Who a stepIQ request acts for: the auth middleware and ``require_user``.

Credentials, in this order (stepIQ's, and its docs'):
  - an API key: ``X-API-Key``, ``Authorization: Bearer sk_…``, or ``?api_key=``;
  - a JWT access token: ``Authorization: Bearer <jwt>`` or ``?token=`` (what ``EventSource``
    can send).  A ``?token=pat_…`` is a Stepflow public access token and is left alone.

The middleware sets ``request["principal"]`` to a ``Principal`` or None (remembering why a
credential was refused); handlers call ``require_user(request, scope)``:

  - ``scope=None``: a user session only (JWT).  API keys cannot manage keys, secrets or
    schedules;
  - ``scope="pipelines:read" | "pipelines:execute" | "webhooks:trigger"``: a session, or an
    API key that carries that scope.

No credential, or a refused one: 401.  A key on a session-only route, or without the scope: 403;
a key of a user whose plan has no API access: 403 PLAN_API_DISABLED.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from api.stepiq.app_keys import ACCOUNTS_KEY
from api.stepiq.errors import ApiError
from emulator.accounts import InvalidToken, NotFound, Principal
from emulator.accounts.plans import require_api

PRINCIPAL = "principal"
_AUTH_ERROR = "auth_error"
_PUBLIC_TOKEN_PREFIX = "pat_"


def _credential(request: web.Request) -> tuple[str, str] | None:
    """("api_key" | "jwt", value) of the first credential the request carries."""
    key = request.headers.get("X-API-Key")
    if key:
        return "api_key", key.strip()
    authorization = request.headers.get("Authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        value = value.strip()
        return ("api_key" if value.startswith("sk_") else "jwt"), value
    key = request.query.get("api_key")
    if key:
        return "api_key", key
    token = request.query.get("token")
    if token and not token.startswith(_PUBLIC_TOKEN_PREFIX):
        return "jwt", token
    return None


@web.middleware
async def auth_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    request[PRINCIPAL] = None
    if request.path.startswith("/api/") and request.method != "OPTIONS":
        credential = _credential(request)
        if credential is not None:
            accounts = request.app[ACCOUNTS_KEY]
            kind, value = credential
            try:
                request[PRINCIPAL] = (
                    accounts.authenticate_api_key(value)
                    if kind == "api_key"
                    else accounts.authenticate_token(value)
                )
            except (InvalidToken, NotFound) as exc:
                request[_AUTH_ERROR] = str(exc)
    return await handler(request)


def principal_of(request: web.Request) -> Principal | None:
    found: Principal | None = request.get(PRINCIPAL)
    return found


def require_user(request: web.Request, scope: str | None = None) -> Principal:
    principal = principal_of(request)
    if principal is None:
        raise ApiError(401, request.get(_AUTH_ERROR) or "Unauthorized", "UNAUTHORIZED")
    if principal.via == "api_key":
        require_api(principal.plan)  # 403 PLAN_API_DISABLED: a key kept after a downgrade
        if scope is None:
            raise ApiError(
                403, "This endpoint needs a user session (JWT); API keys cannot use it",
                "SESSION_REQUIRED",
            )
        if scope not in principal.scopes:
            raise ApiError(
                403, f"The API key lacks the scope {scope}", "INSUFFICIENT_SCOPE",
                details={"required_scope": scope, "scopes": sorted(principal.scopes)},
            )
    return principal
