"""``/api/user``: API keys (shown once, prefix only, scopes, revoke, expiry) and secrets
(stored encrypted), through a real server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from stepiq_client import Api


def test_api_key_lifecycle(api: Api) -> None:
    user = api.register()
    token = user["token"]
    status, created = api.call("POST", "/api/user/api-keys", {"name": "ci"}, token=token)
    assert status == 201
    key = created["key"]
    assert key.startswith("sk_live_") and len(key) == 40
    assert created["key_prefix"] == key[:16]
    assert created["scopes"] == ["pipelines:read", "pipelines:execute", "webhooks:trigger"]
    status, listed = api.call("GET", "/api/user/api-keys", token=token)
    assert status == 200 and [k["id"] for k in listed] == [created["id"]]
    assert "key" not in listed[0] and listed[0]["key_prefix"] == key[:16]
    assert listed[0]["last_used_at"] is None
    # Every documented way to present a key.
    for how in (
        {"headers": {"X-API-Key": key}},
        {"headers": {"Authorization": f"Bearer {key}"}},
        {"query": f"?api_key={key}"},
    ):
        path = "/api/user/me" + str(how.get("query", ""))
        status, me = api.call("GET", path, headers=how.get("headers"))  # type: ignore[arg-type]
        assert status == 200 and me["id"] == user["user"]["id"], how
    status, listed = api.call("GET", "/api/user/api-keys", token=token)
    assert listed[0]["last_used_at"] is not None
    # A key cannot manage keys.
    status, body = api.call("GET", "/api/user/api-keys", headers={"X-API-Key": key})
    assert (status, body["code"]) == (403, "SESSION_REQUIRED")
    status, body = api.call("DELETE", f"/api/user/api-keys/{created['id']}", token=token)
    assert (status, body) == (200, {"deleted": True})
    status, body = api.call("GET", "/api/user/me", headers={"X-API-Key": key})
    assert (status, body) == (401, {"error": "Invalid API key", "code": "UNAUTHORIZED"})
    status, body = api.call("DELETE", f"/api/user/api-keys/{created['id']}", token=token)
    assert (status, body["code"]) == (404, "NOT_FOUND")
    status, body = api.call("GET", "/api/user/me", headers={"X-API-Key": "sk_live_nonsense"})
    assert status == 401


def test_api_key_expiry_on_the_virtual_clock(api: Api) -> None:
    token = api.register()["token"]
    _, clock = api.call("GET", "/_stepline/clock")
    expires = datetime.fromtimestamp(clock["now"], UTC) + timedelta(seconds=60)
    status, created = api.call(
        "POST", "/api/user/api-keys",
        {"scopes": ["pipelines:read"], "expires_at": expires.isoformat()}, token=token,
    )  # fmt: skip
    assert status == 201 and created["expires_at"] is not None
    assert api.call("GET", "/api/user/me", headers={"X-API-Key": created["key"]})[0] == 200
    api.advance(61)
    status, body = api.call("GET", "/api/user/me", headers={"X-API-Key": created["key"]})
    assert (status, body["error"]) == (401, "API key expired")


def test_scopes_are_enforced(api: Api) -> None:
    token = api.register()["token"]
    _, hook_only = api.call(
        "POST", "/api/user/api-keys", {"scopes": ["webhooks:trigger"]}, token=token
    )
    status, body = api.call("GET", "/api/user/me", headers={"X-API-Key": hook_only["key"]})
    assert (status, body["code"]) == (403, "INSUFFICIENT_SCOPE")
    assert body["details"] == {"required_scope": "pipelines:read", "scopes": ["webhooks:trigger"]}
    status, body = api.call(
        "GET", "/api/schedules/upcoming", headers={"X-API-Key": hook_only["key"]}
    )
    assert status == 403
    _, reader = api.call("POST", "/api/user/api-keys", {"scopes": ["pipelines:read"]}, token=token)
    assert (
        api.call("GET", "/api/schedules/upcoming", headers={"X-API-Key": reader["key"]})[0] == 200
    )
    status, body = api.call(
        "POST",
        "/api/user/secrets",
        {"name": "X", "value": "y"},
        headers={"X-API-Key": reader["key"]},
    )
    assert (status, body["code"]) == (403, "SESSION_REQUIRED")
    status, body = api.call("POST", "/api/user/api-keys", {"scopes": ["root"]}, token=token)
    assert (status, body["issues"][0]["field"]) == (400, "scopes")


def test_secrets_are_stored_encrypted(api: Api) -> None:
    user = api.register()
    token = user["token"]
    plaintext = "sk-provider-very-secret-value-123"
    status, created = api.call(
        "POST", "/api/user/secrets", {"name": "OPENAI_API_KEY", "value": plaintext}, token=token
    )
    assert status == 201 and created["name"] == "OPENAI_API_KEY" and "value" not in created
    status, updated = api.call(
        "POST", "/api/user/secrets", {"name": "OPENAI_API_KEY", "value": plaintext + "-2"},
        token=token,
    )  # fmt: skip
    assert status == 200 and updated["id"] == created["id"]  # create or update, as documented
    status, listed = api.call("GET", "/api/user/secrets", token=token)
    assert status == 200 and [s["name"] for s in listed] == ["OPENAI_API_KEY"]
    assert all("value" not in s and "encrypted_value" not in s for s in listed)
    engine = sa.create_engine(f"sqlite:///{api.db}")
    try:
        with engine.connect() as conn:
            rows = (
                conn.execute(
                    sa.text("SELECT * FROM user_secrets WHERE user_id = :u"),
                    {"u": user["user"]["id"]},
                )
                .mappings()
                .all()
            )
    finally:
        engine.dispose()
    assert len(rows) == 1
    assert all(plaintext not in str(value) for value in rows[0].values())
    status, body = api.call(
        "POST", "/api/user/secrets", {"name": "1bad", "value": "v"}, token=token
    )
    assert (status, body["issues"][0]["field"]) == (400, "name")
    status, body = api.call("POST", "/api/user/secrets", {"name": "OK", "value": ""}, token=token)
    assert (status, body["issues"][0]["field"]) == (400, "value")
    assert api.call("DELETE", "/api/user/secrets/OPENAI_API_KEY", token=token) == (
        200,
        {"deleted": True},
    )
    assert api.call("DELETE", "/api/user/secrets/OPENAI_API_KEY", token=token)[0] == 404
    assert api.call("GET", "/api/user/secrets", token=token) == (200, [])


def test_pipeline_scoped_secrets(api: Api) -> None:
    from pipeline_harness import summarize_yaml

    token = api.register()["token"]
    status, pipeline = api.call(
        "POST", "/api/pipelines", data=summarize_yaml("with-secrets").encode(), token=token,
        headers={"Content-Type": "application/yaml"},
    )  # fmt: skip
    assert status == 201, pipeline
    base = f"/api/pipelines/{pipeline['id']}/secrets"
    api.call("POST", "/api/user/secrets", {"name": "TOKEN", "value": "global"}, token=token)
    status, scoped = api.call("PUT", f"{base}/TOKEN", {"value": "scoped"}, token=token)
    assert status == 201 and scoped["pipeline_id"] == pipeline["id"]
    assert [s["name"] for s in api.call("GET", base, token=token)[1]] == ["TOKEN"]
    # Global and pipeline lists are separate.
    globals_ = api.call("GET", "/api/user/secrets", token=token)[1]
    assert [(s["name"], s["pipeline_id"]) for s in globals_] == [("TOKEN", None)]
    stranger = api.register()["token"]
    status, body = api.call("GET", base, token=stranger)
    assert (status, body["code"]) == (404, "PIPELINE_NOT_FOUND")
    status, _ = api.call("PUT", f"{base}/TOKEN", {"value": "mine"}, token=stranger)
    assert status == 404
    assert api.call("DELETE", f"{base}/TOKEN", token=token) == (200, {"deleted": True})
    assert api.call("GET", base, token=token) == (200, [])
