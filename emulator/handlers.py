"""Local Python handlers that answer Task resources.

A handler is a callable taking the task's input (a fresh copy of the JSON value) and
returning its result.  To fail the task with a chosen error name and cause, raise
:class:`TaskFailure`; any other exception fails it the way AWS Lambda reports an unhandled
exception: the error is the exception's class name and the cause is Lambda's JSON error
object.  Return :class:`Delayed` to make the call take virtual time (for timeouts).
"""

from __future__ import annotations

import importlib
import json
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asl
from asl import jsontext

Handler = Callable[[Any], Any]


class TaskFailure(Exception):
    """Fail the task with exactly this error and cause."""

    def __init__(self, error: str, cause: str = "") -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


@dataclass(frozen=True)
class Delayed:
    """A handler answer that arrives ``seconds`` later on the clock."""

    seconds: float
    result: Any = None
    error: str | None = None
    cause: str = ""


class HandlerSpecError(ValueError):
    """A ``KEY=module:function`` specification that cannot be used."""


def load_handler(target: str) -> Handler:
    """Import ``package.module:function``."""
    module_name, sep, attribute = target.partition(":")
    if not sep or not module_name or not attribute:
        raise HandlerSpecError(f"handler must be written module:function, got {target!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise HandlerSpecError(f"cannot import module {module_name!r}: {exc}") from None
    handler = module
    for part in attribute.split("."):
        handler = getattr(handler, part, None)  # type: ignore[assignment]
        if handler is None:
            raise HandlerSpecError(f"module {module_name!r} has no attribute {attribute!r}")
    if not callable(handler):
        raise HandlerSpecError(f"{target!r} is not callable")
    return handler


def parse_handler_spec(spec: str) -> tuple[str, Handler]:
    """``KEY=module:function`` -> (key, handler); the key is a Task resource, or a Lambda
    function's name, ``name:alias`` or ARN."""
    resource, sep, target = spec.rpartition("=")
    if not sep or not resource:
        raise HandlerSpecError(f"expected KEY=module:function, got {spec!r}")
    return resource, load_handler(target)


def lambda_error(exc: BaseException) -> tuple[str, str]:
    """(error, cause) as AWS Lambda's Python runtime reports an unhandled exception."""
    name = type(exc).__name__
    stack = traceback.format_list(traceback.extract_tb(exc.__traceback__))
    cause = json.dumps(
        {"errorMessage": str(exc), "errorType": name, "stackTrace": stack},
        separators=(",", ":"),
    )
    return name, cause


def invoke(
    effect: asl.InvokeTask,
    handlers: Mapping[str, Callable[[Any], Any]],
    now: datetime,
    execution_arn: str = "",
) -> tuple[datetime, asl.Outcome]:
    """Answer a Task: (when the answer arrives, the outcome).

    In order: a Lambda function (found by name or ARN, emulator.lambdas), a local handler
    registered under the exact resource string, then the service integrations
    (emulator.integrations).  The answer arrives at ``now`` unless the handler returned
    :class:`Delayed`.  A resource nothing answers fails the task, as does a handler that
    raises or returns non-JSON.
    """
    from emulator import integrations, lambdas  # they build on this module

    routed = lambdas.route(effect.resource, effect.input, handlers)
    if routed is not None:
        return lambdas.invoke(effect, routed, now)
    handler = handlers.get(effect.resource)
    if handler is not None:
        return call_handler(effect, handler, effect.input, now)
    integration = integrations.find(effect.resource)
    if integration is not None:
        return integration.call(integrations.TaskCall(effect, now, execution_arn))
    return now, asl.TaskFailed(effect.id, *_no_handler(effect.resource))


def call_handler(
    effect: asl.InvokeTask,
    handler: Callable[..., Any],
    task_input: Any,
    now: datetime,
    error: Callable[[BaseException], tuple[str, str]] = lambda_error,
    context: Any = None,
) -> tuple[datetime, asl.Outcome]:
    """Call ``handler`` with ``task_input``: (when the answer arrives, the outcome).
    ``error`` names an exception's failure.  A handler written as a Lambda function,
    ``handler(event, context)``, also gets ``context`` (emulator.lambda_context; for a resource
    that is no Lambda function, one naming the resource)."""
    from emulator.lambda_context import LambdaContext, takes_context

    try:
        # The handler gets its own copy, as a remote resource would receive JSON text.
        event = jsontext.loads(jsontext.dumps_bytes(task_input))
        if takes_context(handler):
            if context is None:
                name = effect.resource.rsplit(":", 1)[-1]
                context = LambdaContext(
                    function_name=name, function_version="$LATEST",
                    invoked_function_arn=effect.resource, aws_request_id=effect.id,
                    timeout_seconds=effect.timeout_seconds or 3,
                )  # fmt: skip
            answer = handler(event, context)
        else:
            answer = handler(event)
    except TaskFailure as exc:
        return now, asl.TaskFailed(effect.id, exc.error, exc.cause)
    except Exception as exc:  # a handler's bug is the task's failure, as in Lambda
        return now, asl.TaskFailed(effect.id, *error(exc))
    at = now
    if isinstance(answer, Delayed):
        at = now + timedelta(seconds=answer.seconds)
        if answer.error is not None:
            return at, asl.TaskFailed(effect.id, answer.error, answer.cause)
        answer = answer.result
    try:
        value = jsontext.loads(jsontext.dumps_bytes(answer))
    except TypeError as exc:
        return at, asl.TaskFailed(
            effect.id,
            "States.Runtime",
            f"The handler for '{effect.resource}' returned a value that is not JSON: {exc}",
        )
    return at, asl.TaskSucceeded(effect.id, value)


def _no_handler(resource: str) -> tuple[str, str]:
    # Lambda functions are routed by emulator.lambdas, which answers AWS's not-found error.
    return (
        "States.TaskFailed",
        f"No local handler is registered for the resource '{resource}'; register one with "
        f"--handler KEY=module:function",
    )
