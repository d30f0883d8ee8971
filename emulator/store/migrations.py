"""Create the schema in an empty database, or bring an older one up to ``SCHEMA_VERSION``.

The ``schema_version`` table holds one row: the version the database is at.  A fresh
database gets every table of ``schema.metadata`` at once.  An older one runs the steps in
``STEPS`` in order, each in the same transaction as the version bump, so a crash never leaves
a half-migrated file.  A database newer than this Stepline is refused rather than damaged.

To change the schema: edit ``schema.py``, bump ``SCHEMA_VERSION`` to N, and add
``STEPS[N]`` — a function that turns a version N-1 database into version N.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy
from sqlalchemy import Connection, inspect, select

from emulator.store import schema

Step = Callable[[Connection, str], None]

# STEPS[n] migrates a database at version n-1 to version n.
STEPS: dict[int, Step] = {}


def _add_activity_tasks(connection: Connection, dialect: str) -> None:
    schema.activity_tasks.create(connection)


STEPS[2] = _add_activity_tasks


def _add_new_tables(connection: Connection, dialect: str) -> None:
    """Version 3 adds tables only (pipelines, accounts, schedules, deliveries, execution
    links): create every table of the schema that the database lacks."""
    schema.metadata.create_all(connection, checkfirst=True)


STEPS[3] = _add_new_tables


class SchemaTooNew(RuntimeError):
    """The database was written by a newer Stepline."""


def migrate(engine: sqlalchemy.Engine, dialect: str) -> int:
    """Create or upgrade the schema; returns the version the database is now at."""
    target = schema.SCHEMA_VERSION
    with engine.begin() as connection:
        if dialect == "postgresql":
            # Processes starting together migrate one at a time.
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7106513)")
        current = current_version(connection)
        if current is None:
            schema.metadata.create_all(connection)
            _seed(connection)
            connection.execute(schema.schema_version.insert().values(version=target))
            return target
        if current > target:
            raise SchemaTooNew(
                f"the database is at schema version {current}; this Stepline knows "
                f"version {target} at most: upgrade Stepline"
            )
        for version in range(current + 1, target + 1):
            STEPS[version](connection, dialect)
        if current != target:
            connection.execute(schema.schema_version.update().values(version=target))
        return target


def current_version(connection: Connection) -> int | None:
    """The database's schema version, or None when it has no Stepline schema yet."""
    if not inspect(connection).has_table(schema.schema_version.name):
        return None
    version = connection.execute(select(schema.schema_version.c.version)).scalar()
    return None if version is None else int(version)


def _seed(connection: Connection) -> None:
    connection.execute(schema.counters.insert().values(name="execution_seq", value=0))
