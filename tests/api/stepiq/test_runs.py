"""Runs through a real server: trigger, follow to completion, steps with tokens and cost,
usage, input validation, listing with filters and a cursor, versions pinned by runs,
idempotency keys, parallel branches, the SSE stream.  (Cancel, retry and human review:
test_run_control.)"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from pipeline_harness import (
    LOCAL_MODEL,
    new_user,
    review_yaml,
    run_async,
    served,
    summarize_yaml,
)
from serving import Server, client, stop_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = served(tmp_path_factory, "runs")
    try:
        yield running
    finally:
        stop_server(running)


def test_a_run_completes_with_steps_tokens_and_usage(server: Server) -> None:
    async def main() -> dict[str, Any]:
        session, api = await new_user(server.endpoint)
        async with session:
            pipeline = await api.create_yaml(summarize_yaml())
            first = await api.run(pipeline["id"], {"topic": "octopuses"})
            done = await api.wait_run(first["id"])
            second = await api.run(pipeline["id"], {"topic": "squids", "words": 20})
            done2 = await api.wait_run(second["id"])
            usage = await api.ok("GET", "/api/user/usage")
            return {"first": first, "done": done, "done2": done2, "usage": usage}

    got = run_async(main())
    first, done = got["first"], got["done"]
    assert first["status"] == "pending"
    assert first["trigger_type"] == "manual"
    assert first["input_data"] == {"topic": "octopuses", "words": 50}  # default filled in
    assert done["status"] == "completed", done
    assert [s["step_id"] for s in done["steps"]] == ["outline", "draft"]
    for step in done["steps"]:
        assert step["status"] == "completed"
        assert step["model"] == LOCAL_MODEL
        assert step["input_tokens"] > 0 and step["output_tokens"] > 0
        assert isinstance(step["output"], str) and step["output"]
    assert done["output_data"] == done["steps"][1]["output"]
    assert done["total_tokens"] == sum(
        s["input_tokens"] + s["output_tokens"] for s in done["steps"]
    )
    assert done["total_cost_cents"] == sum(s["cost_cents"] for s in done["steps"])
    assert done["started_at"] is not None and done["completed_at"] is not None
    usage = got["usage"]
    assert usage["total_tokens"] == done["total_tokens"] + got["done2"]["total_tokens"]
    assert usage["runs_today"] == 2 and usage["total_runs"] == 2
    assert usage["by_model"][LOCAL_MODEL]["steps"] == 4
    assert usage["credits_used"] >= 2  # at least one credit per run with tokens
    # The pro plan's 8000 credits (conftest: STEPLINE_DEFAULT_PLAN=pro).
    assert usage["credits_remaining"] == 8000 - usage["credits_used"]
    execution = client(server.endpoint).describe_execution(executionArn=done["execution_arn"])
    assert execution["status"] == "SUCCEEDED"
    assert execution["name"] == done["id"]
    assert execution["stateMachineVersionArn"].endswith(":1")


def test_input_is_validated_against_the_schema(server: Server) -> None:
    async def main() -> tuple[int, Any, Any]:
        session, api = await new_user(server.endpoint)
        async with session:
            pipeline = await api.create_yaml(summarize_yaml())
            status, body = await api.call(
                "POST", f"/api/pipelines/{pipeline['id']}/run",
                json={"input_data": {"words": "many"}},
            )  # fmt: skip
            listed = await api.ok("GET", "/api/runs")
            return status, body, listed

    status, body, listed = run_async(main())
    assert status == 422
    assert body["error"] == "Input validation failed"
    assert body["code"] == "INPUT_VALIDATION_FAILED"
    fields = {issue["field"] for issue in body["issues"]}
    assert "input.topic" in fields and "input.words" in fields
    assert listed["runs"] == []  # nothing was started


def test_listing_filters_and_pages(server: Server) -> None:
    async def main() -> dict[str, Any]:
        session, api = await new_user(server.endpoint)
        async with session:
            one = await api.create_yaml(summarize_yaml("one"))
            two = await api.create_yaml(review_yaml("two"))
            done = [await api.run(one["id"], {"topic": f"t{i}"}) for i in range(3)]
            for run in done:
                await api.wait_run(run["id"])
            waiting = await api.run(two["id"], {"topic": "w"})
            await api.wait_step(waiting["id"], "review", "waiting")
            pages: list[list[str]] = []
            cursor = None
            while True:
                page = await api.ok(
                    "GET", "/api/runs?limit=2" + (f"&cursor={cursor}" if cursor else "")
                )
                pages.append([r["id"] for r in page["runs"]])
                cursor = page["next_cursor"]
                if cursor is None:
                    break
            return {
                "done": [r["id"] for r in done], "waiting": waiting["id"], "pages": pages,
                "by_pipeline": await api.ok("GET", f"/api/runs?pipeline_id={one['id']}"),
                "running": await api.ok("GET", "/api/runs?status=running"),
                "completed": await api.ok("GET", "/api/runs?status=completed"),
                "manual": await api.ok("GET", "/api/runs?trigger_type=manual"),
                "cron": await api.ok("GET", "/api/runs?trigger_type=cron"),
                "future": await api.ok("GET", "/api/runs?created_after=2999-01-01T00:00:00Z"),
                "past": await api.ok("GET", "/api/runs?created_before=2000-01-01T00:00:00Z"),
                "bad_status": await api.call("GET", "/api/runs?status=sleeping"),
                "bad_limit": await api.call("GET", "/api/runs?limit=1000"),
            }  # fmt: skip

    got = run_async(main())
    newest_first = [got["waiting"], *reversed(got["done"])]
    assert got["pages"] == [newest_first[:2], newest_first[2:]]
    assert [r["id"] for r in got["by_pipeline"]["runs"]] == list(reversed(got["done"]))
    assert [r["id"] for r in got["running"]["runs"]] == [got["waiting"]]
    assert sorted(r["id"] for r in got["completed"]["runs"]) == sorted(got["done"])
    assert len(got["manual"]["runs"]) == 4 and got["cron"]["runs"] == []
    assert got["future"]["runs"] == [] and got["past"]["runs"] == []
    assert got["bad_status"][0] == 400 and got["bad_limit"][0] == 400


def test_runs_pin_their_version(server: Server) -> None:
    async def main() -> dict[str, Any]:
        session, api = await new_user(server.endpoint)
        async with session:
            pipeline = await api.create_yaml(summarize_yaml("pinned"))
            old = await api.wait_run((await api.run(pipeline["id"], {"topic": "a"}))["id"])
            await api.ok(
                "PUT", f"/api/pipelines/{pipeline['id']}",
                data=summarize_yaml("pinned").replace("Outline", "Sketch"),
                headers={"Content-Type": "application/yaml"},
            )  # fmt: skip
            new = await api.wait_run((await api.run(pipeline["id"], {"topic": "a"}))["id"])
            old_again = await api.ok("GET", f"/api/runs/{old['id']}")
            return {"old": old, "new": new, "old_again": old_again}

    got = run_async(main())
    assert got["old"]["pipeline_version"] == 1 and got["old_again"]["pipeline_version"] == 1
    assert got["new"]["pipeline_version"] == 2
    sfn = client(server.endpoint)
    old = sfn.describe_execution(executionArn=got["old"]["execution_arn"])
    new = sfn.describe_execution(executionArn=got["new"]["execution_arn"])
    assert old["stateMachineVersionArn"].endswith(":1")
    assert new["stateMachineVersionArn"].endswith(":2")


def test_idempotency_key_names_the_execution(server: Server) -> None:
    async def main() -> dict[str, Any]:
        session, api = await new_user(server.endpoint)
        async with session:
            pipeline = await api.create_yaml(summarize_yaml("idem"))
            headers = {"Idempotency-Key": "order-42"}
            first = await api.run(pipeline["id"], {"topic": "a"}, headers=headers)
            second = await api.run(pipeline["id"], {"topic": "a"}, headers=headers)
            clash = await api.call(
                "POST", f"/api/pipelines/{pipeline['id']}/run",
                json={"input_data": {"topic": "b"}}, headers=headers,
            )  # fmt: skip
            listed = await api.ok("GET", f"/api/runs?pipeline_id={pipeline['id']}")
            return {"first": first, "second": second, "clash": clash, "listed": listed}

    got = run_async(main())
    assert got["second"]["id"] == got["first"]["id"]
    assert got["first"]["execution_arn"].endswith(":order-42")
    assert got["clash"][0] == 409
    assert len(got["listed"]["runs"]) == 1


def test_stream_follows_a_run_to_its_end(server: Server) -> None:
    async def main() -> tuple[str, str]:
        session, api = await new_user(server.endpoint)
        async with session:
            pipeline = await api.create_yaml(review_yaml("streamed"))
            run = await api.run(pipeline["id"], {"topic": "s"})
            await api.wait_step(run["id"], "review", "waiting")

            async def read(headers: dict[str, str]) -> str:
                url = f"{api.endpoint}/api/runs/{run['id']}/stream?token={api.token}"
                async with api.session.get(url, headers=headers) as response:
                    assert response.status == 200
                    assert response.headers["Content-Type"].startswith("text/event-stream")
                    return (await asyncio.wait_for(response.text(), 20)).replace("\r\n", "\n")

            reader = asyncio.create_task(read({}))
            await asyncio.sleep(0.3)
            await api.ok("POST", f"/api/runs/{run['id']}/steps/review/approve", json={"ok": 1})
            full = await reader
            ids = [int(line[4:]) for line in full.splitlines() if line.startswith("id: ")]
            resumed = await read({"Last-Event-ID": str(ids[-1])})
            return full, resumed

    full, resumed = run_async(main())
    assert "event: run_status" in full and "event: step_status" in full
    assert "event: complete" in full
    assert '"status":"completed"' in full.replace(" ", "")
    assert "id: " in full
    assert "event: step" in full
    # Resuming after the last event id sends nothing already seen.
    assert "event: step_status" not in resumed


PARALLEL = f"""
name: fan-out
steps:
  - id: both
    type: parallel
    branches:
      - - id: left
          model: {LOCAL_MODEL}
          prompt: "Left side of {{{{input.topic}}}}"
      - - id: right
          model: {LOCAL_MODEL}
          prompt: "Right side of {{{{input.topic}}}}"
  - id: join
    type: transform
    prompt: "{{{{steps.left.output}}}} / {{{{steps.right.output}}}}"
"""


def test_steps_of_parallel_branches_are_listed_and_counted(server: Server) -> None:
    async def main() -> dict[str, Any]:
        session, api = await new_user(server.endpoint)
        async with session:
            pipeline = await api.create_yaml(PARALLEL)
            run = await api.run(pipeline["id"], {"topic": "bridges"})
            return await api.wait_run(run["id"])

    done = run_async(main())
    assert done["status"] == "completed", done
    steps = {s["step_id"]: s for s in done["steps"]}
    assert list(steps) == ["both", "left", "right", "join"]
    assert all(s["status"] == "completed" for s in steps.values())
    assert steps["both"]["type"] == "parallel" and steps["join"]["type"] == "transform"
    assert steps["left"]["input_tokens"] > 0 and steps["right"]["input_tokens"] > 0
    assert done["total_tokens"] == sum(
        s["input_tokens"] + s["output_tokens"] for s in done["steps"]
    )
    assert done["output_data"] == f"{steps['left']['output']} / {steps['right']['output']}"
