"""Databases for emulator tests: a SQLite file, or a fresh schema on PostgreSQL.

PostgreSQL tests read ``STEPLINE_TEST_POSTGRES_URL``; when it is unset they use the local
server on 127.0.0.1:5432 if one answers, and are skipped only if none does.  Each test gets
its own schema (``search_path``), dropped afterwards, so runs never see each other's rows.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def _conninfo(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def postgres_base_url() -> str | None:
    url = os.environ.get("STEPLINE_TEST_POSTGRES_URL")
    if url:
        return url
    try:
        with psycopg.connect(LOCAL_POSTGRES, connect_timeout=2):
            return LOCAL_POSTGRES
    except psycopg.Error:
        return None


def fresh_postgres_schema() -> Iterator[str]:
    """A database URL whose tables live in a schema of their own, dropped afterwards."""
    base = postgres_base_url()
    if base is None:
        pytest.skip("no PostgreSQL server answers and STEPLINE_TEST_POSTGRES_URL is unset")
    schema = "t_" + secrets.token_hex(6)
    with psycopg.connect(_conninfo(base), autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(_conninfo(base), autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def sqlite_file_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'stepline.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test using it runs once on a SQLite file and once on PostgreSQL."""
    if request.param == "sqlite":
        yield sqlite_file_url(tmp_path)
    else:
        yield from fresh_postgres_schema()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from fresh_postgres_schema()
