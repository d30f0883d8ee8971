"""Opaque, validated page tokens for the List* operations and GetExecutionHistory.

A token names the listing it belongs to and where the next page starts; it carries a
checksum, so a token that was altered or belongs to another listing is refused with
``InvalidToken``, as AWS refuses one
(https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html:
"If nextToken is returned ... Using an expired pagination token will return an HTTP 400
InvalidToken error").  ``maxResults`` 0 means the default page size, 100.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from emulator.sfn import errors

DEFAULT_PAGE_SIZE = 100
_SECRET = b"stepline-page-token"


def page_size(max_results: int | None) -> int:
    return max_results or DEFAULT_PAGE_SIZE


def _digest(scope: str, body: bytes) -> str:
    return hashlib.sha256(_SECRET + scope.encode() + b"\0" + body).hexdigest()[:16]


def encode(scope: str, position: Any) -> str:
    """A token for ``position`` (any JSON value) within the listing named ``scope``."""
    body = json.dumps(position, separators=(",", ":")).encode()
    raw = _digest(scope, body).encode() + b"." + body
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(scope: str, token: str | None) -> Any:
    """The position a token names; None when there is no token."""
    if token is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        digest, _, body = raw.partition(b".")
        if digest.decode() != _digest(scope, body):
            raise ValueError("checksum")
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise errors.invalid_token() from None
