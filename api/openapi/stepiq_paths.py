"""The stepIQ surface's paths (``/api/…``), as ``api/stepiq`` registers them."""

from __future__ import annotations

from api.openapi.components import (
    ANY,
    API_KEY,
    OBJECT,
    PUBLIC,
    SESSION,
    STRING,
    USER,
    Json,
    array,
    body,
    json_content,
    obj,
    operation,
    path_param,
    query_param,
    ref,
    response,
    stepiq_errors,
)

TAG_AUTH, TAG_USER, TAG_PIPELINES = "stepIQ auth", "stepIQ user", "stepIQ pipelines"
TAG_RUNS, TAG_SCHEDULES, TAG_MODELS = "stepIQ runs", "stepIQ schedules", "stepIQ models"
DELETED = obj({"deleted": {"type": "boolean"}}, ("deleted",))
LIMIT = {"type": "integer", "minimum": 1, "maximum": 100}
PIPELINE_ID = path_param("pipeline_id", "The pipeline's id")
ID = path_param("id", "The resource's id")
RUN_ID = path_param("id", "The run's id")
SECRET_NAME = path_param("name", "The secret's name (^[A-Za-z_][A-Za-z0-9_]*$)")
SECRET_BODY = obj({"name": STRING, "value": STRING}, ("name", "value"))
VALUE_BODY = obj({"value": STRING}, ("value",))


def _auth() -> Json:
    session = {"200": response("A session", ref("Session"))}
    return {
        "/api/auth/register": {"post": operation(
            "registerUser", "Sign up with email and password", TAG_AUTH,
            {"201": response("The user and a session", ref("Session")),
             **stepiq_errors("400", "409", "413")},
            security=PUBLIC, request_body=body(ref("Credentials")),
        )},
        "/api/auth/login": {"post": operation(
            "login", "Log in: a JWT access token and a refresh token", TAG_AUTH,
            {**session, **stepiq_errors("400", "401")}, security=PUBLIC,
            request_body=body(obj({"email": STRING, "password": STRING}, ("email", "password"))),
        )},
        "/api/auth/refresh": {"post": operation(
            "refreshToken", "Exchange a refresh token for a new pair (the old one is spent)",
            TAG_AUTH, {**session, **stepiq_errors("400", "401")}, security=PUBLIC,
            request_body=body(obj({"refresh_token": STRING}, ("refresh_token",))),
        )},
        "/api/auth/forgot-password": {"post": operation(
            "forgotPassword", "Issue a password reset token (answers the same for any email)",
            TAG_AUTH,
            {"200": response("Accepted", obj(
                {"sent": {"type": "boolean"}, "message": STRING, "reset_token": STRING,
                 "expires_in_seconds": {"type": "integer"}}, ("sent",))),
             **stepiq_errors("400")},
            security=PUBLIC, request_body=body(obj({"email": STRING}, ("email",))),
        )},
        "/api/auth/reset-password": {"post": operation(
            "resetPassword", "Set a new password with a reset token", TAG_AUTH,
            {"200": response("Reset", obj({"reset": {"type": "boolean"}, "user": ref("User")},
                                          ("reset", "user"))),
             **stepiq_errors("400", "401")},
            security=PUBLIC,
            request_body=body(obj({"token": STRING, "password": STRING}, ("token", "password"))),
        )},
    }  # fmt: skip


def _secrets(prefix: str, scoped: bool, op_prefix: str) -> Json:
    params = [PIPELINE_ID] if scoped else []
    errors = ("401", "403", "404") if scoped else ("401", "403")
    return {
        prefix: {
            "get": operation(
                f"list{op_prefix}Secrets", "List secrets (names only)", TAG_USER,
                {"200": response("Secrets", array(ref("Secret"))), **stepiq_errors(*errors)},
                security=SESSION, parameters=params,
            ),
            "post": operation(
                f"put{op_prefix}Secret", "Create or update an encrypted secret", TAG_USER,
                {"201": response("Created", ref("Secret")),
                 "200": response("Updated", ref("Secret")),
                 **stepiq_errors("400", *errors)},
                security=SESSION, parameters=params, request_body=body(SECRET_BODY),
            ),
        },
        prefix + "/{name}": {
            "put": operation(
                f"update{op_prefix}Secret", "Create or update a secret by name", TAG_USER,
                {"200": response("Updated", ref("Secret")),
                 "201": response("Created", ref("Secret")),
                 **stepiq_errors("400", *errors)},
                security=SESSION, parameters=[*params, SECRET_NAME],
                request_body=body(VALUE_BODY),
            ),
            "delete": operation(
                f"delete{op_prefix}Secret", "Delete a secret", TAG_USER,
                {"200": response("Deleted", DELETED), **stepiq_errors(*errors, "404")},
                security=SESSION, parameters=[*params, SECRET_NAME],
            ),
        },
    }  # fmt: skip


