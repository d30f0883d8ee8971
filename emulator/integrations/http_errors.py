"""The errors an HTTP Task (``arn:aws:states:::http:invoke``) fails with.

* ``States.Http.StatusCode.<code>``: the endpoint answered a status outside 2xx;
* ``States.Http.Socket``: no answer came (connection refused, name not resolved, reset,
  TLS failure, or the 60-second request limit passed);
* ``States.Runtime``: Step Functions refused the request or the response (a forbidden
  header, an unsupported response content type, a malformed parameter);
* ``Events.ConnectionResource.*``: the EventBridge connection could not be used.

https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html
https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
"""

from __future__ import annotations

RUNTIME = "States.Runtime"
SOCKET = "States.Http.Socket"
CONNECTION_NOT_FOUND = "Events.ConnectionResource.ResourceNotFound"
STATUS_PREFIX = "States.Http.StatusCode."


class HttpTaskError(Exception):
    """Fail the HTTP Task with this error name and cause."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


def runtime(cause: str) -> HttpTaskError:
    """A ``States.Runtime`` failure: never retried nor caught, as on AWS."""
    return HttpTaskError(RUNTIME, cause)


def status_error(code: int) -> str:
    """``States.Http.StatusCode.404`` for a 404 answer."""
    return f"{STATUS_PREFIX}{code}"
