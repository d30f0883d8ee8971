"""EventBridge connections declared in ``STEPLINE_HTTP_CONNECTIONS``: their authorization and
invocation parameters join the HTTP Task's request, and win on clashes, as on AWS.
https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html#http-task-data-merge
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from http_endpoint import CONNECTION, Endpoint, run_one

from emulator.integrations.http_connections import CONNECTIONS_ENV


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    with Endpoint() as running:
        yield running


def write_connections(tmp_path: Path, connections: Any) -> str:
    path = tmp_path / "connections.json"
    path.write_text(json.dumps(connections), encoding="utf-8")
    return str(path)


def test_a_declared_connection_adds_its_auth_and_wins_on_clashes(
    endpoint: Endpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The data-merging example of call-https-apis.html#http-task-data-merge.
    connection = {
        "AuthorizationType": "BASIC",
        "AuthParameters": {
            "BasicAuthParameters": {"Username": "user", "Password": "pass"},
            "InvocationHttpParameters": {
                "BodyParameters": [{"Key": "BodyParam", "Value": "connection_body_param"}],
                "HeaderParameters": [{"Key": "Header-Param", "Value": "connection_header_param"}],
                "QueryStringParameters": [{"Key": "QueryParam", "Value": "connection_query_param"}],
            },
        },
    }
    monkeypatch.setenv(CONNECTIONS_ENV, write_connections(tmp_path, {CONNECTION: connection}))
    result = run_one(
        {
            "ApiEndpoint": f"{endpoint.url}/echo",
            "Method": "GET",
            "Headers": {
                "Request-Id": "my_request_id",
                "header-param": "state_machine_header_param",
            },
            "RequestBody": {
                "Job": "Software Engineer",
                "Company": "AnyCompany",
                "BodyParam": "state_machine_body_param",
            },
            "QueryParameters": {"QueryParam": "state_machine_query_param"},
        }
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    (request,) = endpoint.requests
    assert request.query == "QueryParam=connection_query_param"
    assert request.header("Authorization") == "Basic dXNlcjpwYXNz"
    assert request.header_values("Header-Param") == ["connection_header_param"]
    assert request.header("Request-Id") == "my_request_id"
    assert json.loads(request.body) == {
        "Job": "Software Engineer",
        "Company": "AnyCompany",
        "BodyParam": "connection_body_param",
    }


def test_api_key_connection_and_unknown_or_unmergeable_connections(
    endpoint: Endpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = {
        "AuthorizationType": "API_KEY",
        "AuthParameters": {
            "ApiKeyAuthParameters": {"ApiKeyName": "Authorization", "ApiKeyValue": "Bearer t0ken"},
            "InvocationHttpParameters": {"BodyParameters": [{"Key": "k", "Value": "v"}]},
        },
    }
    monkeypatch.setenv(CONNECTIONS_ENV, write_connections(tmp_path, {CONNECTION: key}))
    ok = run_one({"ApiEndpoint": f"{endpoint.url}/echo", "Method": "POST"})
    assert ok.status == "SUCCEEDED", (ok.error, ok.cause)
    assert endpoint.requests[0].header("Authorization") == "Bearer t0ken"
    assert endpoint.requests[0].body == b'{"k":"v"}'

    text = run_one(
        {"ApiEndpoint": f"{endpoint.url}/echo", "Method": "POST", "RequestBody": "plain"}
    )
    assert (text.status, text.error) == ("FAILED", "States.Runtime")
    assert "cannot be merged" in (text.cause or "")

    other = CONNECTION.replace("Local", "Other")
    unknown = run_one(
        {
            "ApiEndpoint": f"{endpoint.url}/echo",
            "Method": "GET",
            "Authentication": {"ConnectionArn": other},
        }
    )
    assert (unknown.status, unknown.error) == (
        "FAILED",
        "Events.ConnectionResource.ResourceNotFound",
    )
    assert len(endpoint.requests) == 1


@pytest.mark.parametrize(
    ("content", "cause"),
    [
        (
            {CONNECTION: {"AuthorizationType": "OAUTH_CLIENT_CREDENTIALS", "AuthParameters": {}}},
            "uses OAUTH_CLIENT_CREDENTIALS, which Stepline does not support yet",
        ),
        (
            {CONNECTION: {"AuthorizationType": "BASIC", "AuthParameters": {}}},
            "BasicAuthParameters needs Username and Password",
        ),
        ([CONNECTION], "must hold a JSON object of connection ARNs"),
    ],
)
def test_connections_stepline_cannot_use_fail_with_states_runtime(
    endpoint: Endpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: Any, cause: str
) -> None:
    monkeypatch.setenv(CONNECTIONS_ENV, write_connections(tmp_path, content))
    result = run_one({"ApiEndpoint": f"{endpoint.url}/echo", "Method": "GET"})
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert cause in (result.cause or "")
    assert endpoint.requests == []
