from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from emulator.accounts import (
    Accounts,
    EmailTaken,
    InvalidCredentials,
    InvalidRequest,
    InvalidToken,
    NotFound,
)
from emulator.clock import VirtualClock
from emulator.store.db import Database
from emulator.store.schema_accounts import api_keys, password_resets, refresh_tokens, user_secrets

START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(START)


@pytest.fixture
def accounts(clock: VirtualClock) -> Accounts:
    # The pro plan: API keys are refused on free (tests/emulator/accounts/test_plans.py).
    return Accounts(Database("sqlite://"), clock, bytes(range(32)), default_plan="pro")


def advance(clock: VirtualClock, **delta: float) -> None:
    asyncio.run(clock.advance(timedelta(**delta).total_seconds()))


def test_register_login_and_duplicates(accounts: Accounts) -> None:
    session = accounts.register(" Ada@Example.org ", "password-1", "Ada")
    assert session.user.email == "ada@example.org"
    assert accounts.authenticate_token(session.token).user_id == session.user.id
    assert accounts.login("ADA@example.org", "password-1").user.id == session.user.id
    with pytest.raises(EmailTaken):
        accounts.register("ada@example.org", "password-2")
    with pytest.raises(InvalidCredentials):
        accounts.login("ada@example.org", "password-2")
    with pytest.raises(InvalidCredentials):
        accounts.login("nobody@example.org", "password-1")
    with pytest.raises(InvalidRequest):
        accounts.register("not-an-email", "password-1")


def test_access_token_expires_after_seven_days(accounts: Accounts, clock: VirtualClock) -> None:
    token = accounts.register("a@example.org", "password-1").token
    advance(clock, days=7, seconds=-1)
    accounts.authenticate_token(token)
    advance(clock, seconds=1)
    with pytest.raises(InvalidToken):
        accounts.authenticate_token(token)


def test_refresh_rotates_and_reuse_revokes_the_login(accounts: Accounts) -> None:
    first = accounts.register("a@example.org", "password-1")
    second = accounts.refresh(first.refresh_token)
    assert second.refresh_token != first.refresh_token
    with pytest.raises(InvalidToken):
        accounts.refresh(first.refresh_token)  # used once already
    with pytest.raises(InvalidToken):
        accounts.refresh(second.refresh_token)  # the replay revoked the whole login
    # Another login is unaffected.
    other = accounts.login("a@example.org", "password-1")
    assert accounts.refresh(other.refresh_token).user.id == first.user.id
    with accounts.db.begin() as conn:
        stored = conn.execute(sa.select(refresh_tokens.c.token_hash)).scalars().all()
    assert first.refresh_token not in stored and len(stored[0]) == 64


def test_refresh_token_expires_after_thirty_days(accounts: Accounts, clock: VirtualClock) -> None:
    session = accounts.register("a@example.org", "password-1")
    advance(clock, days=30)
    with pytest.raises(InvalidToken):
        accounts.refresh(session.refresh_token)


def test_reset_is_single_use_expires_and_revokes_sessions(
    accounts: Accounts, clock: VirtualClock
) -> None:
    session = accounts.register("a@example.org", "password-1")
    assert accounts.forgot("nobody@example.org") is None
    token = accounts.forgot("a@example.org")
    assert token is not None
    advance(clock, seconds=5)
    accounts.reset(token, "password-2")
    with pytest.raises(InvalidToken):
        accounts.reset(token, "password-3")
    with pytest.raises(InvalidCredentials):
        accounts.login("a@example.org", "password-1")
    accounts.login("a@example.org", "password-2")
    with pytest.raises(InvalidToken):
        accounts.authenticate_token(session.token)  # issued before the change
    with pytest.raises(InvalidToken):
        accounts.refresh(session.refresh_token)
    late = accounts.forgot("a@example.org")
    advance(clock, hours=1)
    with pytest.raises(InvalidToken):
        accounts.reset(late, "password-4")
    with accounts.db.begin() as conn:
        hashes = conn.execute(sa.select(password_resets.c.token_hash)).scalars().all()
    assert token not in hashes


