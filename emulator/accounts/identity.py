"""Who a request acts for: the principal, its scopes, and the user as the API shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

# What an API key may be allowed to do (stepIQ's scope names).  A user session (JWT) may do
# everything, including what no key can: manage keys, secrets and schedules.
SCOPES = ("pipelines:read", "pipelines:execute", "webhooks:trigger")


@dataclass(frozen=True)
class Principal:
    user_id: str
    via: Literal["jwt", "api_key"]
    scopes: frozenset[str]
    plan: str = "free"
    api_key_id: str | None = None


@dataclass(frozen=True)
class User:
    id: str
    email: str
    name: str | None
    plan: str
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "name": self.name,
            "plan": self.plan,
            "created_at": iso(self.created_at),
        }


def aware(value: datetime) -> datetime:
    """A datetime read back from the database, made timezone-aware (SQLite drops the zone)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with milliseconds and a ``Z``, as stepIQ's JSON dates."""
    if value is None:
        return None
    return aware(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{aware(value).microsecond // 1000:03d}Z"
    )
