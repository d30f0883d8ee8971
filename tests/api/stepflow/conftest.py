"""Fixtures of the Stepflow surface tests: one ``stepline serve`` process per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from serving import Server, start_server, stop_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("stepflow") / "stepline.db")
    try:
        yield running
    finally:
        stop_server(running)
