"""Tables of accounts: users, refresh tokens, password resets, API keys, encrypted secrets,
and the settings row that keeps a generated server key across restarts.

Every token or key is stored as its SHA-256 hex digest, never in plain text; secret values
are stored as AES-256-GCM envelopes (see ``emulator.accounts.envelope``).
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Table, Text, UniqueConstraint

from emulator.store.schema import metadata

TS = DateTime(timezone=True)

settings = Table(
    "settings",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("email", String(320), nullable=False, unique=True),  # stored lower-cased
    Column("password_hash", String(255), nullable=False),
    Column("name", String(200)),
    Column("plan", String(32), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    # Tokens issued before this second are no longer accepted (set by a password reset).
    Column("password_changed_at", TS, nullable=False),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", String(36), nullable=False),
    Column("family_id", String(36), nullable=False),  # every rotation of one login
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", TS, nullable=False),
    Column("expires_at", TS, nullable=False),
    Column("used_at", TS),  # rotated: presenting it again revokes the family
    Column("revoked_at", TS),
    Index("ix_refresh_tokens_user", "user_id"),
)

password_resets = Table(
    "password_resets",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", String(36), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", TS, nullable=False),
    Column("expires_at", TS, nullable=False),
    Column("used_at", TS),
    Index("ix_password_resets_user", "user_id"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", String(36), nullable=False),
    Column("name", String(120)),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("key_prefix", String(16), nullable=False),
    Column("scopes", Text, nullable=False),  # JSON array
    Column("created_at", TS, nullable=False),
    Column("expires_at", TS),
    Column("last_used_at", TS),
    Column("revoked_at", TS),
    Index("ix_api_keys_user", "user_id"),
)

user_secrets = Table(
    "user_secrets",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", String(36), nullable=False),
    # "" for a global secret: an empty string, not NULL, so that the unique constraint
    # holds for global names too (NULLs are distinct in a unique index).
    Column("pipeline_id", String(64), nullable=False),
    Column("name", String(100), nullable=False),
    Column("encrypted_value", Text, nullable=False),  # base64 envelope
    Column("key_version", Integer, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    UniqueConstraint("user_id", "pipeline_id", "name", name="uq_user_secrets_scope_name"),
)
