"""Leases: which process advances which running execution.

Each process has an owner id (``host:pid:random``).  An execution row names its owner and
when the lease ends; the owner renews all its leases together, well before they end.  A
process claims a running execution when it has no owner, when its lease has ended, or when
its owner is a process on this host that no longer exists (so a restarted emulator takes its
executions back at once instead of waiting a lease out).  On PostgreSQL the claim is
``SELECT … FOR UPDATE SKIP LOCKED``, so processes claiming together never take the same row.

Every write of a step is fenced by the lease (``execution_rows.write_step``): a process that
was paused past its lease and lost an execution cannot write to it any more.

Leases are measured on the wall clock, never on the emulator's clock: a virtual clock that
jumps a year must not expire every lease.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Connection, and_, or_, select, update

from emulator.store import schema
from emulator.store.db import Database

E = schema.executions

DEFAULT_LEASE_SECONDS = 30.0


def lease_seconds_from(value: float | None) -> float:
    """The lease length: ``value``, else $STEPLINE_LEASE_SECONDS, else the default."""
    if value is not None:
        return value
    env = os.environ.get("STEPLINE_LEASE_SECONDS")
    return float(env) if env else DEFAULT_LEASE_SECONDS


_HOST = socket.gethostname()[:40]


def new_owner() -> str:
    return f"{_HOST}:{os.getpid()}:{secrets.token_hex(4)}"


def wall_now() -> datetime:
    return datetime.now(UTC)


def owner_is_dead(owner: str) -> bool:
    """True only when ``owner`` was a process on this host that has exited."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != _HOST or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False  # this process: an earlier runner that may still be open
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"  # a zombie is dead
    except (OSError, IndexError):
        return False


class Leases:
    def __init__(
        self,
        db: Database,
        owner: str,
        seconds: float = DEFAULT_LEASE_SECONDS,
        reclaim_dead_owners: bool = True,
    ) -> None:
        self.db = db
        self.owner = owner
        self.seconds = seconds
        self.reclaim_dead_owners = reclaim_dead_owners

    def expiry(self) -> datetime:
        return wall_now() + timedelta(seconds=self.seconds)

    def claim(self, limit: int, skip: set[str]) -> list[str]:
        """Take up to ``limit`` running executions nobody holds; returns their ARNs.

        ``skip``: executions not to take (this process is about to stop them, say).
        """
        now = wall_now()
        with self.db.begin() as connection:
            dead = self._dead_owners(connection, now) if self.reclaim_dead_owners else []
            free = or_(E.c.lease_owner.is_(None), E.c.lease_expires < now)
            if dead:
                free = or_(free, E.c.lease_owner.in_(dead))
            query = select(E.c.arn).where(E.c.status == "RUNNING", free).order_by(E.c.seq)
            query = query.limit(limit + len(skip))
            if self.db.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            arns = [arn for arn in connection.execute(query).scalars() if arn not in skip][:limit]
            if arns:
                connection.execute(
                    update(E)
                    .where(E.c.arn.in_(arns))
                    .values(lease_owner=self.owner, lease_expires=self.expiry())
                )
        return arns

    def _dead_owners(self, connection: Connection, now: datetime) -> list[str]:
        owners = connection.execute(
            select(E.c.lease_owner)
            .where(
                E.c.status == "RUNNING",
                E.c.lease_owner.is_not(None),
                E.c.lease_owner != self.owner,
                E.c.lease_expires >= now,
            )
            .distinct()
        ).scalars()
        return [owner for owner in owners if owner is not None and owner_is_dead(owner)]

    def renew(self) -> set[str]:
        """Extend every lease this process holds; returns the ARNs it still holds."""
        with self.db.begin() as connection:
            mine = and_(E.c.lease_owner == self.owner, E.c.status == "RUNNING")
            connection.execute(update(E).where(mine).values(lease_expires=self.expiry()))
            return set(connection.execute(select(E.c.arn).where(mine)).scalars())

    def take(self, connection: Connection, arn: str) -> bool:
        """Claim one execution if it is free (inside the caller's transaction)."""
        now = wall_now()
        row = connection.execute(
            select(E.c.lease_owner, E.c.lease_expires).where(
                E.c.arn == arn, E.c.status == "RUNNING"
            )
        ).first()
        if row is None:
            return False
        expires = row.lease_expires
        if expires is not None and expires.tzinfo is None:
            expires = expires.replace(tzinfo=UTC)
        owner = row.lease_owner
        free = (
            owner is None
            or owner == self.owner
            or expires is None
            or expires < now
            or (self.reclaim_dead_owners and owner_is_dead(owner))
        )
        if not free:
            return False
        result = connection.execute(
            update(E)
            .where(E.c.arn == arn, E.c.status == "RUNNING", _same_owner(owner))
            .values(lease_owner=self.owner, lease_expires=self.expiry())
        )
        return result.rowcount == 1

    def release(self, arns: set[str] | None = None) -> None:
        """Give up leases (all of them, or ``arns``) so another process can claim at once."""
        with self.db.begin() as connection:
            where = E.c.lease_owner == self.owner
            if arns is not None:
                if not arns:
                    return
                where = and_(where, E.c.arn.in_(arns))
            connection.execute(update(E).where(where).values(lease_owner=None, lease_expires=None))


def _same_owner(owner: str | None) -> ColumnElement[bool]:
    return E.c.lease_owner.is_(None) if owner is None else E.c.lease_owner == owner
