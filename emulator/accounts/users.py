"""Users: registration, password checks, password changes, and sessions (a short-lived JWT
plus a rotating refresh token), and password resets by single-use token.

Refresh tokens and reset tokens are opaque random strings; only their SHA-256 digests are
stored.  A refresh token is used once: refreshing returns a new pair and marks the old token
used; presenting a used token again revokes every token of that login (it was stolen or
replayed).  A password reset revokes every refresh token of the user and makes access tokens
issued before it invalid.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select, update

from emulator.accounts import jwt
from emulator.accounts.errors import (
    EmailTaken,
    InvalidCredentials,
    InvalidToken,
    NotFound,
    invalid,
)
from emulator.accounts.identity import User, aware
from emulator.accounts.passwords import DUMMY_HASH, check_password, hash_password, verify_password
from emulator.accounts.plans import STEPIQ_DEFAULT_PLAN, check_plan
from emulator.clock import Clock
from emulator.store.db import Database
from emulator.store.schema_accounts import password_resets, refresh_tokens, users

ACCESS_TTL = timedelta(days=7)  # stepIQ's JWT lifetime
REFRESH_TTL = timedelta(days=30)
RESET_TTL = timedelta(hours=1)
DEFAULT_PLAN = STEPIQ_DEFAULT_PLAN
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def digest(token: str) -> str:
    """The stored form of a token or key (any string, even one with lone surrogates)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Session:
    user: User
    token: str
    refresh_token: str
    expires_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "user": self.user.to_json(),
            "token": self.token,
            "refresh_token": self.refresh_token,
            "token_type": "Bearer",
            "expires_in": int(ACCESS_TTL.total_seconds()),
        }


def check_email(email: object) -> str:
    if not isinstance(email, str) or len(email) > 320 or not _EMAIL.match(email.strip()):
        raise invalid("email", "must be a valid email address")
    return email.strip().lower()


def _user(row: Any) -> User:
    return User(row.id, row.email, row.name, row.plan, aware(row.created_at))


