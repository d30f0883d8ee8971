"""Fixtures of the stepIQ surface tests: a ``stepline serve`` process started with
``STEPLINE_DEV=1`` (so forgot-password returns the reset token)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from serving import start_server, stop_server
from stepiq_client import Api


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    db = tmp_path_factory.mktemp("stepiq") / "stepline.db"
    previous = os.environ.get("STEPLINE_DEV")
    os.environ["STEPLINE_DEV"] = "1"
    try:
        server = start_server(db)
    finally:
        if previous is None:
            del os.environ["STEPLINE_DEV"]
        else:
            os.environ["STEPLINE_DEV"] = previous
    try:
        yield Api(server, db)
    finally:
        stop_server(server)
