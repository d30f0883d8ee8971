"""The HTTP Task: ``arn:aws:states:::http:invoke`` calls a real HTTP(S) endpoint.

The task's parameters (read by :mod:`emulator.integrations.http_request`) are AWS's: ``ApiEndpoint`` and ``Method`` (required), the EventBridge
connection as ``Authentication.ConnectionArn`` or ``InvocationConfig.ConnectionArn``
(required, see :mod:`emulator.integrations.http_connections` for what Stepline does with
it), ``Headers``, ``QueryParameters``, ``RequestBody`` and ``Transform``
(``RequestBodyEncoding`` NONE | URL_ENCODED, ``RequestEncodingOptions.ArrayFormat``).  The
result is ``{"Headers", "ResponseBody", "StatusCode", "StatusText"}``: header names in lower
case, each with the list of its values, and the body parsed when the response is
``application/json``.

Step Functions sets ``User-Agent: Amazon|StepFunctions|HttpInvoke|<region>`` and
``Range: bytes=0-262144`` (a value given in ``Headers`` is replaced) and refuses the headers
it lists as forbidden with ``States.Runtime``.  A request has 60 seconds; past that, or when
no connection can be made, the task fails with ``States.Http.Socket``.  A status outside 2xx
fails it with ``States.Http.StatusCode.<code>``.  Redirects are not followed: a 3xx answer is
a status outside 2xx.  Unlike AWS, plain ``http://`` endpoints are allowed, so that local
services can be called.

https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from typing import Any
from urllib.parse import quote, urlsplit

import asl
from asl import jsontext
from emulator.integrations import TaskCall, register
from emulator.integrations.http_errors import SOCKET, HttpTaskError, runtime, status_error
from emulator.integrations.http_request import HttpRequest, build_request

RESOURCE = "arn:aws:states:::http:invoke"
_PREFIX = "arn:aws:states:::http:"
# "HTTP task requests will timeout after 60 seconds."
REQUEST_LIMIT_SECONDS = 60.0
# "An HTTP Task fails with the States.Runtime error if … the response contains a content-type
# header of application/octet-stream, image/*, video/*, or audio/*."
UNSUPPORTED_MEDIA = ("application/octet-stream", "image/", "video/", "audio/")


@dataclass(frozen=True)
class HttpResponse:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


def send(request: HttpRequest, limit: float = REQUEST_LIMIT_SECONDS) -> HttpResponse:
    """Make the request; :class:`HttpTaskError` (``States.Http.Socket``) when no answer
    arrives within ``limit`` seconds."""
    parts = urlsplit(request.url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    # Spaces, control and non-ASCII characters are percent-encoded; escapes already there stay.
    target = quote(target, safe="!#$%&'()*+,/:;=?@[]~")
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            host, port, timeout=limit, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(host, port, timeout=limit)
    started = time.monotonic()
    try:
        connection.putrequest(request.method, target, skip_accept_encoding=True)
        for name, value in request.headers:
            connection.putheader(name, value.encode())  # UTF-8, not http.client's Latin-1
        if request.body is not None:
            connection.putheader("Content-Length", str(len(request.body)))
        connection.endheaders(request.body)
        answer = connection.getresponse()
        # Range asks for 262,145 bytes; a larger answer fails the task's 256 KiB output quota.
        body = answer.read(jsontext.PAYLOAD_LIMIT + 1)
        if time.monotonic() - started > limit:
            raise TimeoutError
        return HttpResponse(answer.status, answer.reason or "", answer.getheaders(), body)
    except TimeoutError:
        raise HttpTaskError(
            SOCKET, f"The request to {host}:{port} timed out after {limit:g} seconds"
        ) from None
    except ConnectionRefusedError:
        raise HttpTaskError(SOCKET, f"Connection refused: {host}:{port}") from None
    except socket.gaierror:
        raise HttpTaskError(SOCKET, f"Unknown host: {host}") from None
    except ssl.SSLError as exc:  # a certificate that does not verify is a ValueError too
        raise HttpTaskError(SOCKET, f"TLS with {host}:{port} failed: {exc}") from None
    except ValueError as exc:  # http.client.InvalidURL and the like: nothing was sent
        raise runtime(f"The HTTP request cannot be sent: {exc}") from None
    except (OSError, http.client.HTTPException) as exc:
        raise HttpTaskError(
            SOCKET, f"The request to {host}:{port} failed: {str(exc) or type(exc).__name__}"
        ) from None
    finally:
        connection.close()


def task_result(response: HttpResponse) -> dict[str, Any]:
    """The task's result for a 2xx answer; :class:`HttpTaskError` for any other."""
    content_type = next((v for n, v in response.headers if n.lower() == "content-type"), "")
    message = Message()
    message["content-type"] = content_type
    media = message.get_content_type() if content_type else ""
    if media.startswith(UNSUPPORTED_MEDIA):
        raise runtime(
            f"The HTTP response has the content type '{media}', which HTTP Tasks do not support"
        )
    try:
        text = response.body.decode(message.get_content_charset() or "utf-8")
    except (UnicodeDecodeError, LookupError):
        raise runtime("The HTTP response body can't be read as a valid string") from None
    if not 200 <= response.status < 300:
        # Recorded on AWS (a user's report of a failing HTTP Task: error
        # "States.Http.StatusCode.400", cause "Bad Request"): the cause is the status text
        # alone; the response body is not kept.
        raise HttpTaskError(status_error(response.status), response.reason)
    headers: dict[str, list[str]] = {}
    for name, value in response.headers:
        headers.setdefault(name.lower(), []).append(value)
    body: Any = text
    if media == "application/json" and text.strip():
        try:
            body = jsontext.loads(text)
        except ValueError:
            body = text
    return {
        "Headers": headers,
        "ResponseBody": body,
        "StatusCode": response.status,
        "StatusText": response.reason,
    }


class HttpInvoke:
    """Answers ``arn:aws:states:::http:*`` resources (only ``http:invoke`` exists)."""

    def __init__(self, limit_seconds: float = REQUEST_LIMIT_SECONDS) -> None:
        self.limit_seconds = limit_seconds

    def answers(self, resource: str) -> bool:
        return resource.startswith(_PREFIX)

    def call(self, call: TaskCall) -> tuple[datetime, asl.Outcome]:
        effect = call.effect
        try:
            if effect.resource != RESOURCE:
                raise runtime(
                    f"The resource '{effect.resource}' is not supported: an HTTP Task is "
                    f"'{RESOURCE}', with the request-response pattern only"
                )
            request = build_request(effect.input, call.region)
            result = task_result(send(request, self.limit_seconds))
        except HttpTaskError as exc:
            return call.now, asl.TaskFailed(effect.id, exc.error, exc.cause)
        return call.now, asl.TaskSucceeded(effect.id, result)


register(HttpInvoke())
