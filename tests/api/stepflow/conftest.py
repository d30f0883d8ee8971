"""Fixtures of the Stepflow surface tests: one ``stepline serve`` process per module; every
server started under this directory gives new users the pro plan (``STEPLINE_DEFAULT_PLAN``),
since these tests use stepIQ API keys, which the free plan refuses."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from serving import Server, start_server, stop_server


@pytest.fixture(scope="package", autouse=True)
def pro_plan() -> Iterator[None]:
    previous = os.environ.get("STEPLINE_DEFAULT_PLAN")
    os.environ["STEPLINE_DEFAULT_PLAN"] = "pro"
    try:
        yield
    finally:
        if previous is None:
            del os.environ["STEPLINE_DEFAULT_PLAN"]
        else:
            os.environ["STEPLINE_DEFAULT_PLAN"] = previous


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("stepflow") / "stepline.db")
    try:
        yield running
    finally:
        stop_server(running)
