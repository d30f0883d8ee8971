"""What every operation of the service layer is given: the caller's region and account,
the database, the runner and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emulator.executions import Executions
    from emulator.store.db import Database


@dataclass(frozen=True)
class Caller:
    """Who is asking: the region comes from the request's signature (or the default)."""

    region: str
    account: str


@dataclass
class Services:
    """The emulator's parts an operation may use."""

    db: Database
    executions: Executions
    account: str
    default_region: str
    activity_poll_seconds: float = 60.0  # GetActivityTask's long poll, as AWS's

    def __post_init__(self) -> None:
        # The service keeps the activity registry: a Task on an activity it does not know
        # fails at once, as on AWS (in-process runners without it let such tasks wait).
        self.executions.activities_must_exist = True

    def now(self) -> datetime:
        now: datetime = self.executions.clock.now()
        return now


def aware(value: Any) -> Any:
    """A datetime read back from the database, made timezone-aware (SQLite drops the zone)."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value
