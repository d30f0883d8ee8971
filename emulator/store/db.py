"""The database: an SQLAlchemy engine for a SQLite file (the default) or PostgreSQL.

``Database(url)`` connects, then creates or migrates the schema (see ``migrations``).
``begin()`` is one transaction.  On SQLite every transaction starts with ``BEGIN IMMEDIATE``,
so two writers never deadlock upgrading a read lock; the file runs in WAL mode with
``synchronous=NORMAL`` (a commit is durable against a process crash, which is what the
emulator promises, and costs no fsync).
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import event
from sqlalchemy.pool import StaticPool

from emulator.store import migrations

# How long a SQLite connection waits for another process's write lock before failing.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def default_url() -> str:
    """A SQLite file in the user's data directory ($XDG_DATA_HOME/stepline/stepline.db)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "share"
    )
    return "sqlite:///" + os.path.join(base, "stepline", "stepline.db")


def normalize_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean the psycopg (3) driver, the one we ship."""
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Database:
    """One engine, its dialect name ("sqlite" | "postgresql"), and transactions."""

    def __init__(self, url: str) -> None:
        self.url = normalize_url(url)
        parsed = sqlalchemy.make_url(self.url)
        self.dialect: str = parsed.get_backend_name()
        if self.dialect == "sqlite":
            self.engine: sqlalchemy.Engine = _sqlite_engine(parsed)
        elif self.dialect == "postgresql":
            self.engine = sqlalchemy.create_engine(
                self.url, pool_pre_ping=True, pool_size=5, max_overflow=10
            )
        else:
            raise ValueError(f"unsupported database URL {url!r}: use sqlite:/// or postgresql://")
        migrations.migrate(self.engine, self.dialect)

    def begin(self) -> AbstractContextManager[sqlalchemy.Connection]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        return self.engine.begin()

    def dispose(self) -> None:
        """Close every pooled connection (the object must not be used afterwards)."""
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({self.engine.url.render_as_string(hide_password=True)!r})"


def _sqlite_engine(url: sqlalchemy.URL) -> sqlalchemy.Engine:
    database = url.database or ""
    memory = database in ("", ":memory:") or database.startswith("file::memory:")
    options: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if memory:
        # One connection, or every connection would see its own empty database.
        options["poolclass"] = StaticPool
    else:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = sqlalchemy.create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if not memory:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sqlalchemy.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
