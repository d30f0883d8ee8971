"""Building blocks of the OpenAPI document: schemas, security schemes and operation helpers."""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]

STRING: Json = {"type": "string"}
ANY: Json = {}  # any JSON value
OBJECT: Json = {"type": "object", "additionalProperties": True}
TIME: Json = {"type": ["string", "null"], "format": "date-time"}
NULLABLE_STRING: Json = {"type": ["string", "null"]}

# Who may call an operation (OpenAPI security requirements).
PUBLIC: list[Json] = []
SESSION: list[Json] = [{"bearerAuth": []}]
USER: list[Json] = [{"bearerAuth": []}, {"apiKeyHeader": []}, {"apiKeyQuery": []}]
API_KEY: list[Json] = [{"apiKeyHeader": []}, {"apiKeyQuery": []}, {"bearerAuth": []}]


def ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: Json, required: tuple[str, ...] = (), *, closed: bool = False) -> Json:
    schema: Json = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    if closed:
        schema["additionalProperties"] = False
    return schema


def array(items: Json) -> Json:
    return {"type": "array", "items": items}


def json_content(schema: Json) -> Json:
    return {"application/json": {"schema": schema}}


def body(schema: Json, *, required: bool = True, description: str | None = None) -> Json:
    out: Json = {"required": required, "content": json_content(schema)}
    if description:
        out["description"] = description
    return out


def response(description: str, schema: Json | None = None, media: str = "application/json") -> Json:
    out: Json = {"description": description}
    if schema is not None:
        out["content"] = {media: {"schema": schema}}
    return out


def path_param(name: str, description: str) -> Json:
    return {
        "name": name, "in": "path", "required": True, "description": description,
        "schema": STRING,
    }  # fmt: skip


def query_param(name: str, description: str, schema: Json | None = None) -> Json:
    return {
        "name": name, "in": "query", "required": False, "description": description,
        "schema": schema or STRING,
    }  # fmt: skip


def operation(
    operation_id: str,
    summary: str,
    tag: str,
    responses: Json,
    *,
    security: list[Json] | None = None,
    request_body: Json | None = None,
    parameters: list[Json] | None = None,
    description: str | None = None,
) -> Json:
    op: Json = {"operationId": operation_id, "summary": summary, "tags": [tag]}
    if description:
        op["description"] = description
    if parameters:
        op["parameters"] = parameters
    if request_body is not None:
        op["requestBody"] = request_body
    op["responses"] = responses
    if security is not None:
        op["security"] = security
    return op


STEPIQ_ERRORS = {
    "400": "Invalid request (body, query or path)",
    "401": "Missing or invalid credentials",
    "403": "The credential may not do this (an API key without the scope, or session only), "
    "or the plan does not allow it (code PLAN_*, details name the limit)",
    "404": "Not found",
    "409": "Conflict with the resource's state",
    "413": "Request body too large (max 256KB)",
    "422": "Validation failed (issues name the fields)",
}
STEPFLOW_ERRORS = {
    "400": "INVALID_INPUT: the request body failed validation",
    "401": "UNAUTHORIZED: missing or invalid credentials",
    "404": "WORKFLOW_NOT_FOUND, RUN_NOT_FOUND or EVENT_NOT_FOUND",
}


def stepiq_errors(*codes: str) -> Json:
    return {code: {"$ref": f"#/components/responses/StepIQ{code}"} for code in codes}


def stepflow_errors(*codes: str) -> Json:
    return {code: {"$ref": f"#/components/responses/Stepflow{code}"} for code in codes}


def error_responses() -> Json:
    out: Json = {}
    for code, text in STEPIQ_ERRORS.items():
        out[f"StepIQ{code}"] = response(text, ref("Error"))
    for code, text in STEPFLOW_ERRORS.items():
        out[f"Stepflow{code}"] = response(text, ref("StepflowError"))
    return out


SECURITY_SCHEMES: Json = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A stepIQ access token (POST /api/auth/login), or an API key "
        "(Bearer sk_live_…).  EventSource clients may pass the JWT as ?token=.",
    },
    "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    "apiKeyQuery": {"type": "apiKey", "in": "query", "name": "api_key"},
    "publicAccessToken": {
        "type": "apiKey",
        "in": "query",
        "name": "token",
        "description": "A Stepflow run's public access token (pat_…): reads that run only.",
    },
}
