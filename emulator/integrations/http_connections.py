"""EventBridge connections for HTTP Tasks, declared in a local file.

On AWS an HTTP Task names an EventBridge connection (``Authentication.ConnectionArn`` or
``InvocationConfig.ConnectionArn``) whose authorization and invocation parameters Step
Functions adds to the request.  Stepline has no EventBridge; instead
``STEPLINE_HTTP_CONNECTIONS`` may name a JSON file that maps connection ARNs to connections
written as EventBridge's CreateConnection request writes them::

    {
      "arn:aws:events:us-east-1:123456789012:connection/Stripe/81210c42-…": {
        "AuthorizationType": "API_KEY",
        "AuthParameters": {
          "ApiKeyAuthParameters": {"ApiKeyName": "Authorization", "ApiKeyValue": "Bearer sk_…"},
          "InvocationHttpParameters": {
            "HeaderParameters": [{"Key": "Stripe-Version", "Value": "2024-06-20"}],
            "QueryStringParameters": [], "BodyParameters": []
          }
        }
      }
    }

``BASIC`` (``BasicAuthParameters``: Username, Password) and ``API_KEY`` connections are applied;
``OAUTH_CLIENT_CREDENTIALS`` ones fail the task with ``States.Runtime`` (not supported yet).

Without the variable every ConnectionArn is accepted (it stays in the TaskScheduled event's
parameters) and the request goes out with no connection data: headers other than the ones AWS
forbids can still be given in the task's ``Headers``.  With the variable, a ConnectionArn the
file does not list fails with ``Events.ConnectionResource.ResourceNotFound``, as on AWS.

https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html#http-task-authentication
https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateConnection.html
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from typing import Any

from emulator.integrations.http_errors import CONNECTION_NOT_FOUND, HttpTaskError, runtime

CONNECTIONS_ENV = "STEPLINE_HTTP_CONNECTIONS"


@dataclass(frozen=True)
class Connection:
    """What a connection adds to a request; on a clash its values win over the task's."""

    headers: list[tuple[str, str]] = field(default_factory=list)
    query: list[tuple[str, str]] = field(default_factory=list)
    body: list[tuple[str, str]] = field(default_factory=list)


_cache: dict[str, tuple[float, dict[str, Any]]] = {}


def resolve(arn: str) -> Connection | None:
    """The connection ``arn`` names, or None when no connections file is configured."""
    path = os.environ.get(CONNECTIONS_ENV)
    if not path:
        return None
    declared = _load(path)
    raw = declared.get(arn)
    if raw is None:
        raise HttpTaskError(
            CONNECTION_NOT_FOUND,
            f"Connection '{arn}' is not declared in {CONNECTIONS_ENV} ({path})",
        )
    return parse(arn, raw)


def _load(path: str) -> dict[str, Any]:
    try:
        mtime = os.stat(path).st_mtime
        cached = _cache.get(path)
        if cached is not None and cached[0] == mtime:
            return cached[1]
        with open(path, encoding="utf-8") as handle:
            declared = json.load(handle)
    except (OSError, ValueError) as exc:
        raise runtime(
            f"Cannot read the connections file {path} ({CONNECTIONS_ENV}): {exc}"
        ) from None
    if not isinstance(declared, dict):
        raise runtime(f"The connections file {path} must hold a JSON object of connection ARNs")
    _cache[path] = (mtime, declared)
    return declared


def parse(arn: str, raw: Any) -> Connection:
    """A connection written as EventBridge's CreateConnection request writes it."""
    if not isinstance(raw, dict):
        raise runtime(f"Connection '{arn}' must be a JSON object")
    kind = raw.get("AuthorizationType")
    params = raw.get("AuthParameters") or {}
    if not isinstance(params, dict):
        raise runtime(f"Connection '{arn}': AuthParameters must be a JSON object")
    headers: list[tuple[str, str]] = []
    if kind == "BASIC":
        basic = params.get("BasicAuthParameters") or {}
        user, password = basic.get("Username"), basic.get("Password")
        if not isinstance(user, str) or not isinstance(password, str):
            raise runtime(f"Connection '{arn}': BasicAuthParameters needs Username and Password")
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        headers.append(("Authorization", f"Basic {token}"))
    elif kind == "API_KEY":
        key = params.get("ApiKeyAuthParameters") or {}
        name, value = key.get("ApiKeyName"), key.get("ApiKeyValue")
        if not isinstance(name, str) or not name or not isinstance(value, str):
            raise runtime(
                f"Connection '{arn}': ApiKeyAuthParameters needs ApiKeyName and ApiKeyValue"
            )
        headers.append((name, value))
    elif kind == "OAUTH_CLIENT_CREDENTIALS":
        # How EventBridge sends the client credentials to the authorization endpoint is not
        # documented; rather than guess, such a connection is refused.
        raise runtime(
            f"Connection '{arn}' uses OAUTH_CLIENT_CREDENTIALS, which Stepline does not support "
            "yet; use a BASIC or API_KEY connection"
        )
    else:
        raise runtime(
            f"Connection '{arn}': AuthorizationType must be BASIC, API_KEY or "
            f"OAUTH_CLIENT_CREDENTIALS, got {kind!r}"
        )
    invocation = params.get("InvocationHttpParameters") or {}
    return Connection(
        headers=headers + _parameters(arn, invocation, "HeaderParameters"),
        query=_parameters(arn, invocation, "QueryStringParameters"),
        body=_parameters(arn, invocation, "BodyParameters"),
    )


def _parameters(arn: str, invocation: Any, name: str) -> list[tuple[str, str]]:
    items = invocation.get(name) or [] if isinstance(invocation, dict) else None
    if not isinstance(items, list):
        raise runtime(f"Connection '{arn}': InvocationHttpParameters.{name} must be an array")
    pairs = []
    for item in items:
        key = item.get("Key") if isinstance(item, dict) else None
        value = item.get("Value") if isinstance(item, dict) else None
        if not isinstance(key, str) or not isinstance(value, str):
            raise runtime(f"Connection '{arn}': each of {name} needs a Key and a Value string")
        pairs.append((key, value))
    return pairs
