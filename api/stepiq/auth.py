"""``/api/auth``: register, login, refresh, forgot-password and reset-password.

    POST /api/auth/register         {email, password, name?}  -> 201 {user, token, refresh_token}
    POST /api/auth/login            {email, password}         -> 200 same; 401 Invalid credentials
    POST /api/auth/refresh          {refresh_token}           -> 200 a new pair (the old one is spent)
    POST /api/auth/forgot-password  {email}                   -> 200 always (no user enumeration)
    POST /api/auth/reset-password   {token, password}         -> 200 {reset: true, user}

No mail leaves a local server, so the reset token of forgot-password is written to the log
(logger ``stepline.accounts``, level WARNING, on standard error); when the server runs with
``STEPLINE_DEV=1`` it is also returned in the response as ``reset_token``.
"""

from __future__ import annotations

import asyncio
import logging
import os

from aiohttp import web

from api.stepiq.app_keys import ACCOUNTS_KEY
from api.stepiq.bodies import json_object

log = logging.getLogger("stepline.accounts")
DEV_ENV = "STEPLINE_DEV"


def dev_mode() -> bool:
    return os.environ.get(DEV_ENV, "").lower() in ("1", "true", "yes")


async def register(request: web.Request) -> web.StreamResponse:
    body = await json_object(request)
    accounts = request.app[ACCOUNTS_KEY]
    session = await asyncio.to_thread(
        accounts.register, body.get("email"), body.get("password"), body.get("name")
    )
    return web.json_response(session.to_json(), status=201)


async def login(request: web.Request) -> web.StreamResponse:
    body = await json_object(request)
    accounts = request.app[ACCOUNTS_KEY]
    session = await asyncio.to_thread(accounts.login, body.get("email"), body.get("password"))
    return web.json_response(session.to_json())


async def refresh(request: web.Request) -> web.StreamResponse:
    body = await json_object(request)
    session = request.app[ACCOUNTS_KEY].refresh(body.get("refresh_token"))
    return web.json_response(session.to_json())


async def forgot_password(request: web.Request) -> web.StreamResponse:
    body = await json_object(request)
    email = body.get("email")
    token = request.app[ACCOUNTS_KEY].forgot(email)
    answer: dict[str, object] = {
        "sent": True,
        "message": "If the email is registered, a password reset token has been issued.",
    }
    if token is not None:
        log.warning("password reset token for %s (valid 1 hour): %s", email, token)
        if dev_mode():
            answer["reset_token"] = token
            answer["expires_in_seconds"] = 3600
    return web.json_response(answer)


async def reset_password(request: web.Request) -> web.StreamResponse:
    body = await json_object(request)
    accounts = request.app[ACCOUNTS_KEY]
    user = await asyncio.to_thread(accounts.reset, body.get("token"), body.get("password"))
    return web.json_response({"reset": True, "user": user.to_json()})


def add_auth_routes(app: web.Application) -> None:
    app.router.add_post("/api/auth/register", register)
    app.router.add_post("/api/auth/login", login)
    app.router.add_post("/api/auth/refresh", refresh)
    app.router.add_post("/api/auth/forgot-password", forgot_password)
    app.router.add_post("/api/auth/reset-password", reset_password)
