"""Inbound webhooks through a real server: POST /api/webhooks/:pipelineId with an API key,
202/400/401/404/422 as stepIQ's seed says."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pipeline_harness import new_user, run_async, served, summarize_yaml
from serving import Server, stop_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = served(tmp_path_factory, "webhooks")
    try:
        yield running
    finally:
        stop_server(running)


def test_webhook_trigger_with_an_api_key(server: Server) -> None:
    async def main() -> dict[str, Any]:
        session, api = await new_user(server.endpoint)
        async with session:
            pipeline = await api.create_yaml(summarize_yaml("hooked"))
            key = await api.api_key()
            path = f"/api/webhooks/{pipeline['id']}"
            wrapped = await api.call(
                "POST", path, json={"input_data": {"topic": "AI agents"}},
                headers={"X-API-Key": key}, auth=False,
            )  # fmt: skip
            top_level = await api.call(
                "POST", f"{path}?api_key={key}", json={"topic": "whales"}, auth=False
            )
            run = await api.wait_run(wrapped[1]["run_id"])
            other = await api.ok("GET", f"/api/runs/{top_level[1]['run_id']}")
            return {"pipeline": pipeline, "wrapped": wrapped, "top_level": top_level,
                    "run": run, "other": other}  # fmt: skip

    got = run_async(main())
    status, body = got["wrapped"]
    assert status == 202
    assert body["accepted"] is True
    assert body["status"] == "pending"
    assert body["pipeline_id"] == got["pipeline"]["id"]
    assert got["top_level"][0] == 202
    run = got["run"]
    assert run["trigger_type"] == "webhook"
    assert run["input_data"] == {"topic": "AI agents", "words": 50}
    assert run["status"] == "completed"
    assert got["other"]["input_data"]["topic"] == "whales"


def test_webhook_errors(server: Server) -> None:
    async def main() -> dict[str, Any]:
        session, api = await new_user(server.endpoint)
        other_session, other = await new_user(server.endpoint)
        async with session, other_session:
            pipeline = await api.create_yaml(summarize_yaml("guarded"))
            key = await api.api_key()
            read_only = await api.api_key(["pipelines:read"])
            foreign_key = await other.api_key()
            path = f"/api/webhooks/{pipeline['id']}"
            good = {"input_data": {"topic": "x"}}

            async def post(p: str, **kwargs: Any) -> tuple[int, Any]:
                return await api.call("POST", p, auth=False, **kwargs)

            out = {
                "no_key": await post(path, json=good),
                "bad_key": await post(path, json=good, headers={"X-API-Key": "sk_live_nope"}),
                "jwt": await api.call("POST", path, json=good),
                "no_scope": await post(path, json=good, headers={"X-API-Key": read_only}),
                "unknown": await post(
                    "/api/webhooks/00000000-0000-0000-0000-000000000000", json=good,
                    headers={"X-API-Key": key},
                ),
                "foreign": await post(path, json=good, headers={"X-API-Key": foreign_key}),
                "bad_input": await post(
                    path, json={"input_data": {"words": 3}}, headers={"X-API-Key": key}
                ),
                "array": await post(path, json=[1, 2], headers={"X-API-Key": key}),
                "not_json": await post(path, data=b"{nope", headers={"X-API-Key": key}),
            }  # fmt: skip
            await api.ok("DELETE", f"/api/pipelines/{pipeline['id']}")
            out["archived"] = await post(path, json=good, headers={"X-API-Key": key})
            out["runs"] = await api.ok("GET", "/api/runs")
            return out

    got = run_async(main())
    assert got["no_key"][0] == 401
    assert got["no_key"][1]["error"] == "Unauthorized"
    assert got["bad_key"][0] == 401
    assert got["bad_key"][1]["error"] == "Invalid API key"
    assert got["jwt"][0] == 401
    assert got["no_scope"][0] == 401
    assert got["no_scope"][1]["error"] == "Invalid API key"
    assert got["unknown"][0] == 404
    assert got["foreign"][0] == 404
    assert got["bad_input"][0] == 422
    assert got["bad_input"][1]["code"] == "INPUT_VALIDATION_FAILED"
    assert {i["field"] for i in got["bad_input"][1]["issues"]} == {"input.topic"}
    assert got["array"][0] == 400 and got["not_json"][0] == 400
    assert got["archived"][0] == 404
    assert got["archived"][1]["error"] == "Pipeline not found or not active"
    assert got["runs"]["runs"] == []  # none of these started a run
