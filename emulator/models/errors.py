"""The errors a model call fails with: the Task's error name and a cause text.

The names are what a pipeline's ``retry`` (ASL Retry) and a state machine's Catch match on.
"""

from __future__ import annotations

INVALID_JSON = "States.LLM.InvalidJSON"  # output_format json, and the answer is not JSON
HTTP_ERROR = "Stepline.Model.HttpError"  # the provider answered another error status
RATE_LIMITED = "Stepline.Model.RateLimited"  # HTTP 429
UNAUTHORIZED = "Stepline.Model.Unauthorized"  # HTTP 401 or 403: the key was refused
NO_API_KEY = "Stepline.Model.NoApiKey"  # no secret holds the provider's key
UNREACHABLE = "Stepline.Model.Unreachable"  # connection refused, DNS, TLS, timeout
INVALID_RESPONSE = "Stepline.Model.InvalidResponse"  # 2xx, but not a Chat Completions answer
UNKNOWN_MODEL = "Stepline.Model.UnknownModel"
INVALID_REQUEST = "Stepline.Model.InvalidRequest"  # the Task's arguments are malformed
SECRET_NOT_FOUND = "Stepline.Secret.NotFound"  # a prompt reads {{env.NAME}} that is not set


class ModelError(Exception):
    """A model call that failed with ``error`` (the Task's error name) and ``cause``."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause
