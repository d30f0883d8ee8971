"""Fixtures of the stepIQ surface tests: a ``stepline serve`` process started with
``STEPLINE_DEV=1`` (so forgot-password returns the reset token) and
``STEPLINE_DEFAULT_PLAN=pro``, as every server started under this directory (``pro_plan``):
these tests use API keys, webhooks and schedules, which the free plan refuses; test_plans.py
tests the limits of every plan."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from serving import start_server, stop_server
from stepiq_client import Api, environment


@pytest.fixture(scope="package", autouse=True)
def pro_plan() -> Iterator[None]:
    """Every server these tests start gives new users the pro plan (STEPLINE_DEFAULT_PLAN);
    test_plans.py starts its own with the plan each test names."""
    with environment(STEPLINE_DEFAULT_PLAN="pro"):
        yield


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    db = tmp_path_factory.mktemp("stepiq") / "stepline.db"
    with environment(STEPLINE_DEV="1"):
        server = start_server(db)
    try:
        yield Api(server, db)
    finally:
        stop_server(server)
