"""The ``context`` a Lambda handler receives, for local handlers written as Lambda functions
(``def handler(event, context)``), so that a function's own code runs unchanged.

Its members are those of the Python runtime's context object
(https://docs.aws.amazon.com/lambda/latest/dg/python-context.html): ``function_name``,
``function_version``, ``invoked_function_arn``, ``memory_limit_in_mb`` (text, as the runtime reads
it from ``AWS_LAMBDA_FUNCTION_MEMORY_SIZE``), ``aws_request_id``, ``log_group_name``,
``log_stream_name``, ``identity`` (an object whose members are None when the call carries no
Cognito identity, as the runtime's), ``client_context`` (from ``lambda:invoke``'s
``ClientContext``: base64 JSON with ``client``, ``custom`` and ``env``) and
``get_remaining_time_in_millis()``.  The remaining time counts down from the Task's
TimeoutSeconds, or from Lambda's default function timeout of 3 seconds
(https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html); locally nothing
stops a handler that runs past it.
"""

from __future__ import annotations

import base64
import binascii
import inspect
import json
import time
from dataclasses import dataclass, field
from typing import Any

DEFAULT_MEMORY_MB = "128"
DEFAULT_TIMEOUT_SECONDS = 3


class InvalidClientContext(ValueError):
    """A ClientContext that is not base64-encoded JSON."""


@dataclass(frozen=True)
class CognitoIdentity:
    cognito_identity_id: str | None = None
    cognito_identity_pool_id: str | None = None


@dataclass(frozen=True)
class Client:
    installation_id: str | None = None
    app_title: str | None = None
    app_version_name: str | None = None
    app_version_code: str | None = None
    app_package_name: str | None = None


@dataclass(frozen=True)
class ClientContext:
    client: Client | None = None
    custom: dict[str, Any] | None = None
    env: dict[str, Any] | None = None


def parse_client_context(text: str) -> ClientContext:
    """``lambda:invoke``'s ClientContext (base64-encoded JSON) as the runtime hands it over."""
    try:
        value = json.loads(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        raise InvalidClientContext("ClientContext must be base64-encoded JSON") from None
    if not isinstance(value, dict):
        raise InvalidClientContext("ClientContext must encode a JSON object")
    client = value.get("client")
    known = set(Client.__dataclass_fields__)
    return ClientContext(
        client=Client(**{k: v for k, v in client.items() if k in known})
        if isinstance(client, dict) else None,
        custom=value.get("custom") if isinstance(value.get("custom"), dict) else None,
        env=value.get("env") if isinstance(value.get("env"), dict) else None,
    )  # fmt: skip


@dataclass
class LambdaContext:
    function_name: str
    function_version: str
    invoked_function_arn: str
    aws_request_id: str
    memory_limit_in_mb: str = DEFAULT_MEMORY_MB
    log_group_name: str = ""
    log_stream_name: str = ""
    identity: CognitoIdentity = field(default_factory=CognitoIdentity)
    client_context: ClientContext | None = None
    timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS
    _started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        if not self.log_group_name:
            self.log_group_name = f"/aws/lambda/{self.function_name}"
        if not self.log_stream_name:
            stream = self.aws_request_id.replace("-", "")
            self.log_stream_name = f"local/[{self.function_version}]{stream}"

    def get_remaining_time_in_millis(self) -> int:
        elapsed = time.monotonic() - self._started
        return max(0, int((self.timeout_seconds - elapsed) * 1000))


def takes_context(handler: Any) -> bool:
    """Whether the handler is written as a Lambda function: two positional parameters."""
    target = handler if inspect.isfunction(handler) or inspect.ismethod(handler) else None
    if target is None:
        target = getattr(handler, "__call__", None)  # noqa: B004 (a reloading handler's function)
    try:
        parameters = inspect.signature(target).parameters.values()  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    positional = [
        p for p in parameters
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]  # fmt: skip
    return len(positional) >= 2