def _user() -> Json:
    key_body = obj(
        {"name": STRING, "scopes": array({"type": "string"}),
         "expires_at": {"type": "string", "format": "date-time"}},
    )  # fmt: skip
    return {
        "/api/user/me": {"get": operation(
            "getMe", "The current user's profile", TAG_USER,
            {"200": response("The user", ref("User")), **stepiq_errors("401", "403")},
            security=USER,
        )},
        "/api/user/usage": {"get": operation(
            "getUsage", "Usage: credits, runs, tokens and cost", TAG_USER,
            {"200": response("Usage", ref("Usage")), **stepiq_errors("401", "403")},
            security=USER,
        )},
        "/api/user/plan": {
            "get": operation(
                "getPlan", "The user's plan and its limits (stepIQ's PLAN_LIMITS; -1: unlimited)",
                TAG_USER, {"200": response("The plan", ref("Plan")), **stepiq_errors("401", "403")},
                security=USER,
            ),
            "put": operation(
                "setPlan", "Change the user's plan: development servers only (STEPLINE_DEV=1); "
                "otherwise 403 PLAN_CHANGE_DISABLED", TAG_USER,
                {"200": response("The new plan", ref("Plan")),
                 **stepiq_errors("400", "401", "403")},
                security=SESSION, request_body=body(obj({"plan": {
                    "type": "string", "enum": ["free", "starter", "pro", "enterprise"]}},
                    ("plan",))),
            ),
        },
        "/api/user/api-keys": {
            "get": operation(
                "listApiKeys", "List API keys (metadata and prefix only)", TAG_USER,
                {"200": response("Keys", array(ref("ApiKey"))), **stepiq_errors("401", "403")},
                security=SESSION,
            ),
            "post": operation(
                "createApiKey", "Create an API key (sk_live_…, shown once)", TAG_USER,
                {"201": response("The key", ref("ApiKeyCreated")),
                 **stepiq_errors("400", "401", "403")},
                security=SESSION, request_body=body(key_body, required=False),
            ),
        },
        "/api/user/api-keys/{key_id}": {"delete": operation(
            "revokeApiKey", "Revoke an API key", TAG_USER,
            {"200": response("Revoked", DELETED), **stepiq_errors("401", "403", "404")},
            security=SESSION, parameters=[path_param("key_id", "The key's id")],
        )},
        **_secrets("/api/user/secrets", False, "User"),
        **_secrets("/api/pipelines/{pipeline_id}/secrets", True, "Pipeline"),
    }  # fmt: skip


