"""Errors of the pipelines service (pipelines, runs, deliveries).

Each carries a stable ``code`` (the stepIQ surface's ``code`` field), a ``kind`` the API maps
to an HTTP status, and optionally ``issues`` (``[{field, message}]``) and ``details``.
"""

from __future__ import annotations

from typing import Any, Literal

Kind = Literal["bad_request", "not_found", "conflict", "invalid", "unprocessable"]


class ServiceError(Exception):
    kind: Kind = "bad_request"

    def __init__(
        self,
        message: str,
        code: str,
        *,
        issues: list[dict[str, str]] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.issues = issues
        self.details = details


class BadRequest(ServiceError):
    """The request itself is malformed (a bad cursor, a filter value, a body that is no object)."""

    kind: Kind = "bad_request"


class NotFound(ServiceError):
    kind: Kind = "not_found"


class Conflict(ServiceError):
    """The request cannot apply to the resource in its current state."""

    kind: Kind = "conflict"


class InvalidDefinition(ServiceError):
    """A pipeline document that does not parse, validate or compile."""

    kind: Kind = "invalid"


class InputValidationFailed(ServiceError):
    """Run input that does not match the pipeline's ``input.schema``."""

    kind: Kind = "unprocessable"

    def __init__(self, issues: list[dict[str, str]]) -> None:
        super().__init__("Input validation failed", "INPUT_VALIDATION_FAILED", issues=issues)


def pipeline_not_found() -> NotFound:
    return NotFound("Pipeline not found", "PIPELINE_NOT_FOUND")


def pipeline_not_active() -> NotFound:
    # stepIQ's seed: "404 Pipeline not found or not active".
    return NotFound("Pipeline not found or not active", "PIPELINE_NOT_ACTIVE")


def run_not_found() -> NotFound:
    return NotFound("Run not found", "RUN_NOT_FOUND")
