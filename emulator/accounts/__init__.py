"""Accounts: users and sessions, API keys, and secrets encrypted at rest.

    accounts = Accounts(db, clock, secret_key)       # secret_key: keyring.load_secret_key(db)
    session = accounts.register(email, password, name)        # .user .token .refresh_token
    principal = accounts.authenticate_token(jwt) | accounts.authenticate_api_key(key)
    accounts.put_secret(user_id, "OPENAI_API_KEY", value, pipeline_id=None)
    accounts.get_secret(user_id, "OPENAI_API_KEY", pipeline_id)  # pipeline's, else global

Parts: ``users`` (passwords, JWT access tokens, rotating refresh tokens, password resets,
the plan), ``plans`` (stepIQ's PLAN_LIMITS and their checks), ``api_keys`` (refused on a
plan without API access), ``secret_store`` (envelope encryption under per-user keys from
``keyring``).
"""

from __future__ import annotations

from emulator.accounts import keyring, plans
from emulator.accounts.api_keys import ApiKey, ApiKeys
from emulator.accounts.errors import (
    AccountsError,
    EmailTaken,
    InvalidCredentials,
    InvalidRequest,
    InvalidToken,
    NotFound,
)
from emulator.accounts.identity import SCOPES, Principal, User
from emulator.accounts.plans import PLAN_LIMITS, PlanLimitExceeded, PlanLimits, limits_of
from emulator.accounts.secret_store import Secret, Secrets
from emulator.accounts.users import DEFAULT_PLAN, Session, Users
from emulator.clock import Clock
from emulator.store.db import Database

__all__ = [
    "PLAN_LIMITS",
    "SCOPES",
    "Accounts",
    "AccountsError",
    "ApiKey",
    "EmailTaken",
    "InvalidCredentials",
    "InvalidRequest",
    "InvalidToken",
    "NotFound",
    "PlanLimitExceeded",
    "PlanLimits",
    "Principal",
    "Secret",
    "Session",
    "User",
    "limits_of",
]


class Accounts:
    def __init__(
        self, db: Database, clock: Clock, secret_key: bytes, default_plan: str = DEFAULT_PLAN
    ) -> None:
        if len(secret_key) != 32:
            raise ValueError("the secret key must be 32 bytes")
        self.db = db
        self.clock = clock
        self.users = Users(db, clock, keyring.jwt_key(secret_key), default_plan)
        self.api_keys = ApiKeys(db, clock)
        self.secrets = Secrets(db, clock, secret_key)

    # ------------------------------------------------------------------ users and sessions

    def register(self, email: object, password: object, name: object = None) -> Session:
        return self.users.register(email, password, name)

    def login(self, email: object, password: object) -> Session:
        return self.users.login(email, password)

    def refresh(self, refresh_token: object) -> Session:
        return self.users.refresh(refresh_token)

    def forgot(self, email: object) -> str | None:
        """A reset token for a known email, None for an unknown one."""
        found = self.users.forgot(email)
        return None if found is None else found[0]

    def reset(self, token: object, password: object) -> User:
        return self.users.reset(token, password)

    def user(self, user_id: str) -> User:
        return self.users.get(user_id)

    def set_plan(self, user_id: str, plan: object) -> User:
        return self.users.set_plan(user_id, plan)

    def plan_of(self, user_id: str) -> str:
        """The user's plan as stored now (plan checks re-read it, as stepIQ's do)."""
        return self.users.get(user_id).plan

    def authenticate_token(self, token: str) -> Principal:
        user, _ = self.users.verify_access_token(token)
        return Principal(user.id, "jwt", frozenset(SCOPES), user.plan)

    def authenticate_api_key(self, key: str) -> Principal:
        return self.api_keys.authenticate(key)

    # ------------------------------------------------------------------ API keys

    def create_api_key(
        self, user_id: str, name: object = None, scopes: object = None, expires_at: object = None
    ) -> tuple[ApiKey, str]:
        plans.require_api(self.plan_of(user_id))
        return self.api_keys.create(user_id, name, scopes, expires_at)

    def list_api_keys(self, user_id: str) -> list[ApiKey]:
        plans.require_api(self.plan_of(user_id))
        return self.api_keys.for_user(user_id)

    def revoke_api_key(self, user_id: str, key_id: str) -> None:
        self.api_keys.revoke(user_id, key_id)

    # ------------------------------------------------------------------ secrets

    def put_secret(
        self, user_id: str, name: object, value: object, pipeline_id: str | None = None
    ) -> tuple[Secret, bool]:
        return self.secrets.put(user_id, name, value, pipeline_id)

    def list_secrets(self, user_id: str, pipeline_id: str | None = None) -> list[Secret]:
        return self.secrets.for_scope(user_id, pipeline_id)

    def delete_secret(self, user_id: str, name: str, pipeline_id: str | None = None) -> None:
        self.secrets.delete(user_id, name, pipeline_id)

    def get_secret(self, user_id: str, name: str, pipeline_id: str | None = None) -> str | None:
        return self.secrets.get(user_id, name, pipeline_id)

    def secret_lookup(self, owner: str, pipeline_id: str, name: str) -> str | None:
        """The ``emulator.pipelines.secrets.set_lookup`` signature."""
        return self.get_secret(owner, name, pipeline_id or None)