def test_api_keys(accounts: Accounts, clock: VirtualClock) -> None:
    user = accounts.register("a@example.org", "password-1").user
    key, plaintext = accounts.create_api_key(user.id, "ci")
    assert plaintext.startswith("sk_live_") and len(plaintext) == 8 + 32
    assert key.key_prefix == plaintext[:16]
    assert key.scopes == ("pipelines:read", "pipelines:execute", "webhooks:trigger")
    principal = accounts.authenticate_api_key(plaintext)
    assert (principal.user_id, principal.via) == (user.id, "api_key")
    assert accounts.list_api_keys(user.id)[0].last_used_at == START
    with accounts.db.begin() as conn:
        row = conn.execute(sa.select(api_keys)).one()
    assert plaintext not in str(tuple(row)) and row.key_hash != plaintext
    accounts.revoke_api_key(user.id, key.id)
    with pytest.raises(InvalidToken):
        accounts.authenticate_api_key(plaintext)
    with pytest.raises(NotFound):
        accounts.revoke_api_key(user.id, key.id)
    _, secret = accounts.create_api_key(
        user.id, scopes=["webhooks:trigger"], expires_at="2026-01-01T00:10:00Z"
    )
    assert accounts.authenticate_api_key(secret).scopes == frozenset({"webhooks:trigger"})
    advance(clock, minutes=10)
    with pytest.raises(InvalidToken, match="expired"):
        accounts.authenticate_api_key(secret)
    with pytest.raises(InvalidRequest):
        accounts.create_api_key(user.id, scopes=["admin"])
    with pytest.raises(InvalidRequest):
        accounts.create_api_key(user.id, expires_at="2025-01-01T00:00:00Z")


def test_secrets_scoping_and_encryption_at_rest(accounts: Accounts) -> None:
    a = accounts.register("a@example.org", "password-1").user.id
    b = accounts.register("b@example.org", "password-1").user.id
    _, created = accounts.put_secret(a, "API_TOKEN", "global-value")
    assert created
    _, created = accounts.put_secret(a, "API_TOKEN", "global-value-2")
    assert not created
    accounts.put_secret(a, "API_TOKEN", "pipeline-value", pipeline_id="p1")
    assert accounts.get_secret(a, "API_TOKEN") == "global-value-2"
    assert accounts.get_secret(a, "API_TOKEN", "p1") == "pipeline-value"
    assert accounts.get_secret(a, "API_TOKEN", "p2") == "global-value-2"
    assert accounts.get_secret(b, "API_TOKEN") is None
    assert [s.name for s in accounts.list_secrets(a)] == ["API_TOKEN"]
    with accounts.db.begin() as conn:
        blobs = conn.execute(sa.select(user_secrets.c.encrypted_value)).scalars().all()
    assert len(blobs) == 2 and not any("value" in blob for blob in blobs)
    accounts.delete_secret(a, "API_TOKEN", "p1")
    assert accounts.get_secret(a, "API_TOKEN", "p1") == "global-value-2"
    for name in ("1BAD", "has-dash", "x" * 101, ""):
        with pytest.raises(InvalidRequest):
            accounts.put_secret(a, name, "v")
    for value in ("", "x" * 10_001):
        with pytest.raises(InvalidRequest):
            accounts.put_secret(a, "OK", value)
    accounts.put_secret(a, "x" * 100, "y" * 10_000)


def test_a_blob_moved_to_another_row_does_not_decrypt(accounts: Accounts) -> None:
    a = accounts.register("a@example.org", "password-1").user.id
    accounts.put_secret(a, "ONE", "first")
    accounts.put_secret(a, "TWO", "second")
    with accounts.db.begin() as conn:
        one = conn.execute(
            sa.select(user_secrets.c.encrypted_value).where(user_secrets.c.name == "ONE")
        ).scalar_one()
        conn.execute(
            user_secrets.update().where(user_secrets.c.name == "TWO").values(encrypted_value=one)
        )
    with pytest.raises(ValueError):
        accounts.get_secret(a, "TWO")
