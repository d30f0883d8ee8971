"""Fixtures of the API tests: one ``stepline serve`` process for the session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from serving import Server, client, start_server, stop_server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("serve") / "stepline.db")
    try:
        yield running
    finally:
        stop_server(running)


@pytest.fixture(scope="session")
def sfn(server: Server) -> Any:
    # inject_host_prefix=False: StartSyncExecution and TestState go to the endpoint itself,
    # not to "sync-127.0.0.1" (see docs on the sync- host prefix).
    return client(server.endpoint, inject_host_prefix=False)


