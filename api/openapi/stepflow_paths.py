"""The Stepflow surface's paths (under its base path) and the server's own /health and
/openapi.yaml."""

from __future__ import annotations

from api.openapi.components import (
    ANY,
    OBJECT,
    PUBLIC,
    STRING,
    Json,
    body,
    operation,
    path_param,
    query_param,
    ref,
    response,
    stepflow_errors,
)

TAG = "Stepflow"
TAG_SERVER = "Server"
# Stepflow's default is open (see api.stepflow.auth); with --stepflow-auth api-key these apply.
CALLER: list[Json] = [{}, {"apiKeyHeader": []}, {"bearerAuth": []}]
READER: list[Json] = [{}, {"publicAccessToken": []}, {"apiKeyHeader": []}, {"bearerAuth": []}]
RUN_ID = path_param("runId", "The run's id (run_…)")
TOKEN = query_param("token", "The run's public access token (pat_…)")
STREAM_DOC = """Server-Sent Events; every event carries `id:` (a history event id), so a client
resumes with `Last-Event-ID`.  Events: `status` {status, stepName} (a step started, retried or
resumed), `step` {name, status, result} (a step completed, failed, was cancelled, or started
waiting), `error` {status, error, cause} (the run failed), `complete` {status, result} (the run
finished; the stream ends).  Comment lines keep the connection alive."""


def _health(operation_id: str) -> Json:
    return {"get": operation(
        operation_id, "Service health", TAG_SERVER if operation_id == "health" else TAG,
        {"200": response("Healthy", ref("Health"))}, security=PUBLIC,
    )}  # fmt: skip


def _openapi(operation_id: str) -> Json:
    return {"get": operation(
        operation_id, "This OpenAPI 3.1 document (YAML)",
        TAG_SERVER if operation_id == "openapi" else TAG,
        {"200": response("The document", OBJECT, "application/yaml")}, security=PUBLIC,
    )}  # fmt: skip


def server_paths() -> Json:
    return {"/health": _health("health"), "/openapi.yaml": _openapi("openapi")}


def paths(base: str) -> Json:
    out: Json = {
        base + "/trigger/{workflowId}": {"post": operation(
            "stepflowTrigger", "Start a workflow run", TAG,
            {"200": response("Triggered", ref("TriggerResponse")),
             **stepflow_errors("400", "401", "404")},
            security=CALLER,
            parameters=[path_param(
                "workflowId",
                "A state machine's name (or ARN) in the caller's account and region, or one "
                "of the caller's stepIQ pipelines (id or name)",
            )],
            request_body=body(OBJECT, required=False, description="The run's input object"),
        )},
        base + "/runs/{runId}": {"get": operation(
            "stepflowGetRun", "A run and its steps", TAG,
            {"200": response("The run", ref("StepflowRun")),
             **stepflow_errors("401", "404")},
            security=READER, parameters=[RUN_ID, TOKEN],
        )},
        base + "/runs/{runId}/stream": {"get": operation(
            "stepflowStreamRun", "Subscribe to a run's updates (Server-Sent Events)", TAG,
            {"200": response("text/event-stream", STRING, "text/event-stream"),
             **stepflow_errors("400", "401", "404")},
            security=READER, description=STREAM_DOC,
            parameters=[
                RUN_ID, TOKEN,
                query_param("last_event_id", "Resume after this event id",
                            {"type": "integer", "minimum": 0}),
                {"name": "Last-Event-ID", "in": "header", "required": False,
                 "schema": {"type": "string", "pattern": "^[0-9]*$"},
                 "description": "Resume after this event id"},
            ],
        )},
        base + "/notify/{eventId}": {"post": operation(
            "stepflowNotify", "Send an event: every run waiting for it resumes", TAG,
            {"200": response("Delivered", ref("NotifyResponse")),
             **stepflow_errors("400", "401", "404")},
            security=CALLER,
            parameters=[path_param("eventId", "The event's id (a waitForEvent task's EventId)")],
            request_body=body(ANY, required=False,
                              description="The event's payload (the waiting task's result)"),
        )},
    }  # fmt: skip
    if base:
        out[base + "/health"] = _health("stepflowHealth")
        out[base + "/openapi.yaml"] = _openapi("stepflowOpenapi")
    return out
