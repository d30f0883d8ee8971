"""The HTTP Task (``arn:aws:states:::http:invoke``) against a real HTTP endpoint on
127.0.0.1: AWS's parameters, response shape and ``States.Http.*`` errors, run through
``emulator.run_local``.  https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from http_endpoint import CONNECTION, START, Endpoint, run, run_one, task

import asl
from emulator.integrations import TaskCall
from emulator.integrations.http import RESOURCE, HttpInvoke


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    with Endpoint() as running:
        yield running


def test_get_with_query_parameters_answers_aws_response_shape(endpoint: Endpoint) -> None:
    result = run_one(
        {
            "ApiEndpoint": f"{endpoint.url}/echo",
            "Method": "GET",
            "Headers": {"X-Custom": "v", "X-Multi": ["1", 2]},
            "QueryParameters": {
                "currency": "usd",
                "tags": ["a", "b"],
                "note": "two words",
                "n": 5,
                "on": True,
            },
        }
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    output = result.output
    assert list(output) == ["Headers", "ResponseBody", "StatusCode", "StatusText"]
    assert (output["StatusCode"], output["StatusText"]) == (200, "OK")
    assert output["Headers"]["content-type"] == ["application/json"]
    assert output["Headers"]["x-trace"] == ["a", "b"]
    assert all(name == name.lower() for name in output["Headers"])
    body = output["ResponseBody"]
    assert (body["method"], body["path"]) == ("GET", "/echo")
    assert body["query"] == "currency=usd&tags=a&tags=b&note=two%20words&n=5&on=true"
    (request,) = endpoint.requests
    assert request.header("User-Agent") == "Amazon|StepFunctions|HttpInvoke|us-east-1"
    assert request.header("Range") == "bytes=0-262144"
    assert request.header("X-Custom") == "v"
    assert request.header_values("X-Multi") == ["1", "2"]
    assert request.header("Host") == f"127.0.0.1:{endpoint.port}"
    # No body, so no Content-Type; and nothing Step Functions does not send.
    assert request.header("Content-Type") is None and request.header("Accept-Encoding") is None
    assert request.body == b""


def test_post_sends_the_request_body_as_json_and_keeps_a_text_answer(endpoint: Endpoint) -> None:
    result = run_one(
        {
            "ApiEndpoint.$": "States.Format('{}/text', $.base)",
            "Method.$": "$.method",
            "RequestBody": {"Card": {"Number.$": "$.card", "Name": "John Doe"}, "Ok": True},
        },
        {"base": endpoint.url, "method": "POST", "card": "1234567890"},
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert (result.output["StatusCode"], result.output["StatusText"]) == (201, "Created")
    assert result.output["ResponseBody"] == "created"
    (request,) = endpoint.requests
    assert request.method == "POST"
    assert request.header("Content-Type") == "application/json; charset=UTF-8"
    assert request.body == b'{"Card":{"Number":"1234567890","Name":"John Doe"},"Ok":true}'


def test_404_is_caught_as_states_http_status_code_404(endpoint: Endpoint) -> None:
    result = run(
        {
            "Call": task(
                {"ApiEndpoint": f"{endpoint.url}/missing", "Method": "GET"},
                Catch=[
                    {
                        "ErrorEquals": ["States.Http.StatusCode.404"],
                        "ResultPath": "$.error",
                        "Next": "Handled",
                    }
                ],
                End=True,
            ),
            "Handled": {"Type": "Pass", "End": True},
        },
        {"id": 7},
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    # The cause is the status text alone (recorded on AWS; the body is not kept).
    assert result.output == {
        "id": 7,
        "error": {"Error": "States.Http.StatusCode.404", "Cause": "Not Found"},
    }


def test_an_uncaught_status_fails_the_execution_with_a_task_failed_event(
    endpoint: Endpoint,
) -> None:
    result = run_one({"ApiEndpoint": f"{endpoint.url}/missing", "Method": "DELETE"})
    assert (result.status, result.error, result.cause) == (
        "FAILED",
        "States.Http.StatusCode.404",
        "Not Found",
    )
    failed = next(e for e in result.history() if e["type"] == "TaskFailed")[
        "taskFailedEventDetails"
    ]
    assert failed == {
        "resourceType": "http",
        "resource": "invoke",
        "error": "States.Http.StatusCode.404",
        "cause": "Not Found",
    }
    scheduled = next(e for e in result.history() if e["type"] == "TaskScheduled")[
        "taskScheduledEventDetails"
    ]
    assert json.loads(scheduled["parameters"])["Authentication"] == {"ConnectionArn": CONNECTION}


def test_retry_on_503_then_success(endpoint: Endpoint) -> None:
    endpoint.flaky_failures = 2
    result = run_one(
        {"ApiEndpoint": f"{endpoint.url}/flaky", "Method": "GET"},
        Retry=[
            {"ErrorEquals": ["States.Http.StatusCode.503"], "IntervalSeconds": 1, "MaxAttempts": 3}
        ],
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output["ResponseBody"] == {"ok": True}
    assert [r.path for r in endpoint.requests] == ["/flaky"] * 3
    types = [e["type"] for e in result.history()]
    assert types.count("TaskFailed") == 2 and types.count("TaskSucceeded") == 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_connection_refused_is_states_http_socket() -> None:
    port = free_port()
    result = run(
        {
            "Call": task(
                {"ApiEndpoint": f"http://127.0.0.1:{port}/x", "Method": "GET"},
                Catch=[{"ErrorEquals": ["States.Http.Socket"], "Next": "Handled"}],
                End=True,
            ),
            "Handled": {"Type": "Pass", "End": True},
        }
    )
    assert result.status == "SUCCEEDED"
    assert result.output["Error"] == "States.Http.Socket"
    assert result.output["Cause"] == f"Connection refused: 127.0.0.1:{port}"


def test_the_request_limit_fails_a_slow_endpoint_with_states_http_socket(
    endpoint: Endpoint,
) -> None:
    endpoint.slow_seconds = 2.0
    effect = asl.InvokeTask(
        "t1",
        RESOURCE,
        {
            "ApiEndpoint": f"{endpoint.url}/slow",
            "Method": "GET",
            "InvocationConfig": {"ConnectionArn": CONNECTION},
        },
        "Call",
    )
    _, outcome = HttpInvoke(limit_seconds=0.5).call(TaskCall(effect, START))
    assert isinstance(outcome, asl.TaskFailed)
    assert outcome.error == "States.Http.Socket"
    assert "timed out after 0.5 seconds" in outcome.cause


@pytest.mark.parametrize(
    "header",
    ["Authorization", "host", "x-amz-date", "X-Forwarded-For", "X-Amzn-Trace-Id", "Cache-Control"],
)
def test_forbidden_headers_fail_with_states_runtime_before_any_request(
    endpoint: Endpoint, header: str
) -> None:
    # States.Runtime is not caught, even by States.ALL.
    result = run(
        {
            "Call": task(
                {"ApiEndpoint": f"{endpoint.url}/echo", "Method": "GET", "Headers": {header: "x"}},
                Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Never"}],
                End=True,
            ),
            "Never": {"Type": "Pass", "End": True},
        }
    )
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert f"The header '{header}' is not allowed" in (result.cause or "")
    assert endpoint.requests == []


def test_user_agent_and_range_are_set_by_step_functions(endpoint: Endpoint) -> None:
    result = run_one(
        {
            "ApiEndpoint": f"{endpoint.url}/echo",
            "Method": "GET",
            "Headers": {"User-Agent": "mine", "range": "bytes=0-1"},
        }
    )
    assert result.status == "SUCCEEDED"
    (request,) = endpoint.requests
    assert request.header_values("User-Agent") == ["Amazon|StepFunctions|HttpInvoke|us-east-1"]
    assert request.header_values("Range") == ["bytes=0-262144"]


@pytest.mark.parametrize(
    ("parameters", "cause"),
    [
        ({"Method": "GET"}, "The field 'ApiEndpoint' is required but was missing"),
        ({"ApiEndpoint": "{url}/echo"}, "The field 'Method' is required but was missing"),
        ({"ApiEndpoint": "{url}/echo", "Method": "FETCH"}, "The value 'FETCH' of the field 'Method' is not one of"),
        ({"ApiEndpoint": "{url}/echo", "Method": "get"}, "The value 'get' of the field 'Method' is not one of"),
        ({"ApiEndpoint": "http://127.0.0.1:port/x", "Method": "GET"}, "has an invalid port"),
        ({"ApiEndpoint": "ftp://example.com/x", "Method": "GET"}, "is not an https:// (or http://) URL"),
        ({"ApiEndpoint": "{url}/echo", "Method": "GET", "Body": {}}, "The field 'Body' is not supported"),
        (
            {"ApiEndpoint": "{url}/echo", "Method": "POST", "RequestBody": {"a": [{"b": 1}]},
             "Transform": {"RequestBodyEncoding": "URL_ENCODED", "RequestEncodingOptions": {"ArrayFormat": "COMMAS"}}},
            "which the COMMAS ArrayFormat cannot encode",
        ),
        (
            {"ApiEndpoint": "{url}/echo", "Method": "GET", "Transform": {"RequestBodyEncoding": "GZIP"}},
            "of 'RequestBodyEncoding' is not one of NONE, URL_ENCODED",
        ),
        ({"ApiEndpoint": "{url}/echo", "Method": "GET", "QueryParameters": {"a": {"b": 1}}}, "The query parameter 'a'"),
    ],
)  # fmt: skip
def test_malformed_parameters_fail_with_states_runtime(
    endpoint: Endpoint, parameters: dict[str, Any], cause: str
) -> None:
    parameters = {
        k: v.format(url=endpoint.url) if isinstance(v, str) else v for k, v in parameters.items()
    }
    result = run_one(parameters)
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert cause in (result.cause or "")
    assert endpoint.requests == []


def test_the_connection_arn_is_required(endpoint: Endpoint) -> None:
    states = {
        "Call": {
            "Type": "Task",
            "Resource": RESOURCE,
            "Parameters": {"ApiEndpoint": f"{endpoint.url}/echo", "Method": "GET"},
            "End": True,
        }
    }
    result = run(states)
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert "'Authentication' (or 'InvocationConfig') with a 'ConnectionArn' is required" in (
        result.cause or ""
    )


@pytest.mark.parametrize(("path", "media"), [("/image", "image/png")])
def test_unsupported_content_types_fail_with_states_runtime(
    endpoint: Endpoint, path: str, media: str
) -> None:
    result = run_one({"ApiEndpoint": f"{endpoint.url}{path}", "Method": "GET"})
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert f"content type '{media}'" in (result.cause or "")


def test_a_body_that_is_no_text_fails_and_a_declared_charset_is_read(endpoint: Endpoint) -> None:
    failed = run_one({"ApiEndpoint": f"{endpoint.url}/binary", "Method": "GET"})
    assert (failed.status, failed.error) == ("FAILED", "States.Runtime")
    assert failed.cause == "The HTTP response body can't be read as a valid string"
    latin = run_one({"ApiEndpoint": f"{endpoint.url}/latin", "Method": "GET"})
    assert latin.output["ResponseBody"] == "café"


def test_redirects_are_not_followed(endpoint: Endpoint) -> None:
    result = run_one({"ApiEndpoint": f"{endpoint.url}/redirect", "Method": "GET"})
    assert (result.status, result.error, result.cause) == (
        "FAILED",
        "States.Http.StatusCode.302",
        "Found",
    )
    assert [r.path for r in endpoint.requests] == ["/redirect"]


def test_head_answers_an_empty_body(endpoint: Endpoint) -> None:
    result = run_one({"ApiEndpoint": f"{endpoint.url}/echo", "Method": "HEAD"})
    assert result.status == "SUCCEEDED"
    assert (result.output["StatusCode"], result.output["ResponseBody"]) == (200, "")


def test_jsonata_arguments_call_the_endpoint(endpoint: Endpoint) -> None:
    states = {
        "Call": {
            "Type": "Task",
            "QueryLanguage": "JSONata",
            "Resource": RESOURCE,
            "Arguments": {
                "ApiEndpoint": "{% $states.input.base & '/echo' %}",
                "Method": "POST",
                "InvocationConfig": {"ConnectionArn": CONNECTION},
                "RequestBody": {"sum": "{% 1 + 2 %}"},
            },
            "Output": "{% $states.result.ResponseBody.body %}",
            "End": True,
        }
    }
    result = run(states, {"base": endpoint.url})
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == '{"sum":3}'


def test_only_http_invoke_exists() -> None:
    states = {
        "Call": {
            **task({"ApiEndpoint": "https://example.com", "Method": "GET"}),
            "Resource": f"{RESOURCE}.waitForTaskToken",
            "End": True,
        }
    }
    result = run(states)
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert "request-response pattern only" in (result.cause or "")


def test_non_ascii_paths_are_percent_encoded_and_header_values_sent_as_utf8(
    endpoint: Endpoint,
) -> None:
    result = run_one(
        {
            "ApiEndpoint": f"{endpoint.url}/echo/café au lait",
            "Method": "GET",
            "Headers": {"X-Name": "café"},
        }
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    (request,) = endpoint.requests
    assert request.path == "/echo/caf%C3%A9%20au%20lait"
    # http.server reads header bytes as Latin-1.
    assert request.header("X-Name") == "café".encode().decode("latin-1")


def test_an_answer_past_the_payload_quota_fails_with_data_limit_exceeded(
    endpoint: Endpoint,
) -> None:
    result = run_one({"ApiEndpoint": f"{endpoint.url}/big", "Method": "GET"})
    assert (result.status, result.error) == ("FAILED", "States.DataLimitExceeded")


def test_a_failed_tls_handshake_is_states_http_socket(endpoint: Endpoint) -> None:
    # https:// to a plain HTTP server: the handshake cannot succeed.
    url = endpoint.url.replace("http://", "https://")
    result = run_one({"ApiEndpoint": f"{url}/echo", "Method": "GET"})
    assert (result.status, result.error) == ("FAILED", "States.Http.Socket")
    assert (result.cause or "").startswith(f"TLS with 127.0.0.1:{endpoint.port} failed")
