"""Lambda functions answered by local handlers, shaped as AWS reports them.

A handler can be registered under a Task resource string (as for any resource), a Lambda
function name (``MyFn``, ``MyFn:prod``) or a function ARN.  Both kinds of Lambda Task reach it:

* ``arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`` resources: the handler gets the
  state's effective input and its result is the task's result;
* ``arn:aws:states:::lambda:invoke`` (and ``.waitForTaskToken``): the handler gets the
  ``Payload`` parameter and the task's result is Lambda's Invoke response around its result.

https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
"""

from __future__ import annotations

import json
import traceback
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import asl
from emulator.handlers import call_handler
from emulator.lambda_context import (
    DEFAULT_TIMEOUT_SECONDS,
    InvalidClientContext,
    LambdaContext,
    parse_client_context,
)

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"
_INVOKE_RESOURCES = frozenset({"invoke", "invoke.waitForTaskToken"})
_REQUEST_IDS = uuid.UUID("5f0c1d0e-2a53-4c59-9d3b-6c1e7a0b8f41")


@dataclass(frozen=True, slots=True)
class FunctionRef:
    """A Lambda function as a FunctionName or a function ARN names it."""

    name: str
    qualifier: str | None = None
    region: str = DEFAULT_REGION
    account: str = DEFAULT_ACCOUNT
    explicit: bool = False  # region and account were given, not defaulted

    @property
    def arn(self) -> str:
        """The unqualified function ARN."""
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{self.name}"

    @property
    def qualified_arn(self) -> str:
        return f"{self.arn}:{self.qualifier}" if self.qualifier else self.arn


@dataclass(frozen=True, slots=True)
class LambdaCall:
    """A Lambda Task routed to a local handler (``handler`` is None: no such function)."""

    function: FunctionRef
    handler: Callable[[Any], Any] | None
    payload: Any
    wrap: bool  # lambda:invoke: the result is the Invoke response around the payload
    client_context: str | None = None  # lambda:invoke's ClientContext (base64 JSON), as given


def parse_function_name(value: str) -> FunctionRef | None:
    """A FunctionName in any of the forms Lambda's Invoke accepts: ``name``, ``name:alias``,
    ``ACCOUNT:function:name[:qualifier]`` (partial ARN) or a full function ARN.
    https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_RequestSyntax
    """
    parts = value.split(":")
    if parts[0] == "arn":
        if len(parts) in (7, 8) and parts[2] == "lambda" and parts[5] == "function" and parts[6]:
            qualifier = parts[7] if len(parts) == 8 else None
            return FunctionRef(parts[6], qualifier or None, parts[3], parts[4], explicit=True)
        return None
    if len(parts) in (3, 4) and parts[1] == "function" and parts[2]:
        qualifier = parts[3] if len(parts) == 4 else None
        return FunctionRef(parts[2], qualifier or None, account=parts[0])
    if len(parts) in (1, 2) and parts[0]:
        return FunctionRef(parts[0], parts[1] if len(parts) == 2 and parts[1] else None)
    return None


def is_invoke_resource(resource: str) -> bool:
    """``arn:aws:states:::lambda:invoke`` with or without ``.waitForTaskToken``."""
    parts = resource.split(":")
    return (
        len(parts) == 7
        and parts[2] == "states"
        and parts[5] == "lambda"
        and parts[6] in _INVOKE_RESOURCES
    )


def route(
    resource: str, task_input: Any, handlers: Mapping[str, Callable[[Any], Any]]
) -> LambdaCall | str | None:
    """How a Lambda Task is answered: a :class:`LambdaCall`, the cause text of a malformed
    lambda:invoke request, or None when the resource is no Lambda function call (another
    resource, or a lambda:invoke whose resource string itself has a handler)."""
    if resource.startswith("arn:aws:lambda:"):
        function = parse_function_name(resource)
        if function is None:
            return None
        handler = handlers.get(resource) or find_handler(function, handlers)
        return LambdaCall(function, handler, task_input, wrap=False)
    if not is_invoke_resource(resource) or resource in handlers:
        return None
    if not isinstance(task_input, dict) or not isinstance(task_input.get("FunctionName"), str):
        return "The lambda:invoke Parameters need a FunctionName string"
    invocation_type = task_input.get("InvocationType", "RequestResponse")
    if invocation_type != "RequestResponse":
        # Event and DryRun answer with other status codes and no payload; refuse them rather
        # than answer as a RequestResponse would.
        return f"InvocationType {invocation_type!r} is not supported by Stepline yet"
    client_context = task_input.get("ClientContext")
    if client_context is not None:
        # Lambda hands it to the function's context object (emulator.lambda_context).
        if not isinstance(client_context, str):
            return "The lambda:invoke ClientContext must be base64-encoded JSON text"
        try:
            parse_client_context(client_context)
        except InvalidClientContext as exc:
            return f"The lambda:invoke {exc}"
    function = parse_function_name(task_input["FunctionName"])
    if function is None:
        function = FunctionRef(task_input["FunctionName"])
    qualifier = task_input.get("Qualifier")
    if isinstance(qualifier, str) and qualifier:
        function = FunctionRef(
            function.name, qualifier, function.region, function.account, function.explicit
        )
    payload = task_input.get("Payload")
    # The recorded Invoke with "Payload": null gave an identity function {} (see
    # LocalStack's test_lambda_task_service.snapshot.json, test_invoke, recorded on AWS).
    handler = find_handler(function, handlers)
    return LambdaCall(
        function, handler, {} if payload is None else payload, wrap=True,
        client_context=client_context,
    )  # fmt: skip


