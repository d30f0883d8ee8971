"""A real HTTP endpoint for the HTTP Task tests: ``http.server`` on 127.0.0.1, a free port,
in a thread; it records every request and answers by path.

* ``/echo…``: 200, the request as JSON (method, path, query, headers, body);
* ``/text``: 201 ``created`` as text/plain;
* ``/missing``: 404 with a JSON body;
* ``/flaky``: 503 for the first ``flaky_failures`` requests, then 200;
* ``/image``: a PNG; ``/latin``: text in ISO-8859-1; ``/binary``: bytes that are no UTF-8;
* ``/slow``: answers after ``slow_seconds``;
* ``/redirect``: 302 to /echo; ``/big``: 300,000 bytes of text.

Also the helpers that run one HTTP Task definition through ``emulator.run_local``.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import asl
from emulator import run_local
from emulator.driver import ExecutionResult, default_info
from emulator.integrations.http import RESOURCE

START = datetime(2024, 1, 1, tzinfo=UTC)
CONNECTION = (
    "arn:aws:events:us-east-1:123456789012:connection/Local/81210c42-8af1-456b-9c4a-6ff02fc664ac"
)


@dataclass
class Recorded:
    method: str
    path: str
    query: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = [v for n, v in self.headers if n.lower() == name.lower()]
        return values[0] if values else None

    def header_values(self, name: str) -> list[str]:
        return [v for n, v in self.headers if n.lower() == name.lower()]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that stops reading early (the payload quota) resets the connection.
        pass


class Endpoint:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.flaky_failures = 2
        self.slow_seconds = 2.0
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                recorded = Recorded(
                    self.command, parts.path, parts.query, list(self.headers.items()), body
                )
                endpoint.requests.append(recorded)
                endpoint.route(self, recorded)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _answer

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Endpoint:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def route(self, handler: BaseHTTPRequestHandler, request: Recorded) -> None:
        path = request.path
        if path.startswith("/echo"):
            echo = {
                "method": request.method,
                "path": request.path,
                "query": request.query,
                "headers": request.headers,
                "body": request.body.decode(),
            }
            send(
                handler,
                200,
                "application/json",
                json.dumps(echo).encode(),
                [("X-Trace", "a"), ("X-Trace", "b")],
            )
        elif path == "/text":
            send(handler, 201, "text/plain", b"created")
        elif path == "/missing":
            send(handler, 404, "application/json", b'{"message": "no such thing"}')
        elif path == "/flaky":
            failures = sum(1 for r in self.requests if r.path == "/flaky")
            if failures <= self.flaky_failures:
                send(handler, 503, "text/plain", b"try later")
            else:
                send(handler, 200, "application/json", b'{"ok": true}')
        elif path == "/image":
            send(handler, 200, "image/png", b"\x89PNG\r\n\x1a\n")
        elif path == "/latin":
            send(handler, 200, "text/plain; charset=ISO-8859-1", "café".encode("latin-1"))
        elif path == "/binary":
            send(handler, 200, "text/plain", b"\xff\xfe\xfa")
        elif path == "/slow":
            time.sleep(self.slow_seconds)
            send(handler, 200, "text/plain", b"late")
        elif path == "/big":
            send(handler, 200, "text/plain", b"a" * 300_000)
        elif path == "/redirect":
            send(handler, 302, "text/plain", b"", [("Location", "/echo")])
        else:
            send(handler, 500, "text/plain", b"unexpected path")


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    content_type: str,
    body: bytes,
    extra: list[tuple[str, str]] | None = None,
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in extra or []:
        handler.send_header(name, value)
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


def task(parameters: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """An HTTP Task state naming a connection, as AWS requires."""
    params = {"Authentication": {"ConnectionArn": CONNECTION}, **parameters}
    return {"Type": "Task", "Resource": RESOURCE, "Parameters": params, **fields}


def run(states: dict[str, Any], input: Any = None) -> ExecutionResult:
    machine = asl.load({"StartAt": next(iter(states)), "States": states})
    return run_local(machine, {} if input is None else input, {}, default_info(start_time=START))


def run_one(parameters: dict[str, Any], input: Any = None, **fields: Any) -> ExecutionResult:
    return run({"Call": task(parameters, End=True, **fields)}, input)
