"""API keys: ``sk_live_`` + base64url of 24 random bytes, shown once, stored as SHA-256.

The prefix (the first 16 characters) is kept to tell keys apart in lists.  A key carries
scopes (stepIQ's ``pipelines:read``, ``pipelines:execute``, ``webhooks:trigger``; all three
when none are given), may expire, records when it was last used, and can be revoked.
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from emulator.accounts.errors import InvalidToken, NotFound, invalid
from emulator.accounts.identity import SCOPES, Principal, aware, iso
from emulator.accounts.users import digest
from emulator.clock import Clock
from emulator.store.db import Database
from emulator.store.schema_accounts import api_keys, users

KEY_PREFIX = "sk_live_"
PREFIX_LENGTH = 16


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str | None
    key_prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "key_prefix": self.key_prefix,
            "scopes": list(self.scopes),
            "created_at": iso(self.created_at),
            "expires_at": iso(self.expires_at),
            "last_used_at": iso(self.last_used_at),
        }


def _key(row: Any) -> ApiKey:
    return ApiKey(
        row.id, row.name, row.key_prefix, tuple(json.loads(row.scopes)), aware(row.created_at),
        aware(row.expires_at) if row.expires_at else None,
        aware(row.last_used_at) if row.last_used_at else None,
    )


def check_scopes(scopes: object) -> tuple[str, ...]:
    if scopes is None:
        return SCOPES
    if not isinstance(scopes, list) or not scopes:
        raise invalid("scopes", f"must be a non-empty list of {', '.join(SCOPES)}")
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise invalid("scopes", f"unknown scope {unknown[0]!r}: expected {', '.join(SCOPES)}")
    return tuple(s for s in SCOPES if s in scopes)


class ApiKeys:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def create(
        self, user_id: str, name: object = None, scopes: object = None,
        expires_at: object = None,
    ) -> tuple[ApiKey, str]:
        """The key's record and its plaintext (returned this once only)."""
        if name is not None and (not isinstance(name, str) or len(name) > 120):
            raise invalid("name", "must be a string of at most 120 characters")
        chosen = check_scopes(scopes)
        now = self.clock.now()
        expiry = _parse_expiry(expires_at, now)
        plaintext = KEY_PREFIX + base64.urlsafe_b64encode(secrets.token_bytes(24)).decode().rstrip("=")
        key = ApiKey(str(uuid.uuid4()), name, plaintext[:PREFIX_LENGTH], chosen, now, expiry, None)
        with self.db.begin() as conn:
            conn.execute(
                api_keys.insert().values(
                    id=key.id, user_id=user_id, name=name, key_hash=digest(plaintext),
                    key_prefix=key.key_prefix, scopes=json.dumps(list(chosen)),
                    created_at=now, expires_at=expiry,
                )
            )
        return key, plaintext

    def for_user(self, user_id: str) -> list[ApiKey]:
        with self.db.begin() as conn:
            rows = conn.execute(
                select(api_keys)
                .where(api_keys.c.user_id == user_id, api_keys.c.revoked_at.is_(None))
                .order_by(api_keys.c.created_at, api_keys.c.id)
            ).all()
        return [_key(row) for row in rows]

    def revoke(self, user_id: str, key_id: str) -> None:
        with self.db.begin() as conn:
            done = conn.execute(
                update(api_keys)
                .where(api_keys.c.id == key_id, api_keys.c.user_id == user_id)
                .where(api_keys.c.revoked_at.is_(None))
                .values(revoked_at=self.clock.now())
            ).rowcount
        if done != 1:
            raise NotFound("API key not found")

    def authenticate(self, plaintext: str) -> Principal:
        """The principal of a live key (and its ``last_used_at`` is stamped)."""
        now = self.clock.now()
        with self.db.begin() as conn:
            row = conn.execute(
                select(api_keys, users.c.plan)
                .join(users, users.c.id == api_keys.c.user_id)
                .where(api_keys.c.key_hash == digest(plaintext))
            ).first()
            if row is None or row.revoked_at is not None:
                raise InvalidToken("Invalid API key")
            if row.expires_at is not None and aware(row.expires_at) <= now:
                raise InvalidToken("API key expired")
            conn.execute(update(api_keys).where(api_keys.c.id == row.id).values(last_used_at=now))
        return Principal(
            row.user_id, "api_key", frozenset(json.loads(row.scopes)), row.plan, row.id
        )


def _parse_expiry(value: object, now: datetime) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid("expires_at", "must be an ISO 8601 date-time")
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise invalid("expires_at", "must be an ISO 8601 date-time") from exc
    if when.tzinfo is None:
        raise invalid("expires_at", "must carry a time zone (for example a trailing Z)")
    if when <= now:
        raise invalid("expires_at", "must be in the future")
    return when
