"""The OpenAPI 3.1 document of Stepline's REST surfaces: stepIQ (``/api/…``), Stepflow (under
its base path) and the server's ``/health``; served as YAML at ``GET /openapi.yaml`` and
``GET {stepflow base}/openapi.yaml``.

The document is written by hand, as data (``stepiq_paths``, ``stepflow_paths``, ``schemas``);
a test compares its paths with the routes the application registers, both ways, so neither can
change without the other.  The Step Functions JSON 1.0 API (``POST /`` with ``X-Amz-Target``)
is described by AWS's own service model, and ``/_stepline/clock`` is a test control, so
neither is here.

    document(stepflow_base="/api/stepflow")  -> dict
    render_yaml(document(...))               -> str
"""

from __future__ import annotations

from typing import Any

import yaml  # type: ignore[import-untyped]  # no stubs among the chosen dependencies
from aiohttp import web

from api.openapi import stepflow_paths, stepiq_paths
from api.openapi.components import SECURITY_SCHEMES, Json, error_responses
from api.openapi.schemas import STEPFLOW, STEPIQ

DESCRIPTION = """Stepline serves, next to the AWS Step Functions API, two REST surfaces whose
runs are Step Functions executions: stepIQ (pipelines compiled into state machines; JSON in
snake_case, errors `{error, code, issues?, details?}`) and Stepflow (workflows triggered by
id; camelCase, errors `{error, code}`)."""


def document(stepflow_base: str = "/api/stepflow") -> Json:
    from api.stepflow.handlers import version

    paths: Json = {
        **stepflow_paths.server_paths(),
        **stepiq_paths.paths(),
        **stepflow_paths.paths(stepflow_base),
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Stepline REST API", "version": version(),
                 "description": " ".join(DESCRIPTION.split()),
                 "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"}},
        "servers": [{"url": "/"}],
        "tags": [{"name": name} for name in (
            "Server", "stepIQ auth", "stepIQ user", "stepIQ pipelines", "stepIQ runs",
            "stepIQ schedules", "stepIQ models", "Stepflow")],
        "paths": paths,
        "components": {
            "schemas": {**STEPIQ, **STEPFLOW},
            "responses": error_responses(),
            "securitySchemes": SECURITY_SCHEMES,
        },
    }  # fmt: skip


class _Dumper(yaml.SafeDumper):  # type: ignore[misc]
    """Writes shared parts out in full: no ``&id001`` anchors, which some tools reject."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def render_yaml(doc: Json) -> str:
    text: str = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return text


_CACHE = web.AppKey("openapi_yaml", str)


async def serve_openapi(request: web.Request) -> web.StreamResponse:
    app: Any = request.app
    text = app.get(_CACHE)
    if text is None:
        from api.stepflow.handlers import STEPFLOW_KEY

        stepflow = app.get(STEPFLOW_KEY)
        base = stepflow.base_path if stepflow is not None else "/api/stepflow"
        text = render_yaml(document(base))
        app[_CACHE] = text
    return web.Response(text=text, content_type="application/yaml")
