"""The OpenAPI document: it describes exactly the REST routes the application registers (both
ways), it is served at /openapi.yaml and under the Stepflow base, and schemathesis, generating
requests from it against a real server with a user's JWT, finds no server error (5xx)."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml  # type: ignore[import-untyped]
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from serving import Server, start_server, stop_server
from stepflow_client import call

from api.openapi import document
from api.server import make_app
from emulator.clock import make_clock
from emulator.executions import Executions
from emulator.sfn import Services
from emulator.store.db import Database

METHODS = {"get", "post", "put", "patch", "delete"}


def routes(base: str) -> set[tuple[str, str]]:
    """(method, path) of every REST route the application registers: under /api, under the
    Stepflow base, and /health and /openapi.yaml.  HEAD (added with each GET) and the
    catch-all routes (the Step Functions API, CORS preflight, unknown Stepflow paths) are not
    endpoints."""
    with tempfile.TemporaryDirectory() as directory:
        db = Database(f"sqlite:///{Path(directory) / 'routes.db'}")
        services = Services(db, Executions(db, make_clock("virtual", None), {}), "1" * 12, "us-east-1")
        app = make_app(services, stepflow_base_path=base)
        found = set()
        for route in app.router.routes():
            path = route.resource.canonical if route.resource is not None else ""
            if route.method == "HEAD" or "{tail" in path:
                continue
            if path.startswith(("/api/", base + "/")) or path in ("/health", "/openapi.yaml"):
                found.add((route.method.lower(), path))
        db.dispose()
    return found


def documented(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method, path)
        for path, item in doc["paths"].items()
        for method in item
        if method in METHODS
    }


@pytest.mark.parametrize("base", ["/api/stepflow", "/stepflow/v1"])
def test_the_document_and_the_routes_match_both_ways(base: str) -> None:
    registered = routes(base)
    described = documented(document(base))
    assert registered - described == set(), "routes missing from the document"
    assert described - registered == set(), "documented paths with no route"
    assert ("post", f"{base}/trigger/{{workflowId}}") in described
    assert ("get", "/api/runs/{id}/stream") in described


def test_every_operation_is_complete() -> None:
    doc = document()
    ids = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            ids.append(op["operationId"])
            assert op["responses"], (method, path)
            names = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert names == {part[1:-1] for part in path.split("/") if part.startswith("{")}, (
                method, path,
            )  # fmt: skip
    assert len(ids) == len(set(ids))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("openapi") / "stepline.db")
    try:
        yield running
    finally:
        stop_server(running)


def test_the_document_is_served_in_both_places(served: Server) -> None:
    texts = []
    for path in ("/openapi.yaml", "/api/stepflow/openapi.yaml"):
        status, text = call(served.endpoint, "GET", path)
        assert status == 200
        texts.append(text)
    assert texts[0] == texts[1]
    loaded = yaml.safe_load(texts[0])
    assert loaded == document("/api/stepflow")
    assert loaded["openapi"] == "3.1.0"


@pytest.fixture(scope="module")
def jwt(served: Server) -> str:
    status, session = call(served.endpoint, "POST", "/api/auth/register", {
        "email": f"fuzz-{uuid.uuid4().hex[:8]}@example.com", "password": "correct horse battery",
    })  # fmt: skip
    assert status == 201, session
    return str(session["token"])


@pytest.fixture(scope="module")
def api_schema(served: Server) -> Any:
    status, text = call(served.endpoint, "GET", "/openapi.yaml")
    assert status == 200
    # Loaded as data (from_url would leave out the document's own URL, GET /openapi.yaml).
    return schemathesis.openapi.from_dict(yaml.safe_load(text))


def test_no_endpoint_answers_a_server_error(api_schema: Any, served: Server, jwt: str) -> None:
    """schemathesis generates requests for every operation of the document (a few each,
    seeded) and none is answered with a 5xx.  Driven with hypothesis directly rather than
    through schemathesis's pytest plugin, so the test does not depend on pytest's internals."""
    exercised: set[tuple[str, str]] = set()
    operations = [result.ok() for result in api_schema.get_all_operations()]
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=4,
            derandomize=True,  # seeded: the same requests on every run
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case: Any) -> None:
            response = case.call(
                base_url=served.endpoint, headers={"Authorization": f"Bearer {jwt}"}, timeout=20
            )
            exercised.add((case.operation.method.lower(), case.operation.path))
            case.validate_response(response, checks=[not_a_server_error])

        check()
    # Nothing was skipped: every documented operation was called.
    assert documented(document("/api/stepflow")) - exercised == set()
