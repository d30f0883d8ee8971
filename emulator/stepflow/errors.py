"""The Stepflow surface's errors: a message and one of the seed's codes."""

from __future__ import annotations


class StepflowError(Exception):
    """``code``: WORKFLOW_NOT_FOUND, RUN_NOT_FOUND, EVENT_NOT_FOUND, INVALID_INPUT or
    UNAUTHORIZED (the API gives each its HTTP status)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