def _pipelines() -> Json:
    document = body(
        ref("PipelineInput"),
        description="{name?, description?, definition, tags?} or the pipeline document itself "
        "(JSON here; YAML with Content-Type application/yaml)",
    )
    return {
        "/api/pipelines": {
            "get": operation(
                "listPipelines", "List pipelines, newest first", TAG_PIPELINES,
                {"200": response("A page", ref("PipelineList")),
                 **stepiq_errors("400", "401", "403")},
                security=USER, parameters=[
                    query_param("status", "active (default), archived or all",
                                {"type": "string", "enum": ["active", "archived", "all"]}),
                    query_param("limit", "Page size (1..100)", LIMIT),
                    query_param("cursor", "next_cursor of the previous page"),
                ],
            ),
            "post": operation(
                "createPipeline", "Create a pipeline (compiled to a state machine)",
                TAG_PIPELINES,
                {"201": response("The pipeline", ref("Pipeline")),
                 **stepiq_errors("400", "401", "403", "413", "422")},
                security=SESSION, request_body=document,
            ),
        },
        "/api/pipelines/validate": {"post": operation(
            "validatePipeline", "Validate a pipeline without saving it", TAG_PIPELINES,
            {"200": response("The verdict", ref("Validation")),
             **stepiq_errors("400", "401", "403", "413")},
            security=USER, request_body=document,
        )},
        "/api/pipelines/{id}": {
            "get": operation(
                "getPipeline", "A pipeline with its compiled ASL", TAG_PIPELINES,
                {"200": response("The pipeline", ref("Pipeline")),
                 **stepiq_errors("401", "403", "404")},
                security=USER, parameters=[ID],
            ),
            "put": operation(
                "updatePipeline", "Update (a new version when the definition changes)",
                TAG_PIPELINES,
                {"200": response("The pipeline", ref("Pipeline")),
                 **stepiq_errors("400", "401", "403", "404", "413", "422")},
                security=SESSION, parameters=[ID], request_body=document,
            ),
            "delete": operation(
                "archivePipeline", "Archive a pipeline (soft delete)", TAG_PIPELINES,
                {"200": response("Archived", obj({"archived": {"type": "boolean"}, "id": STRING,
                                                  "status": STRING})),
                 **stepiq_errors("401", "403", "404")},
                security=SESSION, parameters=[ID],
            ),
        },
        "/api/pipelines/{id}/versions": {"get": operation(
            "listPipelineVersions", "Every version of a pipeline, with its definition",
            TAG_PIPELINES,
            {"200": response("Versions", obj({"versions": array(OBJECT)}, ("versions",))),
             **stepiq_errors("401", "403", "404")},
            security=USER, parameters=[ID],
        )},
        "/api/pipelines/{id}/run": {"post": operation(
            "runPipeline", "Trigger a run", TAG_PIPELINES,
            {"202": response("The run (pending)", ref("Run")),
             **stepiq_errors("400", "401", "403", "404", "409", "413", "422")},
            security=USER, request_body=body(obj({"input_data": OBJECT}), required=False),
            parameters=[ID, {"name": "Idempotency-Key", "in": "header", "required": False,
                             "schema": STRING,
                             "description": "Runs with the same key are one run"}],
        )},
        "/api/webhooks/{pipeline_id}": {"post": operation(
            "webhookTrigger", "Trigger a run from another system (API key)", TAG_PIPELINES,
            {"202": response("Accepted", obj(
                {"accepted": {"type": "boolean"}, "run_id": STRING, "status": STRING,
                 "pipeline_id": STRING}, ("accepted", "run_id", "status", "pipeline_id"))),
             **stepiq_errors("400", "401", "403", "404", "413", "422")},
            security=API_KEY, parameters=[PIPELINE_ID],
            request_body=body(OBJECT, description='{"input_data": {...}} or a top-level object'),
        )},
    }  # fmt: skip


def _runs() -> Json:
    run = {"200": response("The run", ref("Run"))}
    return {
        "/api/runs": {"get": operation(
            "listRuns", "List runs, newest first", TAG_RUNS,
            {"200": response("A page", ref("RunList")), **stepiq_errors("400", "401", "403")},
            security=USER, parameters=[
                query_param("pipeline_id", "Only this pipeline's runs"),
                query_param("status", "A run status", {"type": "string", "enum": [
                    "pending", "running", "completed", "failed", "cancelled"]}),
                query_param("trigger_type", "manual, api, cron, webhook or retry"),
                query_param("created_after", "ISO 8601", {"type": "string", "format": "date-time"}),
                query_param("created_before", "ISO 8601",
                            {"type": "string", "format": "date-time"}),
                query_param("limit", "Page size (1..100)", LIMIT),
                query_param("cursor", "next_cursor of the previous page"),
            ],
        )},
        "/api/runs/{id}": {"get": operation(
            "getRun", "A run with its steps (tokens and cost per step)", TAG_RUNS,
            {**run, **stepiq_errors("401", "403", "404")}, security=USER, parameters=[RUN_ID],
        )},
        "/api/runs/{id}/stream": {"get": operation(
            "streamRun", "Server-Sent Events until the run ends", TAG_RUNS,
            {"200": response("text/event-stream; every event has id: (a history event id)",
                             STRING, "text/event-stream"),
             **stepiq_errors("400", "401", "403", "404")},
            security=USER, parameters=[
                RUN_ID,
                query_param("last_event_id", "Resume after this event id",
                            {"type": "integer", "minimum": 0}),
                {"name": "Last-Event-ID", "in": "header", "required": False,
                 "schema": STRING, "description": "Resume after this event id"},
            ],
        )},
        "/api/runs/{id}/deliveries": {"get": operation(
            "listDeliveries", "Outbound webhook deliveries of a run, with every attempt",
            TAG_RUNS,
            {"200": response("Deliveries", ANY), **stepiq_errors("401", "403", "404")},
            security=USER, parameters=[RUN_ID],
        )},
        "/api/runs/{id}/deliveries/{delivery_id}/redeliver": {"post": operation(
            "redeliver", "Send a delivery's event again (a new delivery)", TAG_RUNS,
            {"202": response("The new delivery", ANY), **stepiq_errors("401", "403", "404", "409")},
            security=USER, parameters=[RUN_ID, path_param("delivery_id", "The delivery's id")],
        )},
        "/api/runs/{id}/cancel": {"post": operation(
            "cancelRun", "Cancel a run (stops its execution)", TAG_RUNS,
            {"200": response("Cancelled", obj({"cancelled": {"type": "boolean"},
                                               "run": ref("Run")})),
             **stepiq_errors("401", "403", "404", "409")},
            security=USER, parameters=[RUN_ID],
        )},
        "/api/runs/{id}/retry": {"post": operation(
            "retryRun", "Run again (rerun) or resume from the failure (redrive)", TAG_RUNS,
            {"202": response("The new or redriven run", ref("Run")),
             **stepiq_errors("400", "401", "403", "404", "409")},
            security=USER, parameters=[
                RUN_ID,
                query_param("mode", "rerun (default) or redrive",
                            {"type": "string", "enum": ["rerun", "redrive"]}),
            ],
        )},
        "/api/runs/{id}/steps/{step_id}/approve": {"post": operation(
            "approveStep", "Approve a human_review step (the body is its result)", TAG_RUNS,
            {**run, **stepiq_errors("400", "401", "403", "404", "409")},
            security=USER, parameters=[RUN_ID, path_param("step_id", "The step's id")],
            request_body=body(ANY, required=False),
        )},
        "/api/runs/{id}/steps/{step_id}/reject": {"post": operation(
            "rejectStep", "Reject a human_review step", TAG_RUNS,
            {**run, **stepiq_errors("400", "401", "403", "404", "409")},
            security=USER, parameters=[RUN_ID, path_param("step_id", "The step's id")],
            request_body=body(obj({"reason": STRING}), required=False),
        )},
    }  # fmt: skip


