"""The server's secret key and the keys derived from it.

The key is ``STEPLINE_SECRET_KEY`` (64 hexadecimal characters, 32 bytes) when set; otherwise
one random key is generated the first time a database is opened and kept in its ``settings``
table, so that a restart keeps tokens and secrets valid.  A key kept beside the data it
protects only guards against reading the secrets table alone: set ``STEPLINE_SECRET_KEY`` to
keep the key out of the database.

Derived keys (HKDF-SHA256, RFC 5869, empty salt, as stepIQ derives its per-user keys):
  - ``user_key(master, user_id)``: info ``stepline:user-key:<userId>``, wraps secret DEKs;
  - ``jwt_key(master)``: info ``stepline:jwt``, signs access tokens.
"""

from __future__ import annotations

import os
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select

from emulator.store.db import Database
from emulator.store.schema_accounts import settings

ENV_VAR = "STEPLINE_SECRET_KEY"
_SETTING = "secret_key"


class SecretKeyError(ValueError):
    """STEPLINE_SECRET_KEY is not 64 hexadecimal characters."""


def parse_key(text: str) -> bytes:
    text = text.strip()
    if len(text) != 64:
        raise SecretKeyError(f"{ENV_VAR} must be 64 hexadecimal characters (32 bytes)")
    try:
        return bytes.fromhex(text)
    except ValueError as exc:
        raise SecretKeyError(f"{ENV_VAR} must be 64 hexadecimal characters (32 bytes)") from exc


def load_secret_key(db: Database, env: dict[str, str] | None = None) -> bytes:
    """The environment's key, or the database's (generated and stored on first use)."""
    value = (os.environ if env is None else env).get(ENV_VAR)
    if value:
        return parse_key(value)
    with db.begin() as conn:
        stored = conn.execute(select(settings.c.value).where(settings.c.name == _SETTING)).scalar()
        if stored is not None:
            return parse_key(str(stored))
        key = secrets.token_bytes(32)
        conn.execute(settings.insert().values(name=_SETTING, value=key.hex()))
        return key


def _hkdf(master: bytes, info: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info.encode()).derive(master)


def user_key(master: bytes, user_id: str) -> bytes:
    return _hkdf(master, f"stepline:user-key:{user_id}")


def jwt_key(master: bytes) -> bytes:
    return _hkdf(master, "stepline:jwt")
