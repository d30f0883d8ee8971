"""What the runner refuses, as its callers (the API layer) map to AWS's errors."""

from __future__ import annotations


class ExecutionNotFound(LookupError):
    """No execution has this ARN."""


class ExecutionAlreadyExists(Exception):
    """An execution with this ARN exists already (the caller decides idempotency first)."""


class InvalidTaskToken(LookupError):
    """No execution issued this task token."""


class TaskTimedOut(LookupError):
    """The task this token belonged to has ended (succeeded, failed, timed out, stopped)."""


class ExecutionNotRedrivable(Exception):
    """RedriveExecution cannot run this execution again (``reason``: AWS's
    redriveStatusReason wording)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
