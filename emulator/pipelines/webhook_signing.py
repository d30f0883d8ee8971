"""The outbound webhook's envelope and signature, as stepIQ documents them.

Headers: ``Content-Type: application/json``, ``X-StepIQ-Event``, ``X-StepIQ-Timestamp`` (unix
seconds) and ``X-StepIQ-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

COMPLETED = "pipeline.run.completed"
FAILED = "pipeline.run.failed"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + digest.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """What a receiver does (used by tests and documented in the README)."""
    return hmac.compare_digest(signature(secret, int(timestamp), body), header)


def body_of(envelope: dict[str, Any]) -> bytes:
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode()


def headers(event: str, timestamp: int, body: bytes, secret: str | None) -> dict[str, str]:
    out = {
        "Content-Type": "application/json",
        "X-StepIQ-Event": event,
        "X-StepIQ-Timestamp": str(timestamp),
    }
    if secret is not None:
        out["X-StepIQ-Signature"] = signature(secret, timestamp, body)
    return out
