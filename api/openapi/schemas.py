"""The document's component schemas: stepIQ's (snake_case) and Stepflow's (camelCase)."""

from __future__ import annotations

from api.openapi.components import (
    ANY,
    NULLABLE_STRING,
    OBJECT,
    STRING,
    TIME,
    Json,
    array,
    obj,
    ref,
)
from emulator.runviews import STEP_STATUSES

RUN_STATUSES = ["pending", "running", "completed", "failed", "cancelled"]
SCOPES = ["pipelines:read", "pipelines:execute", "webhooks:trigger"]
ISSUE = obj({"field": STRING, "message": STRING}, ("field", "message"))

# fmt: off
STEPIQ: Json = {
    "Error": obj(
        {"error": STRING, "code": STRING, "issues": array(ISSUE), "details": ANY},
        ("error", "code"),
    ),
    "User": obj(
        {"id": STRING, "email": STRING, "name": NULLABLE_STRING, "plan": STRING,
         "created_at": TIME},
        ("id", "email"),
    ),
    "Session": obj(
        {"user": ref("User"), "token": STRING, "refresh_token": STRING,
         "token_type": STRING, "expires_in": {"type": "integer"}},
        ("user", "token", "refresh_token"),
    ),
    "Credentials": obj(
        {"email": {"type": "string", "format": "email"}, "password": STRING, "name": STRING},
        ("email", "password"),
    ),
    "ApiKey": obj(
        {"id": STRING, "name": NULLABLE_STRING, "key_prefix": STRING,
         "scopes": array({"type": "string", "enum": SCOPES}),
         "created_at": TIME, "expires_at": TIME, "last_used_at": TIME},
        ("id", "key_prefix", "scopes"),
    ),
    "ApiKeyCreated": {
        "allOf": [ref("ApiKey"), obj({"key": STRING}, ("key",))],
        "description": "The plaintext key is shown once.",
    },
    "Secret": obj(
        {"id": STRING, "name": STRING, "pipeline_id": NULLABLE_STRING,
         "key_version": {"type": "integer"}, "created_at": TIME, "updated_at": TIME},
        ("name",),
    ),
    "Pipeline": obj(
        {"id": STRING, "user_id": STRING, "name": STRING, "description": NULLABLE_STRING,
         "tags": array(STRING), "status": {"type": "string", "enum": ["active", "archived"]},
         "version": {"type": "integer"}, "definition": OBJECT,
         "definition_asl": OBJECT, "state_machine_arn": STRING,
         "created_at": TIME, "updated_at": TIME},
        ("id", "name", "status", "version"),
    ),
    "PipelineInput": obj(
        {"name": STRING, "description": STRING, "definition": OBJECT, "tags": array(STRING)},
    ),
    "PipelineList": obj(
        {"pipelines": array(ref("Pipeline")), "next_cursor": NULLABLE_STRING}, ("pipelines",)
    ),
    "Validation": obj(
        {"valid": {"type": "boolean"}, "errors": array(ANY), "diagnostics": array(ANY)},
        ("valid",),
    ),
    "RunStep": obj(
        {"step_id": STRING, "name": STRING, "type": STRING, "status": STRING,
         "output": ANY, "error": NULLABLE_STRING, "retry_count": {"type": "integer"},
         "input_tokens": {"type": ["integer", "null"]},
         "output_tokens": {"type": ["integer", "null"]},
         "cost_cents": {"type": ["number", "null"]},
         "started_at": TIME, "completed_at": TIME},
    ),
    "Run": obj(
        {"id": STRING, "pipeline_id": STRING, "pipeline_version": {"type": "integer"},
         "trigger_type": STRING, "status": {"type": "string", "enum": RUN_STATUSES},
         "input_data": ANY, "output_data": ANY, "error": NULLABLE_STRING,
         "total_tokens": {"type": ["integer", "null"]},
         "total_cost_cents": {"type": ["number", "null"]},
         "execution_arn": STRING, "started_at": TIME, "completed_at": TIME,
         "created_at": TIME, "steps": array(ref("RunStep"))},
        ("id", "status"),
    ),
    "RunList": obj({"runs": array(ref("Run")), "next_cursor": NULLABLE_STRING}, ("runs",)),
    "Schedule": obj(
        {"id": STRING, "pipeline_id": STRING, "name": STRING, "description": NULLABLE_STRING,
         "cron_expression": STRING, "timezone": STRING, "input_data": ANY,
         "enabled": {"type": "boolean"}, "next_run_at": TIME, "last_run_at": TIME,
         "origin": {"type": "string", "enum": ["api", "definition"]},
         "created_at": TIME, "updated_at": TIME},
        ("id", "cron_expression"),
    ),
    "ScheduleInput": obj(
        {"name": STRING, "description": STRING, "cron_expression": STRING,
         "timezone": STRING, "input_data": OBJECT, "enabled": {"type": "boolean"}},
        ("name", "cron_expression"),
    ),
    "Model": obj(
        {"id": STRING, "name": STRING, "provider": STRING,
         "input_cost_per_million": {"type": "number"},
         "output_cost_per_million": {"type": "number"},
         "max_tokens": {"type": "integer"}, "supports_json": {"type": "boolean"}},
        ("id", "provider"),
    ),
    "Usage": obj(
        {"credits_used": {"type": "number"}, "credits_remaining": {"type": "number"},
         "runs_today": {"type": "integer"}, "total_cost_cents": {"type": "number"},
         "plan": STRING},
    ),
    "Plan": obj(
        {"plan": STRING, "limits": obj(
            {"credits": {"type": "integer"}, "runs_per_day": {"type": "integer"},
             "max_pipelines": {"type": "integer"}, "max_steps": {"type": "integer"},
             "agent_max_turns": {"type": "integer"},
             "agent_max_duration_seconds": {"type": "integer"},
             "agent_max_tool_calls": {"type": "integer"},
             "agent_tool_fee_cents": {"type": "integer"},
             "cron_enabled": {"type": "boolean"}, "webhooks_enabled": {"type": "boolean"},
             "api_enabled": {"type": "boolean"},
             "overage_per_credit_cents": {"type": "number"}})},
        ("plan", "limits"),
    ),
    "Delivery": OBJECT,
}

