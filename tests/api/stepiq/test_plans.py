"""Plan limits through a real server (stepIQ's PLAN_LIMITS; 403 ``{error, code, details}``).

The module's server gives new users the free plan (``STEPLINE_DEFAULT_PLAN=free``, stepIQ's
default) and runs with ``STEPLINE_DEV=1``, so each test moves its user to the plan it needs
with ``PUT /api/user/plan``.  A local OpenAI-compatible endpoint answers the priced model
with 120,000 tokens a call: 120 credits, more than the free plan's 100.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pipeline_harness import LOCAL_MODEL, summarize_yaml
from serving import start_server, stop_server
from stepiq_client import Api, environment

FREE_LIMITS = {
    "credits": 100, "runs_per_day": 10, "max_pipelines": 3, "max_steps": 5,
    "agent_max_turns": 3, "agent_max_duration_seconds": 120, "agent_max_tool_calls": 1,
    "agent_tool_fee_cents": 3, "cron_enabled": False, "webhooks_enabled": False,
    "api_enabled": False, "overage_per_credit_cents": 0,
}  # fmt: skip


class _Completions(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        answer = json.dumps({
            "choices": [{"message": {"role": "assistant", "content": "priced"}}],
            "usage": {"prompt_tokens": 100_000, "completion_tokens": 20_000},
        }).encode()  # fmt: skip
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    fake = ThreadingHTTPServer(("127.0.0.1", 0), _Completions)
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    db = tmp_path_factory.mktemp("plans") / "stepline.db"
    base = f"http://127.0.0.1:{fake.server_address[1]}/v1"
    with environment(STEPLINE_DEV="1", STEPLINE_DEFAULT_PLAN="free", STEPLINE_OPENAI_BASE_URL=base):
        server = start_server(db)
    try:
        yield Api(server, db)
    finally:
        stop_server(server)
        fake.shutdown()


# ---------------------------------------------------------------------- helpers


def _user(api: Api, plan: str | None = None) -> str:
    registered = api.register()
    assert registered["user"]["plan"] == "free"
    token: str = registered["token"]
    if plan is not None:
        _set_plan(api, token, plan)
    return token


def _set_plan(api: Api, token: str, plan: str) -> None:
    status, body = api.call("PUT", "/api/user/plan", {"plan": plan}, token=token)
    assert (status, body["plan"]) == (200, plan), body


def _create(api: Api, token: str, document: str) -> tuple[int, Any]:
    return api.call(
        "POST", "/api/pipelines", data=document.encode(), token=token,
        headers={"Content-Type": "application/yaml"},
    )  # fmt: skip


def _pipeline(api: Api, token: str, document: str | None = None) -> str:
    status, created = _create(api, token, document or summarize_yaml())
    assert status == 201, created
    pipeline_id: str = created["id"]
    return pipeline_id


def _refused(status: int, body: Any, code: str, plan: str = "free") -> dict[str, Any]:
    """stepIQ's plan refusal: 403 {error, code, details} naming the plan."""
    assert status == 403, body
    assert body["code"] == code, body
    assert isinstance(body["error"], str) and body["error"]
    assert body["details"]["plan"] == plan, body
    details: dict[str, Any] = body["details"]
    return details


def _run(api: Api, token: str, pipeline_id: str) -> tuple[int, Any]:
    return api.call(
        "POST", f"/api/pipelines/{pipeline_id}/run", {"input_data": {"topic": "t"}}, token=token
    )


