"""Opaque cursors for newest-first listings of pipelines and runs.

Rows carry ``seq``, their creation order (taken from the execution sequence, so it is
strictly increasing even when a virtual clock gives many rows the same ``created_at``).  A
cursor is the ``seq`` of the last row of a page, base64url-encoded; the next page holds the
rows with a smaller ``seq``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import sqlalchemy as sa

from emulator.pipelines.service_errors import BadRequest

MAX_LIMIT = 100
DEFAULT_LIMIT = 50
_PREFIX = "seq:"


def encode(seq: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{seq}".encode()).decode().rstrip("=")


def decode(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode()).decode()
        if not text.startswith(_PREFIX):
            raise ValueError(text)
        return int(text[len(_PREFIX) :])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("Invalid cursor", "INVALID_CURSOR") from None


def limit_of(value: int | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if not 1 <= value <= MAX_LIMIT:
        raise BadRequest(f"limit must be between 1 and {MAX_LIMIT}", "INVALID_LIMIT")
    return value


def after(seq_col: Any, cursor: str | None) -> Any:
    """The WHERE clause selecting rows after ``cursor`` (None: no restriction)."""
    if cursor is None:
        return sa.true()
    return seq_col < decode(cursor)
