"""The accounts layer's errors: one hierarchy, each with a stable ``code``.

The API layer maps each class to an HTTP status; nothing here knows about HTTP.
"""

from __future__ import annotations


class AccountsError(Exception):
    """Base of every accounts error."""

    code = "ACCOUNTS_ERROR"

    def __init__(self, message: str, issues: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.issues = issues or []


class InvalidRequest(AccountsError):
    """A field has a value the accounts layer refuses (``issues`` name the fields)."""

    code = "VALIDATION_ERROR"


class EmailTaken(AccountsError):
    code = "EMAIL_TAKEN"


class InvalidCredentials(AccountsError):
    """Wrong email or password (never says which)."""

    code = "INVALID_CREDENTIALS"


class InvalidToken(AccountsError):
    """A JWT, refresh token, reset token or API key that is malformed, forged, expired,
    used or revoked."""

    code = "INVALID_TOKEN"


class NotFound(AccountsError):
    code = "NOT_FOUND"


def invalid(field: str, message: str) -> InvalidRequest:
    """One-field validation failure."""
    return InvalidRequest(f"{field}: {message}", [{"field": field, "message": message}])
