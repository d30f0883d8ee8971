"""``stepline serve --stepflow-base-path``: the surface, its health and its document move."""

from __future__ import annotations

from pathlib import Path

import yaml  # type: ignore[import-untyped]
from serving import start_server, stop_server, unique
from stepflow_client import call, create_machine


def test_the_surface_is_served_under_the_configured_base(tmp_path: Path) -> None:
    server = start_server(tmp_path / "stepline.db", "--stepflow-base-path", "flows/v1/")
    try:
        status, health = call(server.endpoint, "GET", "/flows/v1/health")
        assert (status, health["status"]) == (200, "ok")
        assert call(server.endpoint, "GET", "/api/stepflow/health")[0] == 404
        name = unique("moved")
        create_machine(server.endpoint, name, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
        status, run = call(server.endpoint, "POST", f"/flows/v1/trigger/{name}", {"a": 1})
        assert status == 200, run
        status, body = call(server.endpoint, "GET", f"/flows/v1/runs/{run['runId']}")
        assert (status, body["input"]) == (200, {"a": 1})
        status, text = call(server.endpoint, "GET", "/flows/v1/openapi.yaml")
        assert status == 200
        paths = yaml.safe_load(text)["paths"]
        assert "/flows/v1/trigger/{workflowId}" in paths
        assert not any(path.startswith("/api/stepflow") for path in paths)
    finally:
        stop_server(server)
