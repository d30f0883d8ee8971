"""A scripted HTTP endpoint on 127.0.0.1 for cases that call ``http:invoke``.

A case gives ``"http_server": {"responses": [{"status", "headers", "body"}...]}`` (answered in
turn, the last one repeating) and writes its endpoint as ``http://stepline.test/...`` in the
definition; the engine serves the responses on a free port, points the definition there, and
checks what the endpoint received against ``expect.http_requests``
(``[{"method", "path", "query", "headers", "body"}]``, each a subset).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PLACEHOLDER = "http://stepline.test"


@contextmanager
def scripted(spec: dict[str, Any]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Serve ``spec``'s responses; yields (base URL, the requests received so far)."""
    responses = list(spec.get("responses", [{"status": 200, "body": {}}]))
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            url = urlsplit(self.path)
            received.append({
                "method": self.command, "path": url.path,
                "query": {k: v if len(v) > 1 else v[0] for k, v in parse_qs(url.query).items()},
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": raw.decode("utf-8", errors="replace"),
            })  # fmt: skip
            answer = responses.pop(0) if len(responses) > 1 else responses[0]
            body = answer.get("body", "")
            text = body if isinstance(body, str) else json.dumps(body)
            data = text.encode()
            self.send_response(int(answer.get("status", 200)))
            headers = {"Content-Type": "application/json", **answer.get("headers", {})}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()
