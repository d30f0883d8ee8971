"""``/api/auth`` and the error frame, through a real server."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from serving import start_server, stop_server
from stepiq_client import Api


def test_register_login_and_me(api: Api) -> None:
    registered = api.register()
    assert set(registered) >= {"user", "token", "refresh_token"}
    user = registered["user"]
    # The server runs with STEPLINE_DEFAULT_PLAN=pro (conftest); the free default: test_plans.
    assert user["email"] == registered["email"] and user["plan"] == "pro"
    status, me = api.call("GET", "/api/user/me", token=registered["token"])
    assert status == 200 and me["id"] == user["id"]
    assert "password_hash" not in me and "createdAt" not in me  # snake_case only
    status, again = api.call(
        "POST", "/api/auth/register", {"email": registered["email"], "password": "password-9"}
    )
    assert (status, again["code"]) == (409, "EMAIL_TAKEN")
    status, logged = api.call(
        "POST", "/api/auth/login", {"email": registered["email"], "password": "password-1"}
    )
    assert status == 200 and logged["user"]["id"] == user["id"]
    status, bad = api.call(
        "POST", "/api/auth/login", {"email": registered["email"], "password": "password-2"}
    )
    assert (status, bad) == (401, {"error": "Invalid credentials", "code": "INVALID_CREDENTIALS"})
    status, unknown = api.call(
        "POST", "/api/auth/login", {"email": "nobody@example.org", "password": "password-2"}
    )
    assert (status, unknown) == (401, bad)


def test_register_validation(api: Api) -> None:
    status, body = api.call("POST", "/api/auth/register", {"email": "a@b.co", "password": "short"})
    assert status == 400 and body["code"] == "VALIDATION_ERROR"
    assert body["issues"] == [{"field": "password", "message": "must be 8 to 128 characters long"}]
    status, body = api.call(
        "POST", "/api/auth/register", {"email": "nope", "password": "password-1"}
    )
    assert status == 400 and body["issues"][0]["field"] == "email"
    status, body = api.call(
        "POST",
        "/api/auth/register",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert (status, body["code"]) == (400, "INVALID_JSON")


def test_refresh_rotates(api: Api) -> None:
    first = api.register()
    status, second = api.call(
        "POST", "/api/auth/refresh", {"refresh_token": first["refresh_token"]}
    )
    assert status == 200 and second["refresh_token"] != first["refresh_token"]
    assert api.call("GET", "/api/user/me", token=second["token"])[0] == 200
    status, body = api.call("POST", "/api/auth/refresh", {"refresh_token": first["refresh_token"]})
    assert (status, body["code"]) == (401, "INVALID_TOKEN")
    # Replaying the old token revoked the login: the newest refresh token is refused too.
    status, _ = api.call("POST", "/api/auth/refresh", {"refresh_token": second["refresh_token"]})
    assert status == 401


def test_forgot_and_reset_password(api: Api) -> None:
    user = api.register()
    status, none = api.call("POST", "/api/auth/forgot-password", {"email": "no-one@example.org"})
    assert status == 200 and none["sent"] is True and "reset_token" not in none
    status, sent = api.call("POST", "/api/auth/forgot-password", {"email": user["email"]})
    assert status == 200 and sent["sent"] is True
    token = sent["reset_token"]  # returned because the server runs with STEPLINE_DEV=1
    api.advance(1)
    status, done = api.call(
        "POST", "/api/auth/reset-password", {"token": token, "password": "brand-new-pw"}
    )
    assert status == 200 and done["reset"] is True
    status, _ = api.call(
        "POST", "/api/auth/reset-password", {"token": token, "password": "another-pw"}
    )
    assert status == 401  # single use
    assert (
        api.call("POST", "/api/auth/login", {"email": user["email"], "password": "password-1"})[0]
        == 401
    )
    status, logged = api.call(
        "POST", "/api/auth/login", {"email": user["email"], "password": "brand-new-pw"}
    )
    assert status == 200
    assert api.call("GET", "/api/user/me", token=user["token"])[0] == 401  # issued before
    assert api.call("GET", "/api/user/me", token=logged["token"])[0] == 200


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_tampered_and_unsigned_tokens_are_rejected(api: Api) -> None:
    user = api.register()
    other = api.register()
    header, payload, signature = user["token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = other["user"]["id"]
    forged = f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"
    status, body = api.call("GET", "/api/user/me", token=forged)
    assert (status, body["code"]) == (401, "UNAUTHORIZED")
    none_header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    status, _ = api.call("GET", "/api/user/me", token=f"{none_header}.{payload}.")
    assert status == 401
    status, _ = api.call("GET", f"/api/user/me?token={user['token']}")
    assert status == 200  # the EventSource form
    status, body = api.call("GET", "/api/user/me")
    assert (status, body) == (401, {"error": "Unauthorized", "code": "UNAUTHORIZED"})


def test_error_frame(api: Api) -> None:
    assert api.call("GET", "/api/no/such/path") == (
        404,
        {"error": "Not found", "code": "NOT_FOUND"},
    )
    assert api.call("POST", "/api/no/such/path", {}) == (
        404,
        {"error": "Not found", "code": "NOT_FOUND"},
    )
    assert api.call("DELETE", "/api/auth/login")[0] == 404
    status, body = api.call(
        "POST",
        "/api/auth/login",
        data=b"{" + b" " * (256 * 1024) + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert (status, body["code"]) == (413, "PAYLOAD_TOO_LARGE")
    assert body["error"] == "Request body too large (max 256KB)"
    # The Step Functions API still answers on POST /.
    status, _ = api.call(
        "POST",
        "/",
        data=b"{}",
        headers={
            "X-Amz-Target": "AWSStepFunctions.ListActivities",
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    assert status == 200


def test_tokens_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "stepline.db"
    first = start_server(db)
    try:
        user = Api(first, db).register()
    finally:
        stop_server(first)
    second = start_server(db)
    try:
        api = Api(second, db)
        # The generated server key was kept in the database: the old token still verifies.
        status, me = api.call("GET", "/api/user/me", token=user["token"])
        assert status == 200 and me["id"] == user["user"]["id"]
        status, _ = api.call("POST", "/api/auth/refresh", {"refresh_token": user["refresh_token"]})
        assert status == 200
    finally:
        stop_server(second)


def test_a_configured_secret_key_signs_tokens(tmp_path: Path, monkeypatch: Any) -> None:
    db = tmp_path / "stepline.db"
    monkeypatch.setenv("STEPLINE_SECRET_KEY", "11" * 32)
    first = start_server(db)
    try:
        user = Api(first, db).register()
    finally:
        stop_server(first)
    monkeypatch.setenv("STEPLINE_SECRET_KEY", "22" * 32)
    second = start_server(db)
    try:
        # Another key: tokens signed with the first one no longer verify.
        assert Api(second, db).call("GET", "/api/user/me", token=user["token"])[0] == 401
    finally:
        stop_server(second)
