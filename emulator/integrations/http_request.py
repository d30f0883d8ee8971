"""An HTTP Task's parameters turned into the request Step Functions sends.

``ApiEndpoint`` and ``Method`` are required, and so is the EventBridge connection, given as
``Authentication.ConnectionArn`` or ``InvocationConfig.ConnectionArn`` (see
:mod:`emulator.integrations.http_connections`); ``Headers``, ``QueryParameters``,
``RequestBody`` and ``Transform`` are optional.  A parameter Step Functions refuses, or one
Stepline cannot honour, fails the task with ``States.Runtime`` before anything is sent.

https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html#connect-http-task-fields
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from asl import jsontext
from emulator.integrations.http_connections import Connection, resolve
from emulator.integrations.http_encoding import (
    ARRAY_FORMATS,
    DEFAULT_ARRAY_FORMAT,
    form_body,
    join,
    query_pairs,
    scalar_text,
)
from emulator.integrations.http_errors import runtime

# "You can specify one of these methods in your HTTP Task: GET, POST, PUT, DELETE, PATCH,
# OPTIONS, or HEAD."
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD")
# "Step Functions sets the User-Agent, Range, and Host headers": Range: bytes=0-262144.
RANGE = "bytes=0-262144"
JSON_CONTENT_TYPE = "application/json; charset=UTF-8"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
FIELDS = frozenset(
    {
        "ApiEndpoint",
        "Method",
        "Authentication",
        "InvocationConfig",
        "Headers",
        "QueryParameters",
        "RequestBody",
        "Transform",
    }
)
# "You can't use the following headers in your HTTP Task definition. If you use these headers,
# the HTTP Task fails with the States.Runtime error."
FORBIDDEN_HEADERS = frozenset(
    name.lower()
    for name in (
        "A-IM", "Accept-Charset", "Accept-Datetime", "Accept-Encoding", "Authorization",
        "Cache-Control", "Connection", "Content-Encoding", "Content-MD5", "Date", "Expect",
        "Forwarded", "From", "Host", "HTTP2-Settings", "If-Match", "If-Modified-Since",
        "If-None-Match", "If-Range", "If-Unmodified-Since", "Max-Forwards", "Origin", "Pragma",
        "Proxy-Authorization", "Referer", "Server", "TE", "Trailer", "Transfer-Encoding",
        "Upgrade", "Via", "Warning",
    )
)  # fmt: skip
FORBIDDEN_PREFIXES = ("x-forwarded-", "x-amz-", "x-amzn-")
# Set by Step Functions whatever the definition says (and Content-Length, from the body).
REPLACED_HEADERS = frozenset({"user-agent", "range", "content-length"})
_TOKEN_CHARS = frozenset(
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)


@dataclass(frozen=True)
class HttpRequest:
    method: str
    url: str
    headers: list[tuple[str, str]]
    body: bytes | None
    connection_arn: str


def build_request(parameters: Any, region: str) -> HttpRequest:
    """The request an HTTP Task's (evaluated) parameters describe; :class:`HttpTaskError`
    when Step Functions would refuse them."""
    if not isinstance(parameters, dict):
        raise runtime("The Parameters of an HTTP Task must be a JSON object")
    unknown = sorted(set(parameters) - FIELDS)
    if unknown:
        raise runtime(
            f"The field '{unknown[0]}' is not supported by arn:aws:states:::http:invoke; "
            f"the fields are {', '.join(sorted(FIELDS))}"
        )
    endpoint = _required_string(parameters, "ApiEndpoint")
    parts = urlsplit(endpoint)
    try:
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        raise runtime(f"The ApiEndpoint '{endpoint}' has an invalid port") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise runtime(f"The ApiEndpoint '{endpoint}' is not an https:// (or http://) URL")
    method = _required_string(parameters, "Method")
    if method not in METHODS:
        raise runtime(
            f"The value '{method}' of the field 'Method' is not one of {', '.join(METHODS)}"
        )
    arn = _connection_arn(parameters)
    connection = resolve(arn)
    encoding, array_format = _transform(parameters.get("Transform"))

    headers = _merge(
        _headers(parameters.get("Headers")), connection.headers if connection else [], fold=True
    )
    query = _merge(
        query_pairs(parameters.get("QueryParameters")), connection.query if connection else []
    )
    body = _body(parameters, connection, encoding, array_format)

    url = endpoint.split("#", 1)[0]
    if query:
        url += ("&" if parts.query else ("" if url.endswith("?") else "?")) + join(query)
    headers = [(n, v) for n, v in headers if n.lower() not in REPLACED_HEADERS]
    if body is not None and not any(n.lower() == "content-type" for n, _ in headers):
        # The docs ask for content-type application/x-www-form-urlencoded with URL_ENCODED;
        # left out, the form's own type is sent.
        headers.append(
            ("Content-Type", FORM_CONTENT_TYPE if encoding == "URL_ENCODED" else JSON_CONTENT_TYPE)
        )
    headers.append(("User-Agent", f"Amazon|StepFunctions|HttpInvoke|{region}"))
    headers.append(("Range", RANGE))
    return HttpRequest(method, url, headers, body, arn)


def _required_string(parameters: dict[str, Any], name: str) -> str:
    if name not in parameters:
        raise runtime(f"The field '{name}' is required but was missing")
    value = parameters[name]
    if not isinstance(value, str) or not value:
        raise runtime(f"The field '{name}' must be a non-empty string")
    return value


def _connection_arn(parameters: dict[str, Any]) -> str:
    """``Authentication.ConnectionArn`` or ``InvocationConfig.ConnectionArn``: one is required."""
    given = [name for name in ("Authentication", "InvocationConfig") if name in parameters]
    if not given:
        raise runtime(
            "The field 'Authentication' (or 'InvocationConfig') with a 'ConnectionArn' is "
            "required but was missing"
        )
    if len(given) > 1:
        raise runtime(
            "Specify the connection in either 'Authentication' or 'InvocationConfig', not both"
        )
    holder = parameters[given[0]]
    if not isinstance(holder, dict) or "ConnectionArn" not in holder:
        raise runtime(f"The field '{given[0]}.ConnectionArn' is required but was missing")
    extra = sorted(set(holder) - {"ConnectionArn"})
    if extra:
        raise runtime(f"The field '{given[0]}.{extra[0]}' is not supported by Stepline")
    arn = holder["ConnectionArn"]
    if not isinstance(arn, str) or not arn.startswith("arn:") or ":connection/" not in arn:
        raise runtime(f"The ConnectionArn {arn!r} is not an EventBridge connection ARN")
    return arn


def _transform(transform: Any) -> tuple[str, str]:
    """(RequestBodyEncoding, ArrayFormat)."""
    if transform is None:
        return "NONE", DEFAULT_ARRAY_FORMAT
    if not isinstance(transform, dict):
        raise runtime("The field 'Transform' must be a JSON object")
    extra = sorted(set(transform) - {"RequestBodyEncoding", "RequestEncodingOptions"})
    if extra:
        raise runtime(f"The field 'Transform.{extra[0]}' is not supported")
    encoding = transform.get("RequestBodyEncoding", "NONE")
    if encoding not in ("NONE", "URL_ENCODED"):
        raise runtime(
            f"The value {encoding!r} of 'RequestBodyEncoding' is not one of NONE, URL_ENCODED"
        )
    options = transform.get("RequestEncodingOptions") or {}
    if not isinstance(options, dict) or set(options) - {"ArrayFormat"}:
        raise runtime("The field 'RequestEncodingOptions' takes only 'ArrayFormat'")
    array_format = options.get("ArrayFormat", DEFAULT_ARRAY_FORMAT)
    if array_format not in ARRAY_FORMATS:
        raise runtime(
            f"The value {array_format!r} of 'ArrayFormat' is not one of {', '.join(ARRAY_FORMATS)}"
        )
    return encoding, array_format


def _headers(headers: Any) -> list[tuple[str, str]]:
    if headers is None:
        return []
    if not isinstance(headers, dict):
        raise runtime("The field 'Headers' must be a JSON object of header names and values")
    pairs = []
    for name, value in headers.items():
        lower = name.lower()
        if lower in FORBIDDEN_HEADERS or lower.startswith(FORBIDDEN_PREFIXES):
            raise runtime(f"The header '{name}' is not allowed in an HTTP Task definition")
        if not name or not set(name) <= _TOKEN_CHARS:
            raise runtime(f"'{name}' is not a valid HTTP header name")
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict | list) or item is None:
                raise runtime(
                    f"The header '{name}' must be a string, number or boolean, or an array of them"
                )
            text = scalar_text(item)
            if "\r" in text or "\n" in text:
                raise runtime(f"The value of the header '{name}' contains a line break")
            pairs.append((name, text))
    return pairs


def _merge(
    own: list[tuple[str, str]], connection: list[tuple[str, str]], fold: bool = False
) -> list[tuple[str, str]]:
    """The task's pairs, then the connection's, whose keys win ("If the same header keys are
    present in the definition and connection, Step Functions uses the corresponding values
    specified in the EventBridge connection").  ``fold``: keys compare case-insensitively."""
    if not connection:
        return own

    def key(name: str) -> str:
        return name.lower() if fold else name

    keys = {key(name) for name, _ in connection}
    return [(k, v) for k, v in own if key(k) not in keys] + connection


def _body(
    parameters: dict[str, Any], connection: Connection | None, encoding: str, array_format: str
) -> bytes | None:
    body = parameters.get("RequestBody")
    extra = connection.body if connection else []
    if extra:
        # "If you specify the request body as a string … and the EventBridge connection also
        # contains request body, Step Functions can't merge … It fails the HTTP Task with the
        # States.Runtime error."
        if body is not None and not isinstance(body, dict):
            raise runtime(
                "The RequestBody cannot be merged with the connection's body parameters: it is "
                "not a JSON object"
            )
        body = {**(body or {}), **dict(extra)}
    if body is None:
        return None
    if isinstance(body, str):
        return body.encode()
    if encoding == "URL_ENCODED":
        if not isinstance(body, dict):
            raise runtime("A URL_ENCODED RequestBody must be a JSON object or a string")
        return form_body(body, array_format).encode()
    return jsontext.dumps_bytes(body)
