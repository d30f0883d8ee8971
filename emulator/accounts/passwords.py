"""Password hashing: scrypt with a per-user random salt, in a self-describing string.

    scrypt$<n>$<r>$<p>$<salt base64>$<hash base64>

The parameters travel with the hash, so they can be raised later without breaking old ones.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from emulator.accounts.errors import invalid

MIN_LENGTH = 8
MAX_LENGTH = 128
# scrypt cost: 2**14 with r=8 uses 16 MiB and takes tens of milliseconds, the interactive-login
# parameters of the scrypt paper (and the hashlib documentation's example).
_N, _R, _P = 2**14, 8, 1
_SALT_BYTES = 16
_HASH_BYTES = 32


def check_password(password: object, field: str = "password") -> str:
    """A password of 8..128 characters, or InvalidRequest naming ``field``."""
    if not isinstance(password, str):
        raise invalid(field, "must be a string")
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise invalid(field, f"must be {MIN_LENGTH} to {MAX_LENGTH} characters long")
    return password


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=2 * 128 * n * r * p,
        dklen=_HASH_BYTES,
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    salt = os.urandom(_SALT_BYTES)
    digest = _scrypt(password, salt, _N, _R, _P)
    return "$".join(
        ["scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)]
    )


def verify_password(password: str, stored: str) -> bool:
    """Constant-time comparison against a stored hash; False for a malformed one."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# A hash to verify against when the email is unknown, so that a login for an unknown
# address costs as much as one for a known address (no enumeration by timing).
DUMMY_HASH = hash_password("stepline-dummy-password")