def _wait(api: Api, token: str, run_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        status, run = api.call("GET", f"/api/runs/{run_id}", token=token)
        assert status == 200, run
        if run["status"] in ("completed", "failed", "cancelled"):
            return dict(run)
        assert time.monotonic() < deadline, run
        time.sleep(0.05)


def _steps_yaml(count: int, nested: int = 0) -> str:
    steps = [
        f"  - {{id: s{i}, type: transform, prompt: 'step {i}'}}"
        for i in range(count - (nested > 0))
    ]
    if nested:
        inner = "\n".join(
            f"        - {{id: n{i}, type: transform, prompt: 'nested {i}'}}" for i in range(nested)
        )
        steps.append(f"  - id: fan\n    type: parallel\n    branches:\n      -\n{inner}")
    return "name: counted\nsteps:\n" + "\n".join(steps) + "\n"


def _clock_now(api: Api) -> float:
    _, clock = api.call("GET", "/_stepline/clock")
    now: float = clock["now"]
    return now


# ---------------------------------------------------------------------- the plan itself


def test_new_users_get_the_default_plan_and_its_limits(api: Api) -> None:
    token = _user(api)
    status, plan = api.call("GET", "/api/user/plan", token=token)
    assert (status, plan) == (200, {"plan": "free", "limits": FREE_LIMITS})
    status, usage = api.call("GET", "/api/user/usage", token=token)
    assert status == 200
    assert (usage["plan"], usage["credits_used"], usage["credits_remaining"]) == ("free", 0, 100)

    _set_plan(api, token, "enterprise")
    status, me = api.call("GET", "/api/user/me", token=token)
    assert (status, me["plan"]) == (200, "enterprise")
    _, plan = api.call("GET", "/api/user/plan", token=token)
    assert plan["limits"]["credits"] == -1 and plan["limits"]["max_steps"] == 50
    _, usage = api.call("GET", "/api/user/usage", token=token)
    assert usage["credits_remaining"] == -1  # unlimited

    status, body = api.call("PUT", "/api/user/plan", {"plan": "platinum"}, token=token)
    assert (status, body["code"]) == (400, "VALIDATION_ERROR")
    status, body = api.call("PUT", "/api/user/plan", {"plan": "pro"})
    assert status == 401


def test_the_plan_cannot_change_without_dev_mode_and_the_default_comes_from_the_env(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with environment(STEPLINE_DEV="0", STEPLINE_DEFAULT_PLAN="starter"):
        server = start_server(tmp_path_factory.mktemp("plans-prod") / "stepline.db")
    try:
        own = Api(server, tmp_path_factory.mktemp("unused"))
        registered = own.register()
        assert registered["user"]["plan"] == "starter"
        token = registered["token"]
        status, body = own.call("PUT", "/api/user/plan", {"plan": "pro"}, token=token)
        assert (status, body["code"]) == (403, "PLAN_CHANGE_DISABLED")
        _, me = own.call("GET", "/api/user/me", token=token)
        assert me["plan"] == "starter"
    finally:
        stop_server(server)


# ---------------------------------------------------------------------- pipelines and steps


def test_max_pipelines_counts_the_active_ones(api: Api) -> None:
    token = _user(api)
    first = _pipeline(api, token)
    _pipeline(api, token)
    _pipeline(api, token)
    details = _refused(*_create(api, token, summarize_yaml()), "PLAN_MAX_PIPELINES")
    assert (details["limit"], details["current"]) == (3, 3)
    status, _ = api.call("DELETE", f"/api/pipelines/{first}", token=token)
    assert status == 200
    _pipeline(api, token)  # an archived pipeline does not count
    _refused(*_create(api, token, summarize_yaml()), "PLAN_MAX_PIPELINES")
    _set_plan(api, token, "pro")  # unlimited
    for _ in range(3):
        _pipeline(api, token)


def test_max_steps_counts_top_level_steps_on_create_update_and_validate(api: Api) -> None:
    token = _user(api)
    details = _refused(*_create(api, token, _steps_yaml(6)), "PLAN_MAX_STEPS")
    assert (details["limit"], details["current"]) == (5, 6)
    # Five top-level steps, one of them a parallel step holding four: allowed, as stepIQ counts.
    pipeline_id = _pipeline(api, token, _steps_yaml(5, nested=4))
    status, body = api.call(
        "PUT", f"/api/pipelines/{pipeline_id}", data=_steps_yaml(6).encode(), token=token,
        headers={"Content-Type": "application/yaml"},
    )  # fmt: skip
    _refused(status, body, "PLAN_MAX_STEPS")
    _, current = api.call("GET", f"/api/pipelines/{pipeline_id}", token=token)
    assert current["version"] == 1
    status, verdict = api.call(
        "POST", "/api/pipelines/validate", data=_steps_yaml(6).encode(), token=token,
        headers={"Content-Type": "application/yaml"},
    )  # fmt: skip
    assert status == 200
    assert (verdict["valid"], verdict["code"]) == (False, "PLAN_MAX_STEPS")
    assert verdict["details"]["limit"] == 5
    _set_plan(api, token, "starter")
    status, body = api.call(
        "PUT", f"/api/pipelines/{pipeline_id}", data=_steps_yaml(10).encode(), token=token,
        headers={"Content-Type": "application/yaml"},
    )  # fmt: skip
    assert (status, body["version"]) == (200, 2)
    details = _refused(*_create(api, token, _steps_yaml(11)), "PLAN_MAX_STEPS", "starter")
    assert details["limit"] == 10


def test_the_agent_duration_is_capped_by_the_plan(api: Api) -> None:
    token = _user(api)
    document = f"""
name: agentic
steps:
  - id: think
    model: {LOCAL_MODEL}
    prompt: "Think"
    timeout_seconds: 300
    agent: {{max_turns: 2}}
  - id: plain
    model: {LOCAL_MODEL}
    prompt: "No agent"
    timeout_seconds: 300
"""
    pipeline_id = _pipeline(api, token, document)
    _, created = api.call("GET", f"/api/pipelines/{pipeline_id}", token=token)
    states = created["definition_asl"]["States"]
    assert states["think"]["TimeoutSeconds"] == 120  # free: 120 s per agent
    assert states["plain"]["TimeoutSeconds"] == 300  # no agent, no cap
    _set_plan(api, token, "pro")
    status, updated = api.call(
        "PUT", f"/api/pipelines/{pipeline_id}", token=token,
        data=document.replace('"Think"', '"Think more"').encode(),
        headers={"Content-Type": "application/yaml"},
    )  # fmt: skip
    assert status == 200, updated
    assert updated["definition_asl"]["States"]["think"]["TimeoutSeconds"] == 240


# ---------------------------------------------------------------------- runs and credits


def test_runs_per_day_count_every_trigger_and_reset_at_midnight_utc(api: Api) -> None:
    token = _user(api, "starter")
    key_status, key = api.call("POST", "/api/user/api-keys", {"name": "hook"}, token=token)
    assert key_status == 201, key
    pipeline_id = _pipeline(api, token)
    status, accepted = api.call(
        "POST", f"/api/webhooks/{pipeline_id}", {"topic": "hook"}, headers={"X-API-Key": key["key"]}
    )
    assert status == 202, accepted
    _set_plan(api, token, "free")
    runs = [accepted["run_id"]]
    for _ in range(8):
        status, run = _run(api, token, pipeline_id)
        assert status == 202, run
        runs.append(run["id"])
    _wait(api, token, runs[-1])
    status, retried = api.call("POST", f"/api/runs/{runs[-1]}/retry", token=token)
    assert (status, retried["trigger_type"]) == (202, "retry")
    _, usage = api.call("GET", "/api/user/usage", token=token)
    assert usage["runs_today"] == 10
    details = _refused(*_run(api, token, pipeline_id), "PLAN_MAX_RUNS_PER_DAY")
    assert (details["limit"], details["current"]) == (10, 10)
    _refused(*api.call("POST", f"/api/runs/{runs[-1]}/retry", token=token),
             "PLAN_MAX_RUNS_PER_DAY")  # fmt: skip
    status, listed = api.call("GET", f"/api/runs?pipeline_id={pipeline_id}", token=token)
    assert len(listed["runs"]) == 10  # the refused triggers wrote no run

    now = _clock_now(api)
    api.advance(86_400 - now % 86_400 + 1)  # just past the next 00:00 UTC
    status, run = _run(api, token, pipeline_id)
    assert status == 202, run
    _, usage = api.call("GET", "/api/user/usage", token=token)
    assert usage["runs_today"] == 1


def test_credits_exhausted_stops_the_free_plan_only(api: Api) -> None:
    token = _user(api)
    status, _ = api.call(
        "POST", "/api/user/secrets", {"name": "OPENAI_API_KEY", "value": "sk-test"}, token=token
    )
    assert status == 201
    document = """
name: priced
steps:
  - id: dear
    model: gpt-4o
    prompt: "Answer"
  - id: fail
    type: webhook
    url: "http://127.0.0.1:1/refused"
"""
    pipeline_id = _pipeline(api, token, document)
    status, run = _run(api, token, pipeline_id)
    assert status == 202, run
    finished = _wait(api, token, run["id"])
    assert finished["status"] == "failed", finished
    assert finished["total_tokens"] == 120_000
    _, usage = api.call("GET", "/api/user/usage", token=token)
    # stepIQ's legacy deduction, ceil(tokens / 1000), for the work done before the failure.
    assert (usage["credits_used"], usage["credits_remaining"]) == (120, 0)

    details = _refused(*_run(api, token, pipeline_id), "PLAN_CREDITS_EXHAUSTED")
    assert (details["credits"], details["credits_remaining"]) == (100, 0)
    _refused(*api.call("POST", f"/api/runs/{run['id']}/retry", token=token),
             "PLAN_CREDITS_EXHAUSTED")  # fmt: skip
    _refused(*api.call("POST", f"/api/runs/{run['id']}/retry?mode=redrive", token=token),
             "PLAN_CREDITS_EXHAUSTED")  # fmt: skip

    _set_plan(api, token, "starter")  # starter bills overage: no hard stop
    status, again = _run(api, token, pipeline_id)
    assert status == 202, again


# ---------------------------------------------------------------------- cron


def test_cron_is_refused_on_free_and_a_firing_after_a_downgrade_is_skipped(api: Api) -> None:
    token = _user(api)
    pipeline_id = _pipeline(api, token)
    schedule = {"name": "hourly", "cron_expression": "0 * * * *", "input_data": {"topic": "c"}}
    _refused(*api.call("POST", f"/api/pipelines/{pipeline_id}/schedules", schedule, token=token),
             "PLAN_CRON_DISABLED")  # fmt: skip
    scheduled = (
        "name: nightly\nschedule: {cron: '0 3 * * *'}\n"
        "steps:\n  - {id: a, type: transform, prompt: x}\n"
    )
    _refused(*_create(api, token, scheduled), "PLAN_CRON_DISABLED")

    _set_plan(api, token, "starter")
    status, created = api.call(
        "POST", f"/api/pipelines/{pipeline_id}/schedules", schedule, token=token
    )
    assert status == 201, created
    status, disabled = api.call("POST", f"/api/schedules/{created['id']}/disable", token=token)
    assert (status, disabled["enabled"]) == (200, False)
    _set_plan(api, token, "free")
    _refused(*api.call("POST", f"/api/schedules/{created['id']}/enable", token=token),
             "PLAN_CRON_DISABLED")  # fmt: skip
    _set_plan(api, token, "starter")
    status, enabled = api.call("POST", f"/api/schedules/{created['id']}/enable", token=token)
    assert status == 200 and enabled["enabled"] is True
    _set_plan(api, token, "free")

    now = _clock_now(api)
    api.advance(3_600 - now % 3_600 + 1)  # past the next full hour: the schedule is due
    status, schedules = api.call("GET", f"/api/pipelines/{pipeline_id}/schedules", token=token)
    assert status == 200
    fired = next(s for s in schedules if s["id"] == created["id"])
    assert fired["last_error"]["code"] == "PLAN_CRON_DISABLED", fired
    assert fired["last_run_id"] is None and fired["last_run_at"] is not None
    _, listed = api.call("GET", f"/api/runs?pipeline_id={pipeline_id}", token=token)
    assert listed["runs"] == []


# ---------------------------------------------------------------------- webhooks and API keys


def test_outbound_webhooks_are_refused_on_free(api: Api) -> None:
    token = _user(api)
    delivered = (
        summarize_yaml() + "  deliver:\n    - {type: webhook, url: 'http://127.0.0.1:9/x'}\n"
    )
    details = _refused(*_create(api, token, delivered), "PLAN_WEBHOOKS_DISABLED")
    assert details["fields"] == ["output.deliver[0]"]
    notified = (
        "name: n\nsteps:\n  - {id: a, type: transform, prompt: x}\n"
        "notifications:\n  on_failure:\n    - {type: webhook, url: 'http://127.0.0.1:9/x'}\n"
    )
    details = _refused(*_create(api, token, notified), "PLAN_WEBHOOKS_DISABLED")
    assert details["fields"] == ["notifications.on_failure[0]"]
    _set_plan(api, token, "starter")
    _pipeline(api, token, delivered)


def test_api_keys_and_inbound_webhooks_are_refused_on_free(api: Api) -> None:
    token = _user(api)
    _refused(*api.call("GET", "/api/user/api-keys", token=token), "PLAN_API_DISABLED")
    _refused(*api.call("POST", "/api/user/api-keys", {"name": "k"}, token=token),
             "PLAN_API_DISABLED")  # fmt: skip

    _set_plan(api, token, "starter")
    status, key = api.call("POST", "/api/user/api-keys", {"name": "k"}, token=token)
    assert status == 201, key
    pipeline_id = _pipeline(api, token)
    _set_plan(api, token, "free")  # a key kept after a downgrade stops working
    headers = {"X-API-Key": key["key"]}
    # stepIQ's webhook route checks the plan's api_enabled: PLAN_API_DISABLED.
    _refused(*api.call("POST", f"/api/webhooks/{pipeline_id}", {"topic": "x"}, headers=headers),
             "PLAN_API_DISABLED")  # fmt: skip
    _refused(*api.call("GET", "/api/pipelines", headers=headers), "PLAN_API_DISABLED")
    _, listed = api.call("GET", f"/api/runs?pipeline_id={pipeline_id}", token=token)
    assert listed["runs"] == []
    status, revoked = api.call("DELETE", f"/api/user/api-keys/{key['id']}", token=token)
    assert (status, revoked) == (200, {"deleted": True})  # revoking stays possible