def find_handler(
    function: FunctionRef, handlers: Mapping[str, Callable[[Any], Any]]
) -> Callable[[Any], Any] | None:
    """The handler registered for the function: by qualified ARN or name first, then by
    unqualified ARN or name; a reference that is not a full ARN (its region, and maybe its
    account, defaulted) also matches a handler registered under a function ARN of the same
    name in any region and account."""
    keys = [function.arn, function.name]
    if function.qualifier:
        keys[:0] = [function.qualified_arn, f"{function.name}:{function.qualifier}"]
    for key in keys:
        handler = handlers.get(key)
        if handler is not None:
            return handler
    if function.explicit:
        return None
    for key, handler in handlers.items():
        other = parse_function_name(key) if key.startswith("arn:") else None
        if other is None or other.name != function.name:
            continue
        if other.qualifier is None or other.qualifier == function.qualifier:
            return handler
    return None


def request_id(task_id: str, now: datetime) -> str:
    """A request id, stable for one task attempt so that runs can be compared."""
    return str(uuid.uuid5(_REQUEST_IDS, f"{task_id}@{now.isoformat()}"))


def not_found(function: FunctionRef, rid: str) -> tuple[str, str]:
    """Lambda's ResourceNotFoundException as Step Functions reports it (recorded on AWS:
    LocalStack tests/aws/services/stepfunctions/v2/error_handling/
    test_task_service_lambda.snapshot.json, test_no_such_function)."""
    return (
        "Lambda.ResourceNotFoundException",
        f"Function not found: {function.qualified_arn} (Service: AWSLambda; Status Code: 404; "
        f"Error Code: ResourceNotFoundException; Request ID: {rid}; Proxy: null)",
    )


def function_error(exc: BaseException, rid: str) -> tuple[str, str]:
    """An unhandled exception as Lambda's Python runtime reports it: the error is the
    exception's type, the cause Lambda's JSON error object (recorded on AWS: LocalStack
    tests/aws/services/stepfunctions/v2/error_handling/test_task_service_lambda.snapshot.json,
    test_raise_exception).  The frame that called the handler is left out, as the runtime's."""
    name = type(exc).__name__
    frames = traceback.extract_tb(exc.__traceback__)[1:]
    cause = json.dumps(
        {
            "errorMessage": str(exc),
            "errorType": name,
            "requestId": rid,
            "stackTrace": traceback.format_list(frames),
        },
        separators=(",", ":"),
    )
    return name, cause


def executed_version(function: FunctionRef) -> str:
    """A numbered version runs itself; anything else is answered as ``$LATEST`` locally."""
    qualifier = function.qualifier
    return qualifier if qualifier is not None and qualifier.isdigit() else "$LATEST"


def invoke_response(payload: Any, function: FunctionRef, rid: str, now: datetime) -> dict[str, Any]:
    """Lambda's Invoke response as the lambda:invoke integration returns it, field by field
    as recorded on AWS (LocalStack tests/aws/services/stepfunctions/v2/services/
    test_lambda_task_service.snapshot.json, test_invoke).  X-Amzn-Trace-Id is left out: its
    value is not reproducible locally.  Content-Length is the payload as Python's
    json.dumps writes it, as the Lambda Python runtime does.
    https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
    """
    version = executed_version(function)
    length = str(len(json.dumps(payload).encode()))
    date = format_datetime(now.astimezone(UTC), usegmt=True)
    return {
        "ExecutedVersion": version,
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "X-Amz-Executed-Version": [version],
                "x-amzn-Remapped-Content-Length": ["0"],
                "Connection": ["keep-alive"],
                "x-amzn-RequestId": [rid],
                "Content-Length": [length],
                "Date": [date],
                "Content-Type": ["application/json"],
            },
            "HttpHeaders": {
                "Connection": "keep-alive",
                "Content-Length": length,
                "Content-Type": "application/json",
                "Date": date,
                "X-Amz-Executed-Version": version,
                "x-amzn-Remapped-Content-Length": "0",
                "x-amzn-RequestId": rid,
            },
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": rid},
        "StatusCode": 200,
    }


def invoke(
    effect: asl.InvokeTask, routed: LambdaCall | str, now: datetime
) -> tuple[datetime, asl.Outcome]:
    """Answer a Lambda Task routed by :func:`route`: (when the answer arrives, the outcome)."""
    if isinstance(routed, str):
        return now, asl.TaskFailed(effect.id, "States.Runtime", routed)
    rid = request_id(effect.id, now)
    if routed.handler is None:
        from emulator.integrations import lambda_endpoint  # boto3: only when needed

        if lambda_endpoint.configured():  # LAMBDA_ENDPOINT: invoke it there
            return now, lambda_endpoint.invoke(effect, routed)
        return now, asl.TaskFailed(effect.id, *not_found(routed.function, rid))
    context = LambdaContext(
        function_name=routed.function.name,
        function_version=executed_version(routed.function),
        invoked_function_arn=routed.function.qualified_arn,
        aws_request_id=rid,
        client_context=(
            parse_client_context(routed.client_context) if routed.client_context else None
        ),
        timeout_seconds=effect.timeout_seconds or DEFAULT_TIMEOUT_SECONDS,
    )
    at, outcome = call_handler(
        effect, routed.handler, routed.payload, now, lambda exc: function_error(exc, rid), context
    )
    if routed.wrap and isinstance(outcome, asl.TaskSucceeded):
        response = invoke_response(outcome.output, routed.function, rid, at)
        return at, asl.TaskSucceeded(effect.id, response)
    return at, outcome
