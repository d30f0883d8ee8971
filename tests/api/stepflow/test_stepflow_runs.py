"""The Stepflow surface through a real server: trigger a state machine by name, read the run,
follow its stream (ids, resume with Last-Event-ID), notify waiting runs, errors, tokens."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from typing import Any

from serving import Server, start_server, stop_server, unique
from stepflow_client import (
    BASE,
    WAIT_FOR_EVENT,
    SseReader,
    call,
    create_machine,
    sfn,
    waiting_machine,
)

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def trigger(server: Server, workflow: str, body: Any) -> dict[str, Any]:
    status, answer = call(server.endpoint, "POST", f"{BASE}/trigger/{workflow}", body)
    assert status == 200, answer
    return dict(answer)


def get_run(server: Server, run: dict[str, Any]) -> dict[str, Any]:
    status, answer = call(
        server.endpoint, "GET", f"{BASE}/runs/{run['runId']}?token={run['publicAccessToken']}"
    )
    assert status == 200, answer
    return dict(answer)


def test_trigger_by_name_and_read_the_finished_run(server: Server) -> None:
    name = unique("welcome")
    create_machine(server.endpoint, name, {
        "StartAt": "send-welcome",
        "States": {
            "send-welcome": {"Type": "Pass", "Result": {"sent": True}, "ResultPath": "$.welcome",
                             "Next": "pause"},
            "pause": {"Type": "Wait", "Seconds": 3600, "Next": "send-followup"},
            "send-followup": {"Type": "Pass", "Parameters": {"user.$": "$.userId"}, "End": True},
        },
    })  # fmt: skip
    run = trigger(server, name, {"userId": "user_123", "email": "user@example.com"})
    assert re.fullmatch(r"run_[0-9a-f]{32}", run["runId"])
    assert run["publicAccessToken"].startswith("pat_")
    # The virtual clock runs the hour's Wait at once; the stream ends with the run.
    events = SseReader(server.endpoint, f"{BASE}/runs/{run['runId']}/stream").start().wait()
    assert events[-1].event == "complete"
    body = get_run(server, run)
    assert body["id"] == run["runId"]
    assert body["workflowId"] == name
    assert body["status"] == "completed"
    assert body["input"] == {"userId": "user_123", "email": "user@example.com"}
    assert body["output"] == {"user": "user_123"}
    assert [(s["name"], s["status"], s["type"]) for s in body["steps"]] == [
        ("send-welcome", "completed", "Pass"),
        ("pause", "completed", "Wait"),
        ("send-followup", "completed", "Pass"),
    ]
    assert body["steps"][0]["result"]["welcome"] == {"sent": True}
    assert body["steps"][2]["result"] == {"user": "user_123"}
    assert ISO.match(body["createdAt"]) and ISO.match(body["updatedAt"])
    # The Wait took an hour of (virtual) time.
    assert body["steps"][1]["completedAt"] > body["steps"][1]["startedAt"]
    execution = sfn(server.endpoint).describe_execution(executionArn=body["executionArn"])
    assert execution["name"] == run["runId"]
    assert execution["status"] == "SUCCEEDED"


def test_stream_pushes_each_step_and_resumes_after_last_event_id(server: Server) -> None:
    name = unique("pay")
    create_machine(server.endpoint, name, waiting_machine())
    event_id = f"payment-{uuid.uuid4().hex[:8]}"
    run = trigger(server, name, {"eventId": event_id})
    path = f"{BASE}/runs/{run['runId']}/stream?token={run['publicAccessToken']}"
    reader = SseReader(server.endpoint, path).start()
    waiting = reader.wait_for(lambda e: e.event == "step" and e.data["status"] == "waiting")
    assert waiting.data == {"name": "Wait for payment", "status": "waiting"}
    assert not reader.done.is_set()  # the stream stays open while the run waits
    assert reader.status == 200 and reader.content_type is not None
    assert reader.content_type.startswith("text/event-stream")
    assert reader.cors == "*"  # EventSource from a page on another origin
    body = get_run(server, run)
    assert body["status"] == "running"
    assert [(s["name"], s["status"]) for s in body["steps"]] == [
        ("Prepare", "completed"), ("Wait for payment", "waiting"),
    ]  # fmt: skip

    status, answer = call(server.endpoint, "POST", f"{BASE}/notify/{event_id}", {"paid": 99.99})
    assert (status, answer) == (200, {"success": True, "resumed": 1})
    events = reader.wait()
    assert all(e.id is not None for e in events)
    ids = [e.id for e in events]
    assert ids == sorted(ids)
    kinds = [(e.event, e.data.get("stepName") or e.data.get("name"), e.data["status"])
             for e in events]  # fmt: skip
    assert kinds == [
        ("status", "Prepare", "running"),
        ("step", "Prepare", "completed"),
        ("status", "Wait for payment", "running"),
        ("step", "Wait for payment", "waiting"),
        ("status", "Wait for payment", "running"),  # resumed by the event
        ("step", "Wait for payment", "completed"),
        ("status", "Ship", "running"),
        ("step", "Ship", "completed"),
        ("complete", None, "completed"),
    ]
    assert events[5].data["result"] == {"paid": 99.99}
    assert events[-1].data == {"status": "completed", "result": {"paid": 99.99}}

    # Reconnecting after the waiting step gets exactly the later events.
    after = events[3].id
    assert after is not None
    again = SseReader(
        server.endpoint, path, headers={"Last-Event-ID": str(after)}
    ).start().wait()
    assert [(e.id, e.event, e.data) for e in again] == [
        (e.id, e.event, e.data) for e in events[4:]
    ]
    by_query = SseReader(server.endpoint, f"{path}&last_event_id={after}").start().wait()
    assert [e.id for e in by_query] == [e.id for e in events[4:]]
    # After the last event: nothing more, and the stream ends.
    last = SseReader(server.endpoint, path, headers={"Last-Event-ID": str(ids[-1])}).start()
    assert last.wait() == []


def test_notify_resumes_every_run_waiting_for_the_event(server: Server) -> None:
    name = unique("fanin")
    create_machine(server.endpoint, name, waiting_machine())
    event_id = f"order-{uuid.uuid4().hex[:8]}"
    first = trigger(server, name, {"eventId": event_id})
    second = trigger(server, name, {"eventId": event_id})
    other = trigger(server, name, {"eventId": event_id + "-other"})
    for run in (first, second, other):
        path = f"{BASE}/runs/{run['runId']}/stream"
        SseReader(server.endpoint, path).start().wait_for(
            lambda e: e.event == "step" and e.data["status"] == "waiting"
        )
    status, answer = call(
        server.endpoint, "POST", f"{BASE}/notify/{event_id}", {"status": "paid", "amount": 5}
    )
    assert (status, answer) == (200, {"success": True, "resumed": 2})
    for run in (first, second):
        events = SseReader(server.endpoint, f"{BASE}/runs/{run['runId']}/stream").start().wait()
        assert events[-1].data == {"status": "completed", "result": {"status": "paid", "amount": 5}}
    assert get_run(server, other)["status"] == "running"
    # Those two wait no more: the same event again finds nobody.
    status, answer = call(server.endpoint, "POST", f"{BASE}/notify/{event_id}", {})
    assert status == 404
    assert answer["code"] == "EVENT_NOT_FOUND"
    sfn(server.endpoint).stop_execution(executionArn=get_run(server, other)["executionArn"])
    # A stopped run's waiter is gone too.
    status, answer = call(server.endpoint, "POST", f"{BASE}/notify/{event_id}-other", {})
    assert (status, answer["code"]) == (404, "EVENT_NOT_FOUND")
    body = get_run(server, other)
    assert body["status"] == "cancelled"
    assert body["steps"][-1]["status"] == "cancelled"


def test_a_failed_run_streams_error_then_complete(server: Server) -> None:
    name = unique("boom")
    create_machine(server.endpoint, name, {
        "StartAt": "charge",
        "States": {"charge": {"Type": "Fail", "Error": "CardDeclined", "Cause": "insufficient"}},
    })  # fmt: skip
    run = trigger(server, name, {})
    events = SseReader(server.endpoint, f"{BASE}/runs/{run['runId']}/stream").start().wait()
    assert [e.event for e in events] == ["status", "step", "error", "complete"]
    assert events[1].data == {
        "name": "charge", "status": "failed", "error": "CardDeclined", "cause": "insufficient"
    }
    assert events[2].data == {"status": "failed", "error": "CardDeclined", "cause": "insufficient"}
    assert events[3].data["status"] == "failed"
    body = get_run(server, run)
    assert (body["status"], body["error"], body["cause"]) == (
        "failed", "CardDeclined", "insufficient"
    )


def test_errors_have_the_seed_shape(server: Server) -> None:
    endpoint = server.endpoint
    status, answer = call(endpoint, "POST", f"{BASE}/trigger/{unique('missing')}", {})
    assert status == 404
    assert answer == {"error": answer["error"], "code": "WORKFLOW_NOT_FOUND"}
    status, answer = call(endpoint, "GET", f"{BASE}/runs/run_{'0' * 32}")
    assert (status, answer["code"]) == (404, "RUN_NOT_FOUND")
    status, answer = call(endpoint, "GET", f"{BASE}/runs/run_{'0' * 32}/stream")
    assert (status, answer["code"]) == (404, "RUN_NOT_FOUND")
    status, answer = call(endpoint, "POST", f"{BASE}/notify/{unique('nobody')}", {"a": 1})
    assert (status, answer["code"]) == (404, "EVENT_NOT_FOUND")
    name = unique("inputs")
    create_machine(endpoint, name, waiting_machine())
    for raw in (b"[1, 2]", b'"text"', b"{not json", b"42"):
        status, answer = call(endpoint, "POST", f"{BASE}/trigger/{name}", raw=raw)
        assert (status, answer["code"]) == (400, "INVALID_INPUT"), raw
        assert set(answer) == {"error", "code"}
    # Step Functions' 256 KiB input quota (InvalidExecutionInput) is an invalid input too.
    status, answer = call(endpoint, "POST", f"{BASE}/trigger/{name}", {"big": "x" * 300_000})
    assert (status, answer["code"]) == (400, "INVALID_INPUT")
    status, answer = call(endpoint, "POST", f"{BASE}/notify/x", {"big": "x" * 300_000})
    assert (status, answer["code"]) == (400, "INVALID_INPUT")
    status, answer = call(endpoint, "POST", f"{BASE}/notify/x", raw=b"{bad")
    assert (status, answer["code"]) == (400, "INVALID_INPUT")
    status, answer = call(endpoint, "GET", f"{BASE}/no/such/route")
    assert (status, answer["code"]) == (404, "NOT_FOUND")


def test_a_public_access_token_reads_only_its_own_run(server: Server) -> None:
    name = unique("pat")
    create_machine(server.endpoint, name, waiting_machine())
    mine = trigger(server, name, {"eventId": unique("e")})
    theirs = trigger(server, name, {"eventId": unique("e")})
    assert mine["publicAccessToken"] != theirs["publicAccessToken"]
    assert get_run(server, mine)["id"] == mine["runId"]
    for suffix in ("", "/stream"):
        status, answer = call(
            server.endpoint, "GET",
            f"{BASE}/runs/{theirs['runId']}{suffix}?token={mine['publicAccessToken']}",
        )  # fmt: skip
        assert status == 401, suffix
        assert answer["code"] == "UNAUTHORIZED"
    status, answer = call(
        server.endpoint, "GET", f"{BASE}/runs/{mine['runId']}?token=pat_forged"
    )
    assert (status, answer["code"]) == (401, "UNAUTHORIZED")


def test_health(server: Server) -> None:
    for path in (f"{BASE}/health", "/health"):
        status, answer = call(server.endpoint, "GET", path)
        assert status == 200
        assert answer["status"] == "ok"
        assert ISO.match(answer["timestamp"])
        assert re.fullmatch(r"\d+\.\d+\.\d+.*", answer["version"])


def test_wait_for_event_parameters_are_checked(server: Server) -> None:
    cases = [
        ("arn:aws:states:::stepline:waitForEvent", {"EventId": "e"}, "waitForTaskToken"),
        (WAIT_FOR_EVENT, {"TaskToken.$": "$$.Task.Token"}, "'EventId' must be a string"),
        (WAIT_FOR_EVENT, {"EventId": "e", "TaskToken": "forged"}, "this task's token"),
        (WAIT_FOR_EVENT, {"EventId": "e", "Other": 1}, "Unknown parameters: Other"),
    ]
    for resource, parameters, message in cases:
        name = unique("badwait")
        create_machine(server.endpoint, name, {
            "StartAt": "Wait", "States": {
                "Wait": {"Type": "Task", "Resource": resource, "Parameters": parameters,
                         "End": True}},
        })  # fmt: skip
        run = trigger(server, name, {})
        events = SseReader(server.endpoint, f"{BASE}/runs/{run['runId']}/stream").start().wait()
        assert events[-1].data["status"] == "failed", resource
        assert events[-1].data["error"] == "Stepline.InvalidParameterException"
        assert message in events[-1].data["cause"]


def test_stopping_the_server_ends_open_streams(tmp_path: Path) -> None:
    own = start_server(tmp_path / "stepline.db")
    try:
        name = unique("forever")
        create_machine(own.endpoint, name, waiting_machine())
        run = trigger(own, name, {"eventId": unique("never")})
        reader = SseReader(own.endpoint, f"{BASE}/runs/{run['runId']}/stream").start()
        reader.wait_for(lambda e: e.event == "step" and e.data["status"] == "waiting")
        started = time.monotonic()
        own.process.terminate()
        own.process.wait(timeout=20)
        assert time.monotonic() - started < 5
        reader.wait(timeout=5)
    finally:
        stop_server(own)
