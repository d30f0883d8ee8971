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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
    """A ``RESOURCE=module:function`` specification that cannot be used."""


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
    return handler  # type: ignore[return-value]


def parse_handler_spec(spec: str) -> tuple[str, Handler]:
    """``RESOURCE=module:function`` -> (resource, handler)."""
    resource, sep, target = spec.rpartition("=")
    if not sep or not resource:
        raise HandlerSpecError(f"expected RESOURCE=module:function, got {spec!r}")
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
