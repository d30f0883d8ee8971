"""HTTP Tasks (``arn:aws:states:::http:invoke``) end to end: a real ``stepline serve`` process
driven with boto3, and ``stepline run``, calling an HTTP endpoint that this test serves on
127.0.0.1.  https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from serving import ROLE, ROOT, unique

INVOKE = "arn:aws:states:::http:invoke"
CONNECTION = (
    "arn:aws:events:us-east-1:123456789012:connection/Orders/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab"
)


class Orders:
    """A small HTTP API: ``GET /orders/<id>`` (404 unless the id is 42), ``POST /orders``
    (201, echoes the JSON it got), ``GET /busy`` (503 twice, then 200).  It records requests."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                parts = urlsplit(self.path)
                api.requests.append(
                    {
                        "method": self.command,
                        "path": parts.path,
                        "query": parts.query,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                status, payload = api.answer(self.command, parts.path, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, method: str, path: str, body: str) -> tuple[int, Any]:
        if method == "GET" and path == "/orders/42":
            return 200, {"id": 42, "state": "shipped"}
        if method == "POST" and path == "/orders":
            return 201, {"created": json.loads(body)}
        if path == "/busy":
            seen = sum(1 for r in self.requests if r["path"] == "/busy")
            return (503, {"retry": True}) if seen <= 2 else (200, {"done": True})
        return 404, {"message": "no such order"}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def orders() -> Iterator[Orders]:
    api = Orders()
    try:
        yield api
    finally:
        api.close()


def definition(base: str) -> dict[str, Any]:
    auth = {"ConnectionArn": CONNECTION}
    return {
        "StartAt": "Get",
        "States": {
            "Get": {
                "Type": "Task",
                "Resource": INVOKE,
                "Parameters": {
                    "ApiEndpoint.$": f"States.Format('{base}/orders/{{}}', $.id)",
                    "Method": "GET",
                    "Authentication": auth,
                    "Headers": {"X-Client": "stepline-test"},
                    "QueryParameters": {"fields": ["id", "state"]},
                },
                "ResultSelector": {"order.$": "$.ResponseBody", "status.$": "$.StatusCode"},
                "ResultPath": "$.got",
                "Next": "Create",
            },
            "Create": {
                "Type": "Task",
                "Resource": INVOKE,
                "Parameters": {
                    "ApiEndpoint": f"{base}/orders",
                    "Method": "POST",
                    "InvocationConfig": auth,
                    "RequestBody": {"item.$": "$.item", "qty": 2},
                },
                "ResultSelector": {"body.$": "$.ResponseBody", "status.$": "$.StatusCode", "text.$": "$.StatusText"},
                "ResultPath": "$.created",
                "Next": "Busy",
            },
            "Busy": {
                "Type": "Task",
                "Resource": INVOKE,
                "Parameters": {"ApiEndpoint": f"{base}/busy", "Method": "GET", "Authentication": auth},
                "Retry": [{"ErrorEquals": ["States.Http.StatusCode.503"], "IntervalSeconds": 2, "MaxAttempts": 3}],
                "ResultSelector": {"body.$": "$.ResponseBody"},
                "ResultPath": "$.busy",
                "Next": "Missing",
            },
            "Missing": {
                "Type": "Task",
                "Resource": INVOKE,
                "Parameters": {"ApiEndpoint": f"{base}/orders/7", "Method": "GET", "Authentication": auth},
                "Catch": [{"ErrorEquals": ["States.Http.StatusCode.404"], "ResultPath": "$.missing", "Next": "Done"}],
                "Next": "Done",
            },
            "Done": {"Type": "Pass", "End": True},
        },
    }  # fmt: skip


def check_output(output: dict[str, Any]) -> None:
    assert output["got"] == {"order": {"id": 42, "state": "shipped"}, "status": 200}
    assert output["created"] == {
        "body": {"created": {"item": "book", "qty": 2}},
        "status": 201,
        "text": "Created",
    }
    assert output["busy"] == {"body": {"done": True}}
    assert output["missing"] == {"Error": "States.Http.StatusCode.404", "Cause": "Not Found"}


def check_requests(orders: Orders) -> None:
    paths = [(r["method"], r["path"]) for r in orders.requests]
    assert paths == [("GET", "/orders/42"), ("POST", "/orders")] + [("GET", "/busy")] * 3 + [
        ("GET", "/orders/7")
    ]
    first, second = orders.requests[0], orders.requests[1]
    assert first["query"] == "fields=id&fields=state"
    assert first["headers"]["x-client"] == "stepline-test"
    assert first["headers"]["user-agent"] == "Amazon|StepFunctions|HttpInvoke|us-east-1"
    assert first["headers"]["range"] == "bytes=0-262144"
    assert second["headers"]["content-type"] == "application/json; charset=UTF-8"
    assert second["body"] == '{"item":"book","qty":2}'


def finished(sfn: Any, arn: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return described
        time.sleep(0.05)


def test_serve_runs_http_tasks_against_a_real_endpoint(sfn: Any, orders: Orders) -> None:
    machine = sfn.create_state_machine(
        name=unique("http"), definition=json.dumps(definition(orders.url)), roleArn=ROLE
    )
    started = sfn.start_execution(
        stateMachineArn=machine["stateMachineArn"], input='{"id": 42, "item": "book"}'
    )
    described = finished(sfn, started["executionArn"])
    assert described["status"] == "SUCCEEDED", described
    check_output(json.loads(described["output"]))
    check_requests(orders)
    events = sfn.get_execution_history(executionArn=started["executionArn"])["events"]
    failed = [e["taskFailedEventDetails"] for e in events if e["type"] == "TaskFailed"]
    assert [f["error"] for f in failed] == ["States.Http.StatusCode.503"] * 2 + [
        "States.Http.StatusCode.404"
    ]
    assert {(f["resourceType"], f["resource"]) for f in failed} == {("http", "invoke")}
    scheduled = [e["taskScheduledEventDetails"] for e in events if e["type"] == "TaskScheduled"]
    assert json.loads(scheduled[0]["parameters"])["Authentication"] == {"ConnectionArn": CONNECTION}


def test_serve_fails_an_execution_on_a_forbidden_header(sfn: Any, orders: Orders) -> None:
    machine = {
        "StartAt": "Get",
        "States": {
            "Get": {
                "Type": "Task",
                "Resource": INVOKE,
                "Parameters": {
                    "ApiEndpoint": f"{orders.url}/orders/42",
                    "Method": "GET",
                    "Authentication": {"ConnectionArn": CONNECTION},
                    "Headers": {"Authorization": "Bearer secret"},
                },
                "End": True,
            }
        },
    }
    created = sfn.create_state_machine(
        name=unique("http"), definition=json.dumps(machine), roleArn=ROLE
    )
    started = sfn.start_execution(stateMachineArn=created["stateMachineArn"])
    described = finished(sfn, started["executionArn"])
    assert (described["status"], described["error"]) == ("FAILED", "States.Runtime")
    assert "The header 'Authorization' is not allowed" in described["cause"]
    assert orders.requests == []


def test_stepline_run_applies_a_declared_connection(tmp_path: Path, orders: Orders) -> None:
    machine = tmp_path / "machine.json"
    machine.write_text(json.dumps(definition(orders.url)), encoding="utf-8")
    connections = tmp_path / "connections.json"
    connection = {
        "AuthorizationType": "API_KEY",
        "AuthParameters": {
            "ApiKeyAuthParameters": {"ApiKeyName": "X-Api-Key", "ApiKeyValue": "k-123"}
        },
    }
    connections.write_text(json.dumps({CONNECTION: connection}), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT), STEPLINE_HTTP_CONNECTIONS=str(connections))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "api.cli",
            "run",
            str(machine),
            "--json",
            "--input",
            '{"id": 42, "item": "book"}',
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["status"] == "SUCCEEDED", out
    check_output(out["output"])
    check_requests(orders)
    assert {r["headers"]["x-api-key"] for r in orders.requests} == {"k-123"}
