"""Runs that change through a real server: human review (approve, reject), cancel, retry
(rerun and redrive), a run whose execution cannot start."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pipeline_harness import (
    new_user,
    review_yaml,
    run_async,
    served,
    summarize_yaml,
)
from serving import Server, client, stop_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = served(tmp_path_factory, "run-control")
    try:
        yield running
    finally:
        stop_server(running)


def test_human_review_approve_and_reject(server: Server) -> None:
    async def main() -> dict[str, Any]:
        session, api = await new_user(server.endpoint)
        async with session:
            pipeline = await api.create_yaml(review_yaml())
            approved = await api.run(pipeline["id"], {"topic": "tea"})
            waiting = await api.wait_step(approved["id"], "review", "waiting")
            early = await api.call(
                "POST", f"/api/runs/{approved['id']}/steps/publish/approve", json={}
            )
            unknown = await api.call(
                "POST", f"/api/runs/{approved['id']}/steps/nope/approve", json={}
            )
            after = await api.ok(
                "POST", f"/api/runs/{approved['id']}/steps/review/approve",
                json={"approved": True, "note": "ship it"},
            )  # fmt: skip
            done = await api.wait_run(approved["id"])
            twice = await api.call(
                "POST", f"/api/runs/{approved['id']}/steps/review/approve", json={}
            )
            rejected = await api.run(pipeline["id"], {"topic": "coffee"})
            await api.wait_step(rejected["id"], "review", "waiting")
            await api.ok(
                "POST", f"/api/runs/{rejected['id']}/steps/review/reject",
                json={"reason": "too bitter"},
            )  # fmt: skip
            failed = await api.wait_run(rejected["id"])
            return {
                "waiting": waiting, "early": early, "unknown": unknown, "after": after,
                "done": done, "twice": twice, "failed": failed,
            }  # fmt: skip

    got = run_async(main())
    steps = {s["step_id"]: s for s in got["waiting"]["steps"]}
    assert steps["draft"]["status"] == "completed"
    assert steps["review"]["status"] == "waiting"
    assert steps["publish"]["status"] == "pending"
    assert got["early"][0] == 409 and got["early"][1]["code"] == "STEP_NOT_WAITING"
    assert got["unknown"][0] == 404
    done = got["done"]
    assert done["status"] == "completed"
    review = next(s for s in done["steps"] if s["step_id"] == "review")
    assert review["output"] == {"approved": True, "note": "ship it"}
    draft = next(s for s in done["steps"] if s["step_id"] == "draft")
    assert done["output_data"] == f"Published: {draft['output']}"
    assert got["twice"][0] == 409
    failed = got["failed"]
    assert failed["status"] == "failed"
    assert failed["error_type"] == "Rejected"
    assert "too bitter" in failed["error"]
    review = next(s for s in failed["steps"] if s["step_id"] == "review")
    assert review["status"] == "failed"


def test_cancel_stops_the_execution(server: Server) -> None:
    async def main() -> dict[str, Any]:
        session, api = await new_user(server.endpoint)
        async with session:
            pipeline = await api.create_yaml(review_yaml("to-cancel"))
            run = await api.run(pipeline["id"], {"topic": "x"})
            await api.wait_step(run["id"], "review", "waiting")
            cancelled = await api.ok("POST", f"/api/runs/{run['id']}/cancel")
            again = await api.call("POST", f"/api/runs/{run['id']}/cancel")
            detail = await api.ok("GET", f"/api/runs/{run['id']}")
            return {"cancelled": cancelled, "again": again, "detail": detail}

    got = run_async(main())
    assert got["cancelled"]["cancelled"] is True
    assert got["cancelled"]["run"]["status"] == "cancelled"
    assert got["again"][0] == 409
    assert got["again"][1]["code"] == "RUN_NOT_CANCELLABLE"
    assert got["detail"]["status"] == "cancelled"
    execution = client(server.endpoint).describe_execution(
        executionArn=got["detail"]["execution_arn"]
    )
    assert execution["status"] == "ABORTED"
    assert execution["error"] == "Cancelled"
    history = client(server.endpoint).get_execution_history(
        executionArn=got["detail"]["execution_arn"], reverseOrder=True, maxResults=1
    )
    assert history["events"][0]["type"] == "ExecutionAborted"


def test_retry_reruns_with_the_same_input_and_version(server: Server) -> None:
    async def main() -> dict[str, Any]:
        session, api = await new_user(server.endpoint)
        async with session:
            pipeline = await api.create_yaml(review_yaml("retry"))
            original = await api.run(pipeline["id"], {"topic": "first"})
            await api.wait_step(original["id"], "review", "waiting")
            await api.ok("POST", f"/api/runs/{original['id']}/steps/review/reject", json={})
            await api.wait_run(original["id"])
            await api.ok(
                "PUT", f"/api/pipelines/{pipeline['id']}",
                data=review_yaml("retry").replace("Published:", "Out:"),
                headers={"Content-Type": "application/yaml"},
            )  # fmt: skip
            rerun = await api.ok("POST", f"/api/runs/{original['id']}/retry?mode=rerun", 202)
            fresh = await api.run(pipeline["id"], {"topic": "second"})
            redrive = await api.call("POST", f"/api/runs/{rerun['id']}/retry?mode=redrive")
            bad_mode = await api.call("POST", f"/api/runs/{original['id']}/retry?mode=twice")
            return {"original": original, "rerun": rerun, "fresh": fresh,
                    "redrive": redrive, "bad_mode": bad_mode}  # fmt: skip

    got = run_async(main())
    rerun = got["rerun"]
    assert rerun["id"] != got["original"]["id"]
    assert rerun["trigger_type"] == "retry"
    assert rerun["retry_of"] == got["original"]["id"]
    assert rerun["input_data"] == got["original"]["input_data"]
    assert rerun["pipeline_version"] == 1  # the original's version, not the latest
    assert got["fresh"]["pipeline_version"] == 2
    # Redriving a run that has not failed is refused with AWS's reason.
    assert got["redrive"][0] == 409
    assert got["redrive"][1]["code"] == "RUN_NOT_REDRIVABLE"
    assert got["bad_mode"][0] == 400


def test_redrive_resumes_a_cancelled_run_where_it_stopped(server: Server) -> None:
    async def main() -> dict[str, Any]:
        session, api = await new_user(server.endpoint)
        async with session:
            pipeline = await api.create_yaml(review_yaml("redriven"))
            run = await api.run(pipeline["id"], {"topic": "kites"})
            before = await api.wait_step(run["id"], "review", "waiting")
            await api.ok("POST", f"/api/runs/{run['id']}/cancel")
            redriven = await api.ok("POST", f"/api/runs/{run['id']}/retry?mode=redrive", 202)
            waiting = await api.wait_step(run["id"], "review", "waiting")
            await api.ok("POST", f"/api/runs/{run['id']}/steps/review/approve", json={"ok": 1})
            done = await api.wait_run(run["id"])
            listed = await api.ok("GET", f"/api/runs?pipeline_id={pipeline['id']}")
            return {
                "before": before,
                "redriven": redriven,
                "waiting": waiting,
                "done": done,
                "listed": listed,
            }

    got = run_async(main())
    assert got["redriven"]["id"] == got["before"]["id"]  # the same run, not a new one
    assert got["redriven"]["status"] == "running"
    assert got["redriven"]["redrive_count"] == 1
    done = got["done"]
    assert done["status"] == "completed"
    draft_before = next(s for s in got["before"]["steps"] if s["step_id"] == "draft")
    draft_after = next(s for s in done["steps"] if s["step_id"] == "draft")
    assert draft_after["output"] == draft_before["output"]  # not run again
    assert len(got["listed"]["runs"]) == 1
    execution = client(server.endpoint).describe_execution(executionArn=done["execution_arn"])
    assert execution["status"] == "SUCCEEDED" and execution["redriveCount"] == 1
    history = client(server.endpoint).get_execution_history(
        executionArn=done["execution_arn"], maxResults=1000
    )["events"]
    entered = [
        e["stateEnteredEventDetails"]["name"] for e in history if e["type"].endswith("StateEntered")
    ]
    assert entered.count("draft") == 1  # the redrive started again at the review


def test_a_run_whose_execution_cannot_start_fails_with_the_reason(server: Server) -> None:
    async def main() -> dict[str, Any]:
        session, api = await new_user(server.endpoint)
        async with session:
            pipeline = await api.create_yaml(summarize_yaml("deleted-underneath"))
            # The state machine is deleted through the Step Functions API, behind stepIQ's back.
            client(server.endpoint).delete_state_machine(
                stateMachineArn=pipeline["state_machine_arn"]
            )
            run = await api.run(pipeline["id"], {"topic": "x"})
            failed = await api.wait_run(run["id"])
            listed = await api.ok("GET", "/api/runs?status=failed")
            cancel = await api.call("POST", f"/api/runs/{run['id']}/cancel")
            return {"run": run, "failed": failed, "listed": listed, "cancel": cancel}

    got = run_async(main())
    assert got["run"]["status"] == "pending"
    failed = got["failed"]
    assert failed["status"] == "failed"
    assert failed["error"].startswith("StateMachineDoesNotExist")
    assert failed["started_at"] is None
    assert [r["id"] for r in got["listed"]["runs"]] == [failed["id"]]
    assert got["cancel"][0] == 409
