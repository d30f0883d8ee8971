"""JSON Web Tokens, HS256 only (RFC 7519 / RFC 7515), written with hmac and hashlib.

    token = encode({"sub": user_id, "plan": "free", "iat": ..., "exp": ...}, key)
    claims = decode(token, key, now=epoch_seconds)     # or InvalidToken

``decode`` accepts exactly the header algorithm ``HS256`` (``none`` and every other algorithm
are refused, so a token cannot choose how it is checked), compares signatures in constant
time, and requires integer ``iat`` and ``exp`` with ``exp`` in the future.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from emulator.accounts.errors import InvalidToken

_HEADER = {"alg": "HS256", "typ": "JWT"}


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    if not text or any(c not in _B64URL for c in text):
        raise InvalidToken("Invalid token")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise InvalidToken("Invalid token") from exc


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _sign(signing_input: bytes, key: bytes) -> bytes:
    return hmac.new(key, signing_input, hashlib.sha256).digest()


def encode(claims: dict[str, Any], key: bytes) -> str:
    header = _b64encode(json.dumps(_HEADER, separators=(",", ":")).encode())
    payload = _b64encode(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode("ascii")
    return f"{header}.{payload}.{_b64encode(_sign(signing_input, key))}"


def decode(token: str, key: bytes, now: float) -> dict[str, Any]:
    """The claims of a valid, unexpired HS256 token signed with ``key``."""
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("Invalid token")
    header_b64, payload_b64, signature_b64 = parts
    signature = _b64decode(signature_b64)
    payload_bytes = _b64decode(payload_b64)
    try:
        header = json.loads(_b64decode(header_b64))
    except ValueError as exc:
        raise InvalidToken("Invalid token") from exc
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        raise InvalidToken("Invalid token: only HS256 is accepted")
    if header.get("typ", "JWT") != "JWT" or "crit" in header:
        raise InvalidToken("Invalid token")
    expected = _sign(f"{header_b64}.{payload_b64}".encode("ascii"), key)
    if not hmac.compare_digest(expected, signature):
        raise InvalidToken("Invalid token")
    try:
        claims = json.loads(payload_bytes)
    except ValueError as exc:
        raise InvalidToken("Invalid token") from exc
    if not isinstance(claims, dict):
        raise InvalidToken("Invalid token")
    exp, iat = claims.get("exp"), claims.get("iat")
    if type(exp) is not int or type(iat) is not int or not isinstance(claims.get("sub"), str):
        raise InvalidToken("Invalid token")
    if exp <= now:
        raise InvalidToken("Token expired")
    return claims
