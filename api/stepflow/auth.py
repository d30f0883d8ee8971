"""Who may call the Stepflow surface.

``--stepflow-auth none`` (the default, as Stepflow's own default ``endpoints: "all"`` preset
with no auth handlers, and as the Step Functions API Stepline serves next to it, which accepts
any credentials): every endpoint is open.  ``--stepflow-auth api-key``: triggering and
notifying need a stepIQ user — an API key (``X-API-Key``, ``Authorization: Bearer sk_…`` or
``?api_key=``) with the ``pipelines:execute`` scope, or a JWT (``Authorization: Bearer``) —
and reading a run needs its owner's credentials (a key with ``pipelines:read``) or the run's
public access token.

In both modes a public access token (``?token=pat_…``) reads only its own run, unexpired:
presented for another run it answers 401, whatever the mode.  ``/health`` and
``/openapi.yaml`` are always open.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from emulator.accounts import Accounts, AccountsError, Principal
from emulator.accounts.plans import require_api
from emulator.stepflow import StepflowError, StepflowRun, StepflowRuns

AUTH_MODES = ("none", "api-key")
PAT_PREFIX = "pat_"
EXECUTE = "pipelines:execute"
READ = "pipelines:read"


@dataclass(frozen=True)
class Credentials:
    """What the request presented."""

    principal: Principal | None
    public_token: str | None


def unauthorized(message: str = "Unauthorized") -> StepflowError:
    return StepflowError("UNAUTHORIZED", message)


def credentials(request: web.Request, accounts: Accounts | None) -> Credentials:
    """Authenticate what the request carries; a credential that is refused raises 401."""
    token = request.query.get("token")
    public = token if token is not None and token.startswith(PAT_PREFIX) else None
    kind, value = None, None
    key = request.headers.get("X-API-Key")
    scheme, _, bearer = request.headers.get("Authorization", "").partition(" ")
    if key:
        kind, value = "api_key", key.strip()
    elif scheme.lower() == "bearer" and bearer.strip():
        value = bearer.strip()
        kind = "api_key" if value.startswith("sk_") else "jwt"
    elif request.query.get("api_key"):
        kind, value = "api_key", request.query["api_key"]
    elif token is not None and public is None:
        kind, value = "jwt", token
    if kind is None or value is None:
        return Credentials(None, public)
    if accounts is None:
        raise unauthorized("This server has no user accounts to check credentials against")
    try:
        if kind == "api_key":
            principal = accounts.authenticate_api_key(value)
            # As on the stepIQ surface: a plan without API access takes no API key (a key
            # kept after a downgrade); Stepflow's vocabulary has UNAUTHORIZED for it.
            require_api(principal.plan)
        else:
            principal = accounts.authenticate_token(value)
    except AccountsError as exc:
        raise unauthorized(str(exc) or "Invalid credentials") from None
    return Credentials(principal, public)


def require_caller(mode: str, found: Credentials, scope: str) -> Principal | None:
    """Trigger and notify: a user when the surface authenticates; None is fine otherwise."""
    principal = found.principal
    if mode == "none":
        return principal
    if principal is None:
        raise unauthorized("An API key (X-API-Key) or a bearer token is required")
    if principal.via == "api_key" and scope not in principal.scopes:
        raise unauthorized(f"The API key lacks the scope {scope}")
    return principal


def check_run_access(
    mode: str, found: Credentials, run: StepflowRun, runs: StepflowRuns
) -> None:
    """Reading ``run``: its own public access token, or (when authenticating) its owner."""
    if found.public_token is not None:
        if not runs.token_allows(run, found.public_token):
            raise unauthorized("The public access token does not grant access to this run")
        return
    if mode == "none":
        return
    principal = found.principal
    if principal is None:
        raise unauthorized("A public access token (?token=pat_…), an API key or a bearer token is required")
    if principal.via == "api_key" and READ not in principal.scopes:
        raise unauthorized(f"The API key lacks the scope {READ}")
    if run.user_id is not None and run.user_id != principal.user_id:
        raise StepflowError("RUN_NOT_FOUND", f"Run {run.run_id!r} not found")