STEPFLOW: Json = {
    "StepflowError": obj(
        {"error": STRING,
         "code": {"type": "string", "enum": [
             "WORKFLOW_NOT_FOUND", "RUN_NOT_FOUND", "EVENT_NOT_FOUND", "UNAUTHORIZED",
             "INVALID_INPUT", "NOT_FOUND", "INTERNAL_ERROR"]}},
        ("error", "code"),
    ),
    "TriggerResponse": obj(
        {"runId": {"type": "string", "pattern": "^run_[0-9a-f]{32}$"},
         "publicAccessToken": {"type": "string", "pattern": "^pat_"}},
        ("runId", "publicAccessToken"),
    ),
    "StepflowStep": obj(
        {"name": STRING, "status": {"type": "string", "enum": list(STEP_STATUSES)},
         "type": STRING, "result": ANY, "error": NULLABLE_STRING, "cause": NULLABLE_STRING,
         "startedAt": TIME, "completedAt": TIME, "retryCount": {"type": "integer"},
         "usage": OBJECT},
        ("name", "status"),
    ),
    "StepflowRun": obj(
        {"id": STRING, "workflowId": STRING,
         "status": {"type": "string", "enum": RUN_STATUSES},
         "input": ANY, "output": ANY, "error": NULLABLE_STRING, "cause": NULLABLE_STRING,
         "steps": array(ref("StepflowStep")),
         "createdAt": TIME, "updatedAt": TIME, "completedAt": TIME, "executionArn": STRING},
        ("id", "workflowId", "status", "input", "steps", "createdAt", "updatedAt"),
    ),
    "NotifyResponse": obj(
        {"success": {"type": "boolean", "const": True}, "resumed": {"type": "integer"}},
        ("success",),
    ),
    "Health": obj(
        {"status": {"type": "string", "const": "ok"},
         "timestamp": {"type": "string", "format": "date-time"}, "version": STRING},
        ("status", "timestamp", "version"),
    ),
}
# fmt: on