def _schedules() -> Json:
    schedule = {"200": response("The schedule", ref("Schedule"))}
    return {
        "/api/schedules/upcoming": {"get": operation(
            "upcomingSchedules", "The next fire times across enabled schedules", TAG_SCHEDULES,
            {"200": response("Upcoming", obj({"upcoming": array(OBJECT)}, ("upcoming",))),
             **stepiq_errors("400", "401", "403")},
            security=USER, parameters=[query_param("limit", "How many (1..100, default 10)",
                                                   LIMIT)],
        )},
        "/api/pipelines/{pipeline_id}/schedules": {
            "get": operation(
                "listSchedules", "A pipeline's schedules", TAG_SCHEDULES,
                {"200": response("Schedules", array(ref("Schedule"))),
                 **stepiq_errors("401", "403", "404")},
                security=USER, parameters=[PIPELINE_ID],
            ),
            "post": operation(
                "createSchedule", "Schedule a pipeline (5-field cron, IANA time zone)",
                TAG_SCHEDULES,
                {"201": response("The schedule", ref("Schedule")),
                 **stepiq_errors("400", "401", "403", "404", "422")},
                security=SESSION, parameters=[PIPELINE_ID],
                request_body=body(ref("ScheduleInput")),
            ),
        },
        "/api/schedules/{id}/enable": {"post": operation(
            "enableSchedule", "Enable a schedule", TAG_SCHEDULES,
            {**schedule, **stepiq_errors("401", "403", "404")}, security=SESSION,
            parameters=[ID],
        )},
        "/api/schedules/{id}/disable": {"post": operation(
            "disableSchedule", "Disable a schedule", TAG_SCHEDULES,
            {**schedule, **stepiq_errors("401", "403", "404")}, security=SESSION,
            parameters=[ID],
        )},
        "/api/schedules/{id}": {"delete": operation(
            "deleteSchedule", "Delete a schedule", TAG_SCHEDULES,
            {"200": response("Deleted", DELETED), **stepiq_errors("401", "403", "404")},
            security=SESSION, parameters=[ID],
        )},
    }  # fmt: skip


def _models() -> Json:
    return {
        "/api/models": {"get": operation(
            "listModels", "The models Stepline can call, with prices", TAG_MODELS,
            {"200": response("Models", array(ref("Model")))},
            security=PUBLIC, parameters=[query_param("provider", "Only this provider's")],
        )},
    }  # fmt: skip


def paths() -> Json:
    return {**_auth(), **_user(), **_pipelines(), **_runs(), **_schedules(), **_models()}


__all__ = ["json_content", "paths"]
