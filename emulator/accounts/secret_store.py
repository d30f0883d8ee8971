"""Secrets: named values, encrypted at rest, global or scoped to one pipeline.

A pipeline-scoped secret overrides a global one of the same name.  Names match
``^[A-Za-z_][A-Za-z0-9_]*$`` (at most 100 characters); values are 1..10000 characters.
Values are sealed with ``envelope`` under the user's key; the API lists names only.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from emulator.accounts import envelope, keyring
from emulator.accounts.errors import NotFound, invalid
from emulator.accounts.identity import aware, iso
from emulator.clock import Clock
from emulator.store.db import Database
from emulator.store.schema_accounts import user_secrets

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_NAME = 100
MAX_VALUE = 10_000
GLOBAL = ""  # the pipeline_id of a global secret


@dataclass(frozen=True)
class Secret:
    id: str
    name: str
    pipeline_id: str | None
    key_version: int
    created_at: datetime
    updated_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "pipeline_id": self.pipeline_id,
            "key_version": self.key_version,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
        }


def check_name(name: object) -> str:
    if not isinstance(name, str) or not _NAME.match(name) or len(name) > MAX_NAME:
        raise invalid(
            "name", f"must match ^[A-Za-z_][A-Za-z0-9_]*$ and be at most {MAX_NAME} characters"
        )
    return name


def _secret(row: Any) -> Secret:
    return Secret(
        row.id, row.name, row.pipeline_id or None, row.key_version, aware(row.created_at),
        aware(row.updated_at),
    )


def _aad(user_id: str, pipeline_id: str, name: str) -> bytes:
    return f"stepline:secret:{user_id}:{pipeline_id}:{name}".encode()


class Secrets:
    def __init__(self, db: Database, clock: Clock, master_key: bytes) -> None:
        self.db = db
        self.clock = clock
        self._master = master_key

    def put(
        self, user_id: str, name: object, value: object, pipeline_id: str | None = None
    ) -> tuple[Secret, bool]:
        """Create or update; returns the secret and whether it was created."""
        name = check_name(name)
        if not isinstance(value, str) or not 1 <= len(value) <= MAX_VALUE:
            raise invalid("value", f"must be a string of 1 to {MAX_VALUE} characters")
        scope = pipeline_id or GLOBAL
        blob = envelope.seal(
            keyring.user_key(self._master, user_id), value, _aad(user_id, scope, name)
        )
        now = self.clock.now()
        where = (
            (user_secrets.c.user_id == user_id)
            & (user_secrets.c.pipeline_id == scope)
            & (user_secrets.c.name == name)
        )
        with self.db.begin() as conn:
            row = conn.execute(select(user_secrets).where(where)).first()
            if row is None:
                conn.execute(
                    user_secrets.insert().values(
                        id=str(uuid.uuid4()), user_id=user_id, pipeline_id=scope, name=name,
                        encrypted_value=blob, key_version=envelope.VERSION,
                        created_at=now, updated_at=now,
                    )
                )
            else:
                conn.execute(
                    update(user_secrets).where(user_secrets.c.id == row.id).values(
                        encrypted_value=blob, key_version=envelope.VERSION, updated_at=now
                    )
                )
            saved = conn.execute(select(user_secrets).where(where)).one()
        return _secret(saved), row is None

    def for_scope(self, user_id: str, pipeline_id: str | None = None) -> list[Secret]:
        """Global secrets, or those of one pipeline (names and dates, never values)."""
        with self.db.begin() as conn:
            rows = conn.execute(
                select(user_secrets)
                .where(user_secrets.c.user_id == user_id)
                .where(user_secrets.c.pipeline_id == (pipeline_id or GLOBAL))
                .order_by(user_secrets.c.name)
            ).all()
        return [_secret(row) for row in rows]

    def delete(self, user_id: str, name: str, pipeline_id: str | None = None) -> None:
        with self.db.begin() as conn:
            done = conn.execute(
                delete(user_secrets)
                .where(user_secrets.c.user_id == user_id)
                .where(user_secrets.c.pipeline_id == (pipeline_id or GLOBAL))
                .where(user_secrets.c.name == name)
            ).rowcount
        if done != 1:
            raise NotFound("Secret not found")

    def get(self, user_id: str, name: str, pipeline_id: str | None = None) -> str | None:
        """The plaintext: the pipeline's secret of that name if any, else the global one."""
        scopes = [pipeline_id, GLOBAL] if pipeline_id else [GLOBAL]
        with self.db.begin() as conn:
            rows = conn.execute(
                select(user_secrets)
                .where(user_secrets.c.user_id == user_id, user_secrets.c.name == name)
                .where(user_secrets.c.pipeline_id.in_(scopes))
            ).all()
        by_scope = {row.pipeline_id: row for row in rows}
        for scope in scopes:
            row = by_scope.get(scope)
            if row is not None:
                return envelope.open_(
                    keyring.user_key(self._master, user_id), row.encrypted_value,
                    _aad(user_id, scope, name),
                )
        return None
