"""``/api/schedules``: cron schedules of real pipelines, firing on the server's virtual clock."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from pipeline_harness import summarize_yaml
from stepiq_client import Api


def _now(api: Api) -> datetime:
    _, clock = api.call("GET", "/_stepline/clock")
    return datetime.fromtimestamp(clock["now"], UTC)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _pipeline(api: Api, token: str, name: str) -> str:
    status, created = api.call(
        "POST", "/api/pipelines", data=summarize_yaml(name).encode(), token=token,
        headers={"Content-Type": "application/yaml"},
    )  # fmt: skip
    assert status == 201, created
    pipeline_id: str = created["id"]
    return pipeline_id


def _runs(api: Api, token: str, pipeline_id: str) -> list[dict[str, Any]]:
    status, body = api.call("GET", f"/api/runs?pipeline_id={pipeline_id}", token=token)
    assert status == 200, body
    runs: list[dict[str, Any]] = body["runs"]
    return runs


def _wait_completed(api: Api, token: str, run_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        status, run = api.call("GET", f"/api/runs/{run_id}", token=token)
        assert status == 200, run
        if run["status"] in ("completed", "failed", "cancelled"):
            return dict(run)
        assert time.monotonic() < deadline, run
        time.sleep(0.05)


def test_a_schedule_fires_runs_on_the_virtual_clock(api: Api) -> None:
    token = api.register()["token"]
    pipeline_id = _pipeline(api, token, "scheduled")
    now = _now(api)
    status, schedule = api.call(
        "POST", f"/api/pipelines/{pipeline_id}/schedules",
        {"name": "every five", "cron_expression": "*/5 * * * *", "timezone": "Europe/Paris",
         "input_data": {"topic": "cron"}},
        token=token,
    )  # fmt: skip
    assert status == 201, schedule
    first = _at(schedule["next_run_at"])
    assert now < first <= now + timedelta(minutes=5) and first.minute % 5 == 0
    assert first.second == 0
    assert (schedule["enabled"], schedule["last_run_at"]) == (True, None)
    status, upcoming = api.call("GET", "/api/schedules/upcoming?limit=3", token=token)
    assert status == 200
    assert [_at(u["run_at"]) for u in upcoming["upcoming"]] == [
        first,
        first + timedelta(minutes=5),
        first + timedelta(minutes=10),
    ]
    assert {u["schedule_id"] for u in upcoming["upcoming"]} == {schedule["id"]}
    assert _runs(api, token, pipeline_id) == []

    api.advance((first - now).total_seconds() + 1)
    runs = _runs(api, token, pipeline_id)
    assert len(runs) == 1
    assert runs[0]["trigger_type"] == "cron"
    # Input went through the pipeline's input.schema: the default for "words" was filled.
    assert runs[0]["input_data"] == {"topic": "cron", "words": 50}
    assert _wait_completed(api, token, runs[0]["id"])["status"] == "completed"
    _, listed = api.call("GET", f"/api/pipelines/{pipeline_id}/schedules", token=token)
    assert _at(listed[0]["last_run_at"]) == first
    assert listed[0]["last_run_id"] == runs[0]["id"]
    assert _at(listed[0]["next_run_at"]) == first + timedelta(minutes=5)

    # Ten more minutes: two more runs, each at its own time.
    api.advance(600)
    runs = _runs(api, token, pipeline_id)
    assert len(runs) == 3
    created = sorted(_at(r["created_at"]) for r in runs)
    assert created == [first, first + timedelta(minutes=5), first + timedelta(minutes=10)]

    # Disabled: nothing fires; enabled again: the next time is computed from now.
    status, disabled = api.call("POST", f"/api/schedules/{schedule['id']}/disable", token=token)
    assert status == 200 and disabled["enabled"] is False and disabled["next_run_at"] is None
    api.advance(900)
    assert len(_runs(api, token, pipeline_id)) == 3
    assert api.call("GET", "/api/schedules/upcoming", token=token)[1] == {"upcoming": []}
    status, enabled = api.call("POST", f"/api/schedules/{schedule['id']}/enable", token=token)
    assert status == 200 and enabled["enabled"] is True
    assert _now(api) < _at(enabled["next_run_at"]) <= _now(api) + timedelta(minutes=5)
    assert api.call("DELETE", f"/api/schedules/{schedule['id']}", token=token) == (
        200,
        {"deleted": True},
    )
    assert api.call("DELETE", f"/api/schedules/{schedule['id']}", token=token)[0] == 404


def test_schedule_input_is_validated_and_firing_failures_are_recorded(api: Api) -> None:
    token = api.register()["token"]
    pipeline_id = _pipeline(api, token, "validated")
    status, body = api.call(
        "POST", f"/api/pipelines/{pipeline_id}/schedules",
        {"name": "no topic", "cron_expression": "0 * * * *", "input_data": {}}, token=token,
    )  # fmt: skip
    assert status == 422 and body["code"] == "INPUT_VALIDATION_FAILED"
    assert [issue["field"] for issue in body["issues"]] == ["input.topic"]
    status, schedule = api.call(
        "POST", f"/api/pipelines/{pipeline_id}/schedules",
        {"name": "hourly", "cron_expression": "0 * * * *", "input_data": {"topic": "t"}},
        token=token,
    )  # fmt: skip
    assert status == 201
    # A new version requires an input the schedule does not give: the next firing fails, is
    # recorded, and the ticker goes on.
    stricter = summarize_yaml("validated").replace(
        "    words:", "    audience: {type: string, required: true}\n    words:"
    )
    status, updated = api.call(
        "PUT", f"/api/pipelines/{pipeline_id}", data=stricter.encode(), token=token,
        headers={"Content-Type": "application/yaml"},
    )  # fmt: skip
    assert status == 200 and updated["version"] == 2, updated
    other = _pipeline(api, token, "still-running")
    api.call(
        "POST", f"/api/pipelines/{other}/schedules",
        {"name": "other", "cron_expression": "30 * * * *", "input_data": {"topic": "u"}},
        token=token,
    )  # fmt: skip
    api.advance(2 * 3600)
    _, listed = api.call("GET", f"/api/pipelines/{pipeline_id}/schedules", token=token)
    assert listed[0]["id"] == schedule["id"]
    assert listed[0]["last_error"]["code"] == "INPUT_VALIDATION_FAILED"
    assert listed[0]["last_run_at"] is not None
    assert _at(listed[0]["next_run_at"]) > _now(api)
    assert len(_runs(api, token, other)) == 2
    assert _runs(api, token, pipeline_id) == []
    # Archived: its schedules stop, and it takes no new ones.
    assert api.call("DELETE", f"/api/pipelines/{pipeline_id}", token=token)[0] == 200
    _, listed = api.call("GET", f"/api/pipelines/{pipeline_id}/schedules", token=token)
    assert (listed[0]["enabled"], listed[0]["next_run_at"]) == (False, None)
    status, body = api.call(
        "POST", f"/api/pipelines/{pipeline_id}/schedules",
        {"name": "late", "cron_expression": "0 * * * *", "input_data": {"topic": "t"}},
        token=token,
    )  # fmt: skip
    assert (status, body["code"]) == (404, "PIPELINE_NOT_ACTIVE")
    api.advance(2 * 3600)
    assert _runs(api, token, pipeline_id) == []


def test_the_definition_schedule_follows_the_pipeline(api: Api) -> None:
    token = api.register()["token"]
    scheduled = summarize_yaml("self-scheduled").replace(
        "    topic: {type: string, required: true, description: What to write about}",
        "    topic: {type: string, default: tides}",
    ) + "schedule: {cron: '0 6 * * *', timezone: Asia/Tokyo}\n"
    status, created = api.call(
        "POST", "/api/pipelines", data=scheduled.encode(), token=token,
        headers={"Content-Type": "application/yaml"},
    )  # fmt: skip
    assert status == 201, created
    pipeline_id = created["id"]
    _, listed = api.call("GET", f"/api/pipelines/{pipeline_id}/schedules", token=token)
    (own,) = listed
    assert (own["origin"], own["cron_expression"], own["timezone"], own["enabled"]) == (
        "definition", "0 6 * * *", "Asia/Tokyo", True,
    )  # fmt: skip
    fires = _at(own["next_run_at"])
    assert (fires.hour, fires.minute) == (21, 0)  # 06:00 in Tokyo is 21:00 UTC
    api.advance((fires - _now(api)).total_seconds() + 1)
    (run,) = _runs(api, token, pipeline_id)
    assert run["trigger_type"] == "cron" and run["input_data"] == {"topic": "tides", "words": 50}
    # A new version moves the schedule; one without a schedule removes it.
    moved = scheduled.replace("'0 6 * * *'", "'15 7 * * MON'")
    status, _ = api.call(
        "PUT", f"/api/pipelines/{pipeline_id}", data=moved.encode(), token=token,
        headers={"Content-Type": "application/yaml"},
    )  # fmt: skip
    assert status == 200
    _, listed = api.call("GET", f"/api/pipelines/{pipeline_id}/schedules", token=token)
    assert [(s["id"], s["cron_expression"]) for s in listed] == [(own["id"], "15 7 * * MON")]
    unscheduled = moved.split("schedule:")[0]
    status, _ = api.call(
        "PUT", f"/api/pipelines/{pipeline_id}", data=unscheduled.encode(), token=token,
        headers={"Content-Type": "application/yaml"},
    )  # fmt: skip
    assert status == 200
    assert api.call("GET", f"/api/pipelines/{pipeline_id}/schedules", token=token) == (200, [])
    # A schedule needs every required input to have a default: its runs have no input.
    status, error = api.call(
        "POST", "/api/pipelines", data=(summarize_yaml("x") + "schedule: {cron: '0 6 * * *'}\n")
        .encode(), token=token, headers={"Content-Type": "application/yaml"},
    )  # fmt: skip
    assert status in (400, 422), error
    assert [i["field"] for i in error["issues"]] == ["schedule"]
    assert "'topic' is required" in error["issues"][0]["message"]


def test_schedule_requests_are_checked(api: Api) -> None:
    token = api.register()["token"]
    pipeline_id = _pipeline(api, token, "checked")
    path = f"/api/pipelines/{pipeline_id}/schedules"
    cases = [
        ({"name": "x", "cron_expression": "* * * *"}, "INVALID_CRON", "cron_expression"),
        ({"name": "x", "cron_expression": "61 * * * *"}, "INVALID_CRON", "cron_expression"),
        ({"name": "x", "cron_expression": "* * * * *", "timezone": "Mars/Base"},
         "INVALID_TIMEZONE", "timezone"),
        ({"cron_expression": "* * * * *"}, "VALIDATION_ERROR", "name"),
    ]  # fmt: skip
    for body, code, field in cases:
        status, error = api.call("POST", path, {**body, "input_data": {"topic": "x"}}, token=token)
        assert (status, error["code"], error["issues"][0]["field"]) == (400, code, field), body
    status, error = api.call(
        "POST", "/api/pipelines/00000000-0000-0000-0000-000000000000/schedules",
        {"name": "x", "cron_expression": "* * * * *"}, token=token,
    )  # fmt: skip
    assert (status, error["code"]) == (404, "PIPELINE_NOT_FOUND")
    # Another user sees none of it.
    stranger = api.register()["token"]
    assert api.call("GET", path, token=stranger)[0] == 404
    # Keys: reading with pipelines:read, never managing.
    _, reader = api.call("POST", "/api/user/api-keys", {"scopes": ["pipelines:read"]}, token=token)
    assert api.call("GET", path, headers={"X-API-Key": reader["key"]}) == (200, [])
    status, error = api.call(
        "POST", path, {"name": "x", "cron_expression": "* * * * *"},
        headers={"X-API-Key": reader["key"]},
    )  # fmt: skip
    assert (status, error["code"]) == (403, "SESSION_REQUIRED")
    _, hooks = api.call("POST", "/api/user/api-keys", {"scopes": ["webhooks:trigger"]}, token=token)
    assert api.call("GET", path, headers={"X-API-Key": hooks["key"]})[0] == 403
    status, error = api.call("GET", "/api/schedules/upcoming?limit=0", token=token)
    assert (status, error["code"]) == (400, "VALIDATION_ERROR")
