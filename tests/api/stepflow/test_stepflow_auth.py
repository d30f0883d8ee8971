"""``stepline serve --stepflow-auth api-key``: triggering and notifying need a stepIQ user (an
API key or a JWT); a run is read by its owner or with its public access token, which expires
after 24 hours."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from serving import Server, start_server, stop_server, unique
from stepflow_client import BASE, SseReader, call, create_machine, waiting_machine


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(
        tmp_path_factory.mktemp("stepflow-auth") / "stepline.db", "--stepflow-auth", "api-key"
    )
    try:
        yield running
    finally:
        stop_server(running)


def user(server: Server) -> str:
    """A new user's JWT."""
    status, session = call(server.endpoint, "POST", "/api/auth/register", {
        "email": f"u-{uuid.uuid4().hex[:10]}@example.com", "password": "correct horse battery",
    })  # fmt: skip
    assert status == 201, session
    return str(session["token"])


def api_key(server: Server, jwt: str, scopes: list[str]) -> str:
    status, created = call(
        server.endpoint, "POST", "/api/user/api-keys", {"name": "ci", "scopes": scopes},
        headers={"Authorization": f"Bearer {jwt}"},
    )  # fmt: skip
    assert status == 201, created
    return str(created["key"])


def test_credentials_are_required_and_runs_belong_to_their_owner(server: Server) -> None:
    name = unique("secured")
    create_machine(server.endpoint, name, waiting_machine())
    event_id = unique("ev")
    status, answer = call(server.endpoint, "POST", f"{BASE}/trigger/{name}", {"eventId": event_id})
    assert (status, answer["code"]) == (401, "UNAUTHORIZED")
    status, answer = call(
        server.endpoint, "POST", f"{BASE}/trigger/{name}", {"eventId": event_id},
        headers={"X-API-Key": "sk_live_not_a_key"},
    )  # fmt: skip
    assert (status, answer["code"]) == (401, "UNAUTHORIZED")

    owner = user(server)
    key = api_key(server, owner, ["pipelines:read", "pipelines:execute"])
    status, run = call(
        server.endpoint, "POST", f"{BASE}/trigger/{name}", {"eventId": event_id},
        headers={"X-API-Key": key},
    )  # fmt: skip
    assert status == 200, run
    run_path = f"{BASE}/runs/{run['runId']}"

    # Reading: the owner (key or JWT), or the run's token; nobody else.
    assert call(server.endpoint, "GET", run_path, headers={"X-API-Key": key})[0] == 200
    bearer = {"Authorization": f"Bearer {owner}"}
    assert call(server.endpoint, "GET", run_path, headers=bearer)[0] == 200
    assert call(server.endpoint, "GET", f"{run_path}?token={run['publicAccessToken']}")[0] == 200
    status, answer = call(server.endpoint, "GET", run_path)
    assert (status, answer["code"]) == (401, "UNAUTHORIZED")
    stranger = user(server)
    status, answer = call(
        server.endpoint, "GET", run_path, headers={"Authorization": f"Bearer {stranger}"}
    )
    assert (status, answer["code"]) == (404, "RUN_NOT_FOUND")

    # Notifying needs pipelines:execute.
    read_only = api_key(server, owner, ["pipelines:read"])
    status, answer = call(
        server.endpoint, "POST", f"{BASE}/notify/{event_id}", {"ok": True},
        headers={"X-API-Key": read_only},
    )  # fmt: skip
    assert (status, answer["code"]) == (401, "UNAUTHORIZED")
    status, answer = call(
        server.endpoint, "POST", f"{BASE}/notify/{event_id}", {"ok": True}, headers=bearer
    )
    assert (status, answer) == (200, {"success": True, "resumed": 1})
    events = SseReader(
        server.endpoint, f"{run_path}/stream?token={run['publicAccessToken']}"
    ).start().wait()
    assert events[-1].data == {"status": "completed", "result": {"ok": True}}
    # Health and the document stay open.
    assert call(server.endpoint, "GET", f"{BASE}/health")[0] == 200
    assert call(server.endpoint, "GET", f"{BASE}/openapi.yaml")[0] == 200


def test_a_public_access_token_expires_after_24_hours(server: Server) -> None:
    name = unique("expiring")
    create_machine(server.endpoint, name, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    jwt = user(server)
    status, run = call(
        server.endpoint, "POST", f"{BASE}/trigger/{name}", {},
        headers={"Authorization": f"Bearer {jwt}"},
    )  # fmt: skip
    assert status == 200
    path = f"{BASE}/runs/{run['runId']}?token={run['publicAccessToken']}"
    assert call(server.endpoint, "GET", path)[0] == 200
    advance(server, 23 * 3600)
    assert call(server.endpoint, "GET", path)[0] == 200
    advance(server, 2 * 3600)
    status, answer = call(server.endpoint, "GET", path)
    assert (status, answer["code"]) == (401, "UNAUTHORIZED")


def advance(server: Server, seconds: float) -> Any:
    status, answer = call(server.endpoint, "POST", "/_stepline/clock", {"advance": seconds})
    assert status == 200, answer
    return answer


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server in dev mode, where users may change their own plan."""
    previous = os.environ.get("STEPLINE_DEV")
    os.environ["STEPLINE_DEV"] = "1"
    try:
        running = start_server(
            tmp_path_factory.mktemp("stepflow-dev") / "stepline.db", "--stepflow-auth", "api-key"
        )
    finally:
        if previous is None:
            del os.environ["STEPLINE_DEV"]
        else:
            os.environ["STEPLINE_DEV"] = previous
    try:
        yield running
    finally:
        stop_server(running)


def test_a_key_of_a_plan_without_api_access_is_refused(dev_server: Server) -> None:
    name = unique("planned")
    create_machine(dev_server.endpoint, name, waiting_machine())
    owner = user(dev_server)  # the pro plan (this directory's servers' default)
    key = api_key(dev_server, owner, ["pipelines:read", "pipelines:execute"])
    trigger = (f"{BASE}/trigger/{name}", {"eventId": unique("ev")})
    assert call(dev_server.endpoint, "POST", *trigger, headers={"X-API-Key": key})[0] == 200
    status, _ = call(
        dev_server.endpoint, "PUT", "/api/user/plan", {"plan": "free"},
        headers={"Authorization": f"Bearer {owner}"},
    )  # fmt: skip
    assert status == 200
    status, answer = call(dev_server.endpoint, "POST", *trigger, headers={"X-API-Key": key})
    assert (status, answer["code"]) == (401, "UNAUTHORIZED")
    assert "not available on the free plan" in answer["error"]
    # A session (JWT) still triggers: only API keys need the plan's API access.
    headers = {"Authorization": f"Bearer {owner}"}
    assert call(dev_server.endpoint, "POST", *trigger, headers=headers)[0] == 200
