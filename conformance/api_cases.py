"""Running ``"kind": "api"`` conformance cases: a sequence of API calls against an endpoint,
each with its expected error (code and message) or a subset of its response.

    {"name": "...", "kind": "api",
     "calls": [{"operation": "CreateStateMachine", "params": {...},
                "save": {"sm": "stateMachineArn"},
                "expect": {"response_subset": {...}}},
               {"operation": "DescribeStateMachine", "params": {"stateMachineArn": "${sm}x"},
                "expect": {"error": "StateMachineDoesNotExist",
                           "message": "State Machine Does Not Exist: '${sm}x'"}}],
     "cleanup": [{"operation": "DeleteStateMachine", "params": {"stateMachineArn": "${sm}"}}]}

Strings may hold ``${run}`` (a suffix unique to this run, for resource names), ``${region}``,
``${account}`` and any value saved by an earlier call.  Requests are raw JSON 1.0 so the
server's own validation is what is tested; they are signed with SigV4 (dummy credentials
unless the environment has real ones), so any endpoint can be targeted.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
import uuid
from typing import Any

from conformance.cases import Case

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def _substitute(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: names.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [_substitute(v, names) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, names) for k, v in value.items()}
    return value


def _signed_headers(endpoint: str, body: bytes, operation: str, region: str) -> dict[str, str]:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    key = os.environ.get("AWS_ACCESS_KEY_ID", "test")
    secret = os.environ.get("AWS_SECRET_ACCESS_KEY", "test")
    request = AWSRequest(
        method="POST",
        url=endpoint.rstrip("/") + "/",
        data=body,
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"AWSStepFunctions.{operation}",
        },
    )
    SigV4Auth(Credentials(key, secret, os.environ.get("AWS_SESSION_TOKEN")), "states", region).add_auth(request)
    return dict(request.headers.items())


def call(endpoint: str, operation: str, params: Any, region: str) -> tuple[int, Any]:
    body = json.dumps(params).encode()
    request = urllib.request.Request(
        endpoint.rstrip("/") + "/",
        data=body,
        headers=_signed_headers(endpoint, body, operation, region),
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _subset(want: Any, got: Any) -> bool:
    if isinstance(want, dict):
        return isinstance(got, dict) and all(k in got and _subset(v, got[k]) for k, v in want.items())
    if isinstance(want, list):
        return isinstance(got, list) and len(want) == len(got) and all(
            _subset(w, g) for w, g in zip(want, got, strict=True)
        )
    return bool(want == got) and type(want) is type(got)


def run_api_case(case: Case, endpoint: str) -> list[str]:
    region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    names = {
        "run": uuid.uuid4().hex[:10],
        "region": region,
        "account": os.environ.get("AWS_ACCOUNT_ID", "123456789012"),
    }
    problems: list[str] = []
    try:
        for index, step in enumerate(case.raw["calls"]):
            problems += _step(endpoint, region, index, step, names)
            if problems:
                break
    finally:
        for step in case.raw.get("cleanup", []):
            call(endpoint, step["operation"], _substitute(step.get("params", {}), names), region)
    return problems


def _step(endpoint: str, region: str, index: int, step: dict[str, Any], names: dict[str, str]) -> list[str]:
    operation = step["operation"]
    status, body = call(endpoint, operation, _substitute(step.get("params", {}), names), region)
    expect = _substitute(step.get("expect", {}), names)
    where = f"call {index} ({operation})"
    if "error" in expect:
        code = str(body.get("__type", "")).rsplit("#", 1)[-1]
        if status != 400 or code != expect["error"]:
            return [f"{where}: expected error {expect['error']}, got HTTP {status} {json.dumps(body)[:300]}"]
        message = body.get("message", body.get("Message"))
        if "message" in expect and message != expect["message"]:
            return [f"{where}: message\n      expected {expect['message']!r}\n      got      {message!r}"]
        if "message_contains" in expect and expect["message_contains"] not in (message or ""):
            return [f"{where}: message {message!r} lacks {expect['message_contains']!r}"]
        return []
    if status != 200:
        return [f"{where}: expected success, got HTTP {status} {json.dumps(body)[:300]}"]
    if "response_subset" in expect and not _subset(expect["response_subset"], body):
        return [f"{where}: response {json.dumps(body)[:400]} lacks {json.dumps(expect['response_subset'])}"]
    for name, key in step.get("save", {}).items():
        if key not in body:
            return [f"{where}: no {key!r} to save in {json.dumps(body)[:300]}"]
        names[name] = str(body[key])
    return []
