"""TestState's checks through boto3 against ``stepline serve``: mocked results against the
services' API models, refused requests and context objects, an HTTP Task's request and
response at TRACE, and the conformance cases of conformance/cases/test-state.

Expected messages are AWS's recorded ones (LocalStack tests/aws/services/stepfunctions/v2/
test_state/*.snapshot.json)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from serving import ROLE, ROOT
from test_api_test_state import LAMBDA, MAP, PARALLEL, refused, run

CONNECTION = "arn:aws:events:us-east-1:123456789012:connection/Local/0a1b2c3d"

# ------------------------------------------------------------------ field validation


SFN_START = {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
             "Parameters": {"StateMachineArn": "arn", "Input": {}}, "End": True}  # fmt: skip


@pytest.mark.parametrize(("mode", "result", "message"), [
    ("STRICT", {}, "Required field 'ExecutionArn' is missing"),
    ("STRICT", {"executionArn": "a", "startDate": "b"}, "Required field 'ExecutionArn' is missing"),
    ("STRICT", {"ExecutionArn": "a", "StartDate": True}, "Field 'StartDate' must be a string"),
    ("PRESENT", {"ExecutionArn": 7}, "Field 'ExecutionArn' must be a string"),
])  # fmt: skip
def test_mock_result_checked_against_the_api_model(
    sfn: Any, mode: str, result: Any, message: str
) -> None:
    mock = {"result": json.dumps(result), "fieldValidationMode": mode}
    assert refused(sfn, SFN_START, {}, mock=mock) == (
        "ValidationException", "Mock result schema validation error: " + message)  # fmt: skip


def test_field_validation_modes_that_accept(sfn: Any) -> None:
    present = run(sfn, SFN_START, {}, mock={"result": "{}", "fieldValidationMode": "PRESENT"})
    assert (present["status"], present["output"]) == ("SUCCEEDED", "{}")
    none = run(
        sfn, SFN_START, {}, mock={"result": '{"ExecutionArn": 7}', "fieldValidationMode": "NONE"}
    )
    assert json.loads(none["output"]) == {"ExecutionArn": 7}
    unknown = run(sfn, {**SFN_START, "Resource": "arn:aws:states:::events:putEvents"}, {},
                  mock={"result": '{"random": "json"}'})  # fmt: skip
    assert json.loads(unknown["output"]) == {"random": "json"}
    nested = {"result": json.dumps({"Entries": [{"EventId": "a"}, {"EventId": ["b"]}]})}
    assert refused(sfn, {**SFN_START, "Resource": "arn:aws:states:::events:putEvents"}, {}, mock=nested) == (
        "ValidationException", "Mock result schema validation error: Field 'EventId' must be a string")  # fmt: skip
    s3 = {**SFN_START, "Resource": "arn:aws:states:::aws-sdk:s3:getObject"}
    assert refused(sfn, s3, {}, mock={"result": '{"StorageClass": "Papyrus"}'})[1] == (
        "Mock result schema validation error: Field 'StorageClass' is not an expected value")  # fmt: skip


# ------------------------------------------------------------------ request validation


@pytest.mark.parametrize("kind", ["Pass", "Fail", "Succeed"])
def test_mock_refused_for_states_without_a_task(sfn: Any, kind: str) -> None:
    state: dict[str, Any] = {"Type": kind}
    if kind == "Pass":
        state["End"] = True
    assert refused(sfn, state, {}, mock={"result": "{}"}) == (
        "ValidationException", f"State type '{kind}' is not supported when a mock is specified")  # fmt: skip


def test_request_errors(sfn: Any) -> None:
    for state in (MAP, PARALLEL):
        assert refused(sfn, state, {}) == ("InvalidDefinition",
            "TestState API does not support Map or Parallel states. Supported state types "
            "include: [Task, Wait, Pass, Succeed, Fail, Choice]")  # fmt: skip
    task = {"Type": "Task", "Resource": LAMBDA, "End": True}
    assert refused(sfn, task, {}) == (
        "ValidationException",
        "RoleArn must be specified when testing a Task state",
    )
    both = {"result": "{}", "errorOutput": {"error": "E"}}
    assert refused(sfn, task, {}, mock=both) == (
        "ValidationException", "A test mock should have only one of the following fields: [result, errorOutput].")  # fmt: skip
    assert refused(sfn, task, {}, mock={"result": "{}"}, revealSecrets=True) == (
        "ValidationException", "TestState does not support RevealSecrets when a mock is specified.")  # fmt: skip
    assert refused(sfn, MAP, {"Values": [1]}, mock={"result": "{}"}) == (
        "ValidationException", "Mocked result must be an array.")  # fmt: skip
    assert refused(sfn, PARALLEL, {}, mock={"result": "[1]"}) == (
        "ValidationException",
        "Mocked result must contain the same number of items as number of Parallel branches.")  # fmt: skip
    assert refused(sfn, {"Type": "Pass", "Next": 3}, {})[0] == "InvalidDefinition"


@pytest.mark.parametrize(("context", "message"), [
    ({"Execution": {"Id": 1}}, "Execution.Id must be a string"),
    ({"Map": {}}, "'Map' field is not supported when mocking a Context object"),
    ({"Execution": {"pokemon": "squirtle"}}, "Field 'pokemon' is not allowed"),
    ({"Pokedex": {}}, "Field 'Pokedex' is not allowed"),
    ({"Task": {"Token": "t"}}, "Context object contains 'Task' when state is not a Task state with "
                               "a '.sync' or '.waitForTaskToken' service integration pattern"),
])  # fmt: skip
def test_context_validation(sfn: Any, context: Any, message: str) -> None:
    task = {"Type": "Task", "Resource": LAMBDA, "End": True}
    assert refused(sfn, task, {}, context=json.dumps(context), mock={"result": "{}", "fieldValidationMode": "NONE"}) == (
        "ValidationException", "Invalid Context object provided: " + message)  # fmt: skip


# ------------------------------------------------------------------ HTTP Task at TRACE


class _Reply(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        sent = json.loads(self.rfile.read(length) or b"null")
        body = json.dumps({"got": sent}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Reply", "yes")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_http_task_request_and_response_at_trace(sfn: Any) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Reply)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/approve"
        state = {"Type": "Task", "Resource": "arn:aws:states:::http:invoke", "End": True,
                 "Parameters": {"ApiEndpoint": url, "Method": "POST", "RequestBody": {"cost.$": "$.cost"},
                                "Authentication": {"ConnectionArn": CONNECTION}}}  # fmt: skip
        response = run(sfn, state, {"cost": 10}, roleArn=ROLE, inspectionLevel="TRACE")
        assert response["status"] == "SUCCEEDED"
        assert json.loads(response["output"])["ResponseBody"] == {"got": {"cost": 10}}
        sent, answer = response["inspectionData"]["request"], response["inspectionData"]["response"]
        assert (sent["method"], sent["url"], json.loads(sent["body"])) == (
            "POST",
            url,
            {"cost": 10},
        )
        assert json.loads(sent["headers"])["Content-Type"].startswith("application/json")
        assert (answer["statusCode"], answer["statusMessage"]) == ("200", "OK")
        assert json.loads(answer["body"]) == {"got": {"cost": 10}}
        assert json.loads(answer["headers"])["X-Reply"] == "yes"
        debug = run(sfn, state, {"cost": 10}, roleArn=ROLE, inspectionLevel="DEBUG")
        assert (
            "request" not in debug["inspectionData"] and "response" not in debug["inspectionData"]
        )
        assert json.loads(debug["inspectionData"]["result"])["StatusCode"] == 200
    finally:
        server.shutdown()
        server.server_close()


def test_conformance_cases_against_the_server(server: Any) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "--feature", "test-state", "--endpoint", server.endpoint],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == "32 passed, 0 failed"


def test_activity_task_needs_a_mock(sfn: Any) -> None:
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:us-east-1:123456789012:activity:Work",
        "End": True,
    }
    assert refused(sfn, state, {}, roleArn=ROLE)[0] == "ValidationException"
    response = run(sfn, state, {}, mock={"result": '{"done": true}'})
    assert (response["status"], json.loads(response["output"])) == ("SUCCEEDED", {"done": True})


def test_lambda_payload_object_needs_validation_mode_none(sfn: Any) -> None:
    state = {"Type": "Task", "Resource": LAMBDA, "Arguments": {"FunctionName": "f"},
             "QueryLanguage": "JSONata", "End": True}  # fmt: skip
    result = json.dumps({"StatusCode": 200, "Payload": {"body": "ok"}})
    assert refused(sfn, state, {}, mock={"result": result}) == (
        "ValidationException", "Mock result schema validation error: Field 'Payload' must be a string")  # fmt: skip
    response = run(sfn, state, {}, mock={"result": result, "fieldValidationMode": "NONE"})
    assert json.loads(response["output"])["Payload"] == {"body": "ok"}
