"""The wire protocol as raw HTTP: headers, error bodies, model-driven validation, region
from the signature, timestamps, CORS, health and the virtual clock endpoint."""

from __future__ import annotations

import http.client
import json
from typing import Any

from serving import ROLE, Server, pass_machine, unique


def call(
    server: Server,
    operation: str | None,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    method: str = "POST",
    path: str = "/",
) -> tuple[int, dict[str, str], Any]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    sent = {"Content-Type": "application/x-amz-json-1.0", **(headers or {})}
    if operation is not None:
        sent["X-Amz-Target"] = f"AWSStepFunctions.{operation}"
    payload = body if isinstance(body, bytes) else json.dumps(body or {}).encode()
    connection.request(method, path, body=payload if method == "POST" else None, headers=sent)
    response = connection.getresponse()
    raw = response.read()
    connection.close()
    answer = json.loads(raw) if raw else None
    return response.status, {k.lower(): v for k, v in response.getheaders()}, answer


def test_success_headers_and_epoch_timestamps(server: Server) -> None:
    status, headers, body = call(server, "CreateStateMachine",
                                 {"name": unique(), "definition": pass_machine(), "roleArn": ROLE})
    assert status == 200
    assert headers["content-type"].startswith("application/x-amz-json-1.0")
    assert len(headers["x-amzn-requestid"]) == 36
    assert headers["access-control-allow-origin"] == "*"
    assert isinstance(body["creationDate"], float | int)
    assert round(body["creationDate"], 3) == body["creationDate"]


def test_error_body(server: Server) -> None:
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:absent"
    status, headers, body = call(server, "DescribeStateMachine", {"stateMachineArn": arn})
    assert status == 400
    assert "x-amzn-requestid" in headers
    assert body == {
        "__type": "com.amazonaws.swf.service.v2.model#StateMachineDoesNotExist",
        "message": f"State Machine Does Not Exist: '{arn}'",
    }


def test_model_validation(server: Server) -> None:
    status, _, body = call(server, "CreateStateMachine", {"definition": pass_machine()})
    assert status == 400
    assert body["__type"] == "com.amazon.coral.validate#ValidationException"
    assert body["message"] == (
        "2 validation errors detected: Value null at 'name' failed to satisfy constraint: Member "
        "must not be null; Value null at 'roleArn' failed to satisfy constraint: Member must not be null"
    )
    _, _, body = call(server, "ListExecutions", {"stateMachineArn": "x", "nextToken": ""})
    assert body["message"] == (
        "1 validation error detected: Value '' at 'nextToken' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )
    _, _, body = call(server, "StartExecution", {"stateMachineArn": "x", "traceHeader": "é"})
    assert "Member must satisfy regular expression pattern: \\p{ASCII}*" in body["message"]
    status, _, body = call(server, "ListStateMachines", {"maxResults": "ten"})
    assert status == 400
    assert body["__type"].endswith("#SerializationException")


def test_unknown_operation_and_bad_bodies(server: Server) -> None:
    status, _, body = call(server, "NoSuchThing", {})
    assert (status, body["__type"]) == (400, "com.amazon.coral.service#UnknownOperationException")
    status, _, body = call(server, None, {})
    assert (status, body["__type"]) == (400, "com.amazon.coral.service#UnknownOperationException")
    status, _, body = call(server, "ListStateMachines", b"{not json")
    assert (status, body["__type"]) == (400, "com.amazon.coral.service#SerializationException")
    status, _, body = call(server, "ListStateMachines", b"")  # an empty body is an empty request
    assert status == 200 and "stateMachines" in body


def test_region_comes_from_the_signature(server: Server) -> None:
    name = unique()
    signed = {"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20240101/ap-south-1/states/aws4_request, "
                               "SignedHeaders=host;x-amz-date, Signature=00"}
    _, _, body = call(server, "CreateStateMachine",
                      {"name": name, "definition": pass_machine(), "roleArn": ROLE}, headers=signed)
    assert body["stateMachineArn"] == f"arn:aws:states:ap-south-1:123456789012:stateMachine:{name}"
    _, _, body = call(server, "CreateStateMachine", {"name": name, "definition": pass_machine(), "roleArn": ROLE})
    assert body["stateMachineArn"].startswith("arn:aws:states:us-east-1:")


def test_json_1_1_and_any_host(server: Server) -> None:
    status, _, body = call(
        server, "ListStateMachines", {},
        headers={"Content-Type": "application/x-amz-json-1.1", "Host": f"sync-127.0.0.1:{server.port}"},
    )
    assert status == 200 and "stateMachines" in body


def test_cors_preflight(server: Server) -> None:
    status, headers, _ = call(
        server, None, method="OPTIONS",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "x-amz-target, content-type"},
    )
    assert status == 200
    assert headers["access-control-allow-origin"] == "*"
    assert "POST" in headers["access-control-allow-methods"]
    assert "x-amz-target" in headers["access-control-allow-headers"]
    assert "x-amzn-requestid" in headers["access-control-expose-headers"].lower()


def test_health(server: Server) -> None:
    status, _, body = call(server, None, method="GET", path="/health")
    assert status == 200
    assert body["status"] == "ok"
    assert (body["account"], body["region"]) == ("123456789012", "us-east-1")


def test_clock_endpoint(server: Server) -> None:
    status, _, before = call(server, None, method="GET", path="/_stepline/clock")
    assert status == 200 and before["clock"] == "virtual"
    status, _, after = call(server, None, {"advance": 3600}, path="/_stepline/clock")
    assert status == 200
    assert after["now"] - before["now"] >= 3600
    status, _, body = call(server, None, {"advance": -1}, path="/_stepline/clock")
    assert status == 400 and body["__type"] == "ValidationException"