class Users:
    def __init__(
        self, db: Database, clock: Clock, jwt_key: bytes, default_plan: str = DEFAULT_PLAN
    ) -> None:
        self.db = db
        self.clock = clock
        self._jwt_key = jwt_key
        self.default_plan = check_plan(default_plan)

    # ------------------------------------------------------------------ registration

    def register(self, email: object, password: object, name: object = None) -> Session:
        email = check_email(email)
        password = check_password(password)
        if name is not None and (not isinstance(name, str) or len(name) > 200):
            raise invalid("name", "must be a string of at most 200 characters")
        password_hash = hash_password(password)
        now = self.clock.now()
        user = User(str(uuid.uuid4()), email, name or None, self.default_plan, now)
        with self.db.begin() as conn:
            if conn.execute(select(users.c.id).where(users.c.email == email)).first():
                raise EmailTaken("Email already registered")
            conn.execute(
                users.insert().values(
                    id=user.id, email=email, password_hash=password_hash, name=user.name,
                    plan=user.plan, created_at=now, updated_at=now, password_changed_at=now,
                )
            )
            return self._session(conn, user, str(uuid.uuid4()))

    def login(self, email: object, password: object) -> Session:
        if not isinstance(email, str) or not isinstance(password, str):
            raise InvalidCredentials("Invalid credentials")
        with self.db.begin() as conn:
            row = conn.execute(select(users).where(users.c.email == email.strip().lower())).first()
        # Verify even for an unknown email, so both cost the same.
        ok = verify_password(password, row.password_hash if row else DUMMY_HASH)
        if row is None or not ok:
            raise InvalidCredentials("Invalid credentials")
        with self.db.begin() as conn:
            return self._session(conn, _user(row), str(uuid.uuid4()))

    def get(self, user_id: str) -> User:
        with self.db.begin() as conn:
            row = conn.execute(select(users).where(users.c.id == user_id)).first()
        if row is None:
            raise NotFound("User not found")
        return _user(row)

    def set_plan(self, user_id: str, plan: object) -> User:
        """Change a user's plan (``PUT /api/user/plan`` on a development server)."""
        plan = check_plan(plan)
        with self.db.begin() as conn:
            done = conn.execute(
                update(users).where(users.c.id == user_id).values(
                    plan=plan, updated_at=self.clock.now()
                )
            ).rowcount
        if done != 1:
            raise NotFound("User not found")
        return self.get(user_id)

    # ------------------------------------------------------------------ tokens

    def _session(self, conn: Connection, user: User, family_id: str) -> Session:
        now = self.clock.now()
        iat = int(now.timestamp())
        expires = now + ACCESS_TTL
        claims = {"sub": user.id, "plan": user.plan, "iat": iat, "exp": int(expires.timestamp())}
        refresh = "rt_" + secrets.token_urlsafe(32)
        conn.execute(
            refresh_tokens.insert().values(
                id=str(uuid.uuid4()), user_id=user.id, family_id=family_id,
                token_hash=digest(refresh), created_at=now, expires_at=now + REFRESH_TTL,
            )
        )
        return Session(user, jwt.encode(claims, self._jwt_key), refresh, expires)

    def verify_access_token(self, token: str) -> tuple[User, dict[str, Any]]:
        """The user of a valid access token (its user still exists, and it was issued no
        earlier than the user's last password change)."""
        claims = jwt.decode(token, self._jwt_key, self.clock.now().timestamp())
        with self.db.begin() as conn:
            row = conn.execute(select(users).where(users.c.id == claims["sub"])).first()
        if row is None:
            raise InvalidToken("Invalid token")
        if claims["iat"] < int(aware(row.password_changed_at).timestamp()):
            raise InvalidToken("Token revoked: the password has changed")
        return _user(row), claims

    def refresh(self, refresh_token: object) -> Session:
        if not isinstance(refresh_token, str) or not refresh_token:
            raise invalid("refresh_token", "is required")
        now = self.clock.now()
        with self.db.begin() as conn:
            row = conn.execute(
                select(refresh_tokens).where(refresh_tokens.c.token_hash == digest(refresh_token))
            ).first()
            if row is None or row.revoked_at is not None or aware(row.expires_at) <= now:
                raise InvalidToken("Invalid refresh token")
            if row.used_at is not None:
                # Reuse of a rotated token: revoke the whole login.
                conn.execute(
                    update(refresh_tokens)
                    .where(refresh_tokens.c.family_id == row.family_id)
                    .where(refresh_tokens.c.revoked_at.is_(None))
                    .values(revoked_at=now)
                )
                reused = True
            else:
                claimed = conn.execute(
                    update(refresh_tokens)
                    .where(refresh_tokens.c.id == row.id)
                    .where(refresh_tokens.c.used_at.is_(None))
                    .values(used_at=now)
                ).rowcount
                reused = claimed != 1
                user_row = conn.execute(select(users).where(users.c.id == row.user_id)).first()
                if not reused and user_row is not None:
                    return self._session(conn, _user(user_row), row.family_id)
        if reused:
            raise InvalidToken("Refresh token already used: every token of this login is revoked")
        raise InvalidToken("Invalid refresh token")

    # ------------------------------------------------------------------ password reset

    def forgot(self, email: object) -> tuple[str, str] | None:
        """A single-use reset token (valid one hour) and the user id, or None for an
        unknown email (the caller answers the same either way)."""
        email = check_email(email)
        now = self.clock.now()
        with self.db.begin() as conn:
            row = conn.execute(select(users.c.id).where(users.c.email == email)).first()
            if row is None:
                return None
            token = "rst_" + secrets.token_urlsafe(32)
            conn.execute(
                password_resets.insert().values(
                    id=str(uuid.uuid4()), user_id=row.id, token_hash=digest(token),
                    created_at=now, expires_at=now + RESET_TTL,
                )
            )
            return token, str(row.id)

    def reset(self, token: object, password: object) -> User:
        if not isinstance(token, str) or not token:
            raise invalid("token", "is required")
        password = check_password(password)
        password_hash = hash_password(password)
        now = self.clock.now()
        with self.db.begin() as conn:
            row = conn.execute(
                select(password_resets).where(password_resets.c.token_hash == digest(token))
            ).first()
            if row is None or row.used_at is not None or aware(row.expires_at) <= now:
                raise InvalidToken("Invalid or expired reset token")
            conn.execute(
                update(password_resets).where(password_resets.c.id == row.id).values(used_at=now)
            )
            conn.execute(
                update(users).where(users.c.id == row.user_id).values(
                    password_hash=password_hash, updated_at=now, password_changed_at=now
                )
            )
            conn.execute(
                update(refresh_tokens)
                .where(refresh_tokens.c.user_id == row.user_id)
                .where(refresh_tokens.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            user_row = conn.execute(select(users).where(users.c.id == row.user_id)).one()
        return _user(user_row)
