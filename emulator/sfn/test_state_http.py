"""TestState at TRACE for an HTTP Task: the raw request sent and the response received.

https://docs.aws.amazon.com/step-functions/latest/apireference/API_InspectionDataRequest.html
https://docs.aws.amazon.com/step-functions/latest/apireference/API_InspectionDataResponse.html
"TRACE: Shows the HTTP request and response for an HTTP Task."  Without ``revealSecrets`` the
data an EventBridge connection adds to the request (its headers, query parameters and body
fields) is left out; "Step Functions doesn't omit any information included in the state
definition or the HTTP response" (API_TestState.html, revealSecrets).

The call goes through the HTTP Task integration's own steps (emulator.integrations.http):
building the request from the parameters, sending it, reading the answer into the task's
result.  The headers are reported as a JSON object of name to value (several values of one
name joined with ", "); AWS documents these members as strings without showing their layout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from asl import jsontext
from emulator.handlers import TaskFailure
from emulator.integrations.http import RESOURCE, HttpResponse, send, task_result
from emulator.integrations.http_connections import resolve
from emulator.integrations.http_encoding import join
from emulator.integrations.http_errors import HttpTaskError
from emulator.integrations.http_request import HttpRequest, build_request

PROTOCOL = "HTTP/1.1"  # what the integration's http.client speaks


def is_http_task(state: dict[str, Any]) -> bool:
    return state.get("Type") == "Task" and state.get("Resource") == RESOURCE


@dataclass
class HttpTrace:
    """Plays the HTTP Task for one test and keeps what went over the wire."""

    region: str
    reveal_secrets: bool
    request: dict[str, str] | None = None
    response: dict[str, str] | None = None

    def handler(self) -> Callable[[Any], Any]:
        def call(parameters: Any) -> Any:
            try:
                request = build_request(parameters, self.region)
                self.request = self._request(request)
                answer = send(request)
                self.response = _response(answer)
                return task_result(answer)
            except HttpTaskError as exc:
                raise TaskFailure(exc.error, exc.cause) from None

        return call

    def _request(self, request: HttpRequest) -> dict[str, str]:
        headers, url, body = request.headers, request.url, request.body
        if not self.reveal_secrets:
            connection = resolve(request.connection_arn)
            if connection is not None:
                secret = set(connection.headers)
                headers = [pair for pair in headers if pair not in secret]
                url = _without_query(url, set(connection.query))
                body = _without_fields(body, {name for name, _ in connection.body})
        out = {"protocol": PROTOCOL, "method": request.method, "url": url,
               "headers": _headers(headers)}  # fmt: skip
        if body is not None:
            out["body"] = body.decode("utf-8", "replace")
        return out


def _response(answer: HttpResponse) -> dict[str, str]:
    return {
        "protocol": PROTOCOL,
        "statusCode": str(answer.status),
        "statusMessage": answer.reason,
        "headers": _headers(answer.headers),
        "body": answer.body.decode("utf-8", "replace"),
    }


def _headers(pairs: list[tuple[str, str]]) -> str:
    merged: dict[str, str] = {}
    for name, value in pairs:
        merged[name] = f"{merged[name]}, {value}" if name in merged else value
    return jsontext.dumps(merged)


def _without_query(url: str, secret: set[tuple[str, str]]) -> str:
    if not secret or "?" not in url:
        return url
    base, query = url.split("?", 1)
    kept = [pair for pair in parse_qsl(query, keep_blank_values=True) if pair not in secret]
    return f"{base}?{join(kept)}" if kept else base


def _without_fields(body: bytes | None, secret: set[str]) -> bytes | None:
    if body is None or not secret:
        return body
    try:
        value = jsontext.loads(body.decode())
    except ValueError:
        pairs = parse_qsl(body.decode(), keep_blank_values=True)
        return join([pair for pair in pairs if pair[0] not in secret]).encode()
    if isinstance(value, dict):
        return jsontext.dumps_bytes({k: v for k, v in value.items() if k not in secret})
    return body
