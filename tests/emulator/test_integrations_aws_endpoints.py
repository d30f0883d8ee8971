"""Where AWS calls go: Step Functions Local's endpoint variables and Stepline's, a separately
started moto server as the target, an endpoint that does not answer, and Lambda functions
invoked on LAMBDA_ENDPOINT (a small Lambda Invoke API served by the test)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aws_services import aws, queue, run, task, unique

from emulator.integrations import endpoints

VARIABLES = ("SQS_ENDPOINT", "SNS_ENDPOINT", "DYNAMODB_ENDPOINT", "EVENTBRIDGE_ENDPOINT",
             "S3_ENDPOINT", "LAMBDA_ENDPOINT", "STEPLINE_AWS_ENDPOINT",
             "STEPLINE_SECRETSMANAGER_ENDPOINT")  # fmt: skip


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def other_moto() -> Iterator[str]:
    """A moto server in its own process: moto's backends are per process, so a server started
    in this one would share the data of Stepline's own."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the moto server did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_precedence_of_the_endpoint_variables() -> None:
    environ = {"SQS_ENDPOINT": "http://a", "STEPLINE_SQS_ENDPOINT": "http://b",
               "STEPLINE_AWS_ENDPOINT": "http://c"}  # fmt: skip
    assert endpoints.configured("sqs", environ) == "http://a"
    assert endpoints.configured("sqs", {**environ, "SQS_ENDPOINT": ""}) == "http://b"
    assert endpoints.configured("events", {"EVENTBRIDGE_ENDPOINT": "http://e"}) == "http://e"
    assert endpoints.configured("secretsmanager", environ) == "http://c"
    assert endpoints.configured("secretsmanager", {}) is None
    aws_itself = endpoints.target("s3", {"S3_ENDPOINT": "aws"})
    assert aws_itself.url is None and not aws_itself.moto
    assert endpoints.target("s3", {"S3_ENDPOINT": "http://x:1/"}).url == "http://x:1"


def test_default_target_is_the_in_process_moto_server() -> None:
    target = endpoints.target("sqs", {})
    assert target.moto and target.url == endpoints.moto_url()
    assert target.url.startswith("http://127.0.0.1:")


