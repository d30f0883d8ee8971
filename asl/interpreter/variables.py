"""Workflow variables: evaluating an Assign and checking AWS's rules for it.

https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
* Every expression in one Assign sees the variables as they were when the state was entered;
  the new values are visible from the next state on.
* Parallel branches and Map iterations read the variables of the enclosing scopes but cannot
  assign them; what they assign stays inside.
"""

from __future__ import annotations

from typing import Any

from asl import errors, jsontext
from asl.errors import StatesError
from asl.interpreter.cursor import Frame
from asl.model import State
from asl.scope import Scope

# https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
# "Maximum size of a variable: 256 KiB", "Maximum combined size of variables in a single
# Assign field: 256 KiB".
VARIABLE_LIMIT = jsontext.PAYLOAD_LIMIT


def jsonpath_assign(
    frame: Frame, state: State, assign: Any, data: Any, scope: Scope
) -> dict[str, Any]:
    """A JSONPath state's (or catcher's) Assign, evaluated against ``data``."""
    assigned = assign.evaluate(data, scope)
    check(frame, state, assigned)
    return assigned  # type: ignore[no-any-return]


def check(frame: Frame, state: State, assigned: dict[str, Any]) -> None:
    for name in assigned:
        if name in frame.outer:
            # Unverified wording: AWS documents the rule, not its runtime message.
            raise StatesError(
                errors.RUNTIME,
                f"The variable '{name}' is defined in an outer scope and cannot be assigned "
                f"from within a Parallel branch or Map iteration.",
            )
    total = 0
    for name, value in assigned.items():
        size = jsontext.size(value)
        if size > VARIABLE_LIMIT:
            raise StatesError(
                errors.DATA_LIMIT_EXCEEDED,
                f"The variable '{name}' assigned by the state '{state.name}' exceeds the "
                f"maximum size of {VARIABLE_LIMIT} bytes.",
            )
        total += size
    if total > VARIABLE_LIMIT:
        raise StatesError(
            errors.DATA_LIMIT_EXCEEDED,
            f"The variables assigned by the state '{state.name}' exceed the maximum combined "
            f"size of {VARIABLE_LIMIT} bytes.",
        )