def test_sqs_endpoint_sends_to_that_server(
    other_moto: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = queue(other_moto)  # this queue exists on the other server only
    monkeypatch.setenv("SQS_ENDPOINT", other_moto)
    result = run(task("arn:aws:states:::sqs:sendMessage", {"QueueUrl": url, "MessageBody": "hi"}))
    assert result.status == "SUCCEEDED", result.cause
    [message] = aws("sqs", other_moto).receive_message(QueueUrl=url)["Messages"]
    assert message["Body"] == "hi"
    monkeypatch.delenv("SQS_ENDPOINT")
    again = run(task("arn:aws:states:::sqs:sendMessage", {"QueueUrl": url, "MessageBody": "hi"}))
    assert again.error == "SQS.QueueDoesNotExistException"  # the default server has no such queue


def test_generic_and_per_service_variables_reach_sdk_services(
    other_moto: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = unique("secret")
    aws("secretsmanager", other_moto).create_secret(Name=name, SecretString="s3cr3t")
    monkeypatch.setenv("STEPLINE_AWS_ENDPOINT", other_moto)
    get = task("arn:aws:states:::aws-sdk:secretsmanager:getSecretValue", {"SecretId": name})
    result = run(get)
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["SecretString"] == "s3cr3t"
    assert result.output["Name"] == name
    monkeypatch.setenv("STEPLINE_SECRETSMANAGER_ENDPOINT", endpoints.moto_url())
    missing = run(get)
    assert missing.error == "SecretsManager.ResourceNotFoundException"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_endpoint_that_does_not_answer_is_an_sdk_client_exception(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DYNAMODB_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    result = run(task("arn:aws:states:::dynamodb:getItem",
                      {"TableName": "t", "Key": {"id": {"S": "a"}}}))  # fmt: skip
    assert result.error == "DynamoDB.SdkClientException"
    assert (result.cause or "").startswith("Unable to execute HTTP request: ")


class LambdaApi(BaseHTTPRequestHandler):
    """Lambda's Invoke operation for four functions (Shout, Context, Fails, Slow); others do
    not exist."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        # /2015-03-31/functions/NAME/invocations, NAME a name or an ARN, URL-encoded
        parts = [urllib.parse.unquote(p) for p in self.path.split("?")[0].split("/")]
        name = parts[3].split(":")[6] if parts[3].startswith("arn:") else parts[3]
        event = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"null")
        headers = {"x-amzn-RequestId": "req-1", "X-Amz-Executed-Version": "$LATEST"}
        if name == "Shout":
            status, body = 200, {"said": str(event["text"]).upper()}
        elif name == "Context":  # what the function's context would be given
            status, body = 200, {"client_context": self.headers.get("X-Amz-Client-Context")}
        elif name == "Fails":
            status, body = 200, {"errorMessage": "boom", "errorType": "ValueError",
                                 "stackTrace": ["  File x"]}  # fmt: skip
            headers["X-Amz-Function-Error"] = "Unhandled"
        elif name == "Slow":
            status, body = 200, {"errorMessage": "Task timed out after 3.00 seconds"}
            headers["X-Amz-Function-Error"] = "Unhandled"
        else:
            status = 404
            body = {"Type": "User", "message": f"Function not found: {parts[3]}"}
            headers["x-amzn-ErrorType"] = "ResourceNotFoundException"
        data = json.dumps(body).encode()
        self.send_response(status)
        for key, value in {**headers, "Content-Type": "application/json"}.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def lambda_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), LambdaApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("LAMBDA_ENDPOINT", url)
    try:
        yield url
    finally:
        server.shutdown()
        thread.join()


FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:"


def test_lambda_endpoint_answers_function_tasks_without_handlers(lambda_endpoint: str) -> None:
    direct = run(task(FUNCTION + "Shout", {"text": "hey"}))
    assert direct.status == "SUCCEEDED", direct.cause
    assert direct.output == {"said": "HEY"}
    invoke = run(task("arn:aws:states:::lambda:invoke",
                      {"FunctionName": "Shout", "Payload": {"text": "ho"}}))  # fmt: skip
    assert invoke.status == "SUCCEEDED", invoke.cause
    assert invoke.output["Payload"] == {"said": "HO"}
    assert invoke.output["StatusCode"] == 200
    assert invoke.output["ExecutedVersion"] == "$LATEST"
    assert invoke.output["SdkResponseMetadata"] == {"RequestId": "req-1"}
    assert invoke.output["SdkHttpMetadata"]["HttpHeaders"]["x-amzn-RequestId"] == "req-1"


def test_lambda_endpoint_receives_the_client_context(lambda_endpoint: str) -> None:
    encoded = "eyJjdXN0b20iOnsiYSI6MX19"  # {"custom":{"a":1}}
    result = run(task("arn:aws:states:::lambda:invoke",
                      {"FunctionName": "Context", "Payload": {}, "ClientContext": encoded}))  # fmt: skip
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["Payload"] == {"client_context": encoded}


def test_lambda_endpoint_function_errors_are_named_by_their_type(lambda_endpoint: str) -> None:
    failed = run(task(FUNCTION + "Fails", {}))
    assert failed.error == "ValueError"
    assert json.loads(failed.cause or "") == {
        "errorMessage": "boom", "errorType": "ValueError", "stackTrace": ["  File x"]}  # fmt: skip
    slow = run(task("arn:aws:states:::lambda:invoke", {"FunctionName": "Slow", "Payload": {}}))
    assert slow.error == "Lambda.Unknown"
    assert "Task timed out" in (slow.cause or "")


def test_lambda_endpoint_missing_function(lambda_endpoint: str) -> None:
    result = run(task(FUNCTION + "Nobody", {}))
    assert result.error == "Lambda.ResourceNotFoundException"
    assert result.cause == (
        f"Function not found: {FUNCTION}Nobody (Service: AWSLambda; Status Code: 404; "
        "Error Code: ResourceNotFoundException; Request ID: req-1; Proxy: null)"
    )


def test_without_lambda_endpoint_a_missing_handler_is_not_found() -> None:
    result = run(task(FUNCTION + "Shout", {"text": "x"}))
    assert result.error == "Lambda.ResourceNotFoundException"
    assert "(Service: AWSLambda; Status Code: 404;" in (result.cause or "")
