"""Evaluating the JSONata fields of a state.

Every JSONata expression of a state sees ``$states`` — ``input`` (the state's raw input),
``result`` (a Task, Parallel or Map result, in Output and Assign), ``errorOutput`` (in a
catcher's Output and Assign) and ``context`` — and the workflow variables as they were when
the state was entered.
https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
"""

from __future__ import annotations

from typing import Any

from asl import errors, jsontext
from asl.errors import StatesError
from asl.interpreter import variables
from asl.interpreter.cursor import Frame
from asl.interpreter.engine import Run
from asl.jsonata import UNDEFINED
from asl.model import Catcher, State

_MISSING: Any = object()


def bindings(
    run: Run,
    frame: Frame,
    state: State,
    *,
    result: Any = _MISSING,
    error_output: Any = _MISSING,
    task_token: str | None = None,
    map_item: tuple[int, Any, str | None] | None = None,
) -> dict[str, Any]:
    states: dict[str, Any] = {"input": frame.input}
    if result is not _MISSING:
        states["result"] = result
    if error_output is not _MISSING:
        states["errorOutput"] = error_output
    if state.uses_context or map_item is not None or task_token is not None:
        states["context"] = run.context(frame, state, task_token, map_item)
    values = dict(frame.vars) if frame.vars else {}
    values["states"] = states
    return values


def evaluate(run: Run, template: Any, values: dict[str, Any], field: str) -> Any:
    """A field's value; a field that yields nothing is an error where AWS requires a value."""
    value = template.evaluate(values, run.now, run.rng_factory)
    if value is UNDEFINED:
        raise template.undefined_error()
    return value


def output(run: Run, template: Any, values: dict[str, Any], default: Any, state: State) -> Any:
    """Output (the default when absent), checked against the payload quota."""
    if template is None:
        return default
    value = evaluate(run, template, values, "Output")
    if value is not default and jsontext.size(value) > jsontext.PAYLOAD_LIMIT:
        raise StatesError(
            errors.DATA_LIMIT_EXCEEDED,
            f"The state/task '{state.name}' returned a result with a size exceeding "
            f"the maximum number of bytes service limit.",
        )
    return value


def assign(
    run: Run, frame: Frame, state: State, template: Any, values: dict[str, Any]
) -> dict[str, Any] | None:
    if template is None:
        return None
    assigned = evaluate(run, template, values, "Assign")
    if not isinstance(assigned, dict):
        raise StatesError(
            errors.QUERY_EVALUATION_ERROR,
            f"The field 'Assign' must evaluate to a JSON object, got {jsontext.dumps(assigned)}",
        )
    variables.check(frame, state, assigned)
    return assigned


def integer(run: Run, template: Any, values: dict[str, Any], field: str, minimum: int) -> int:
    """TimeoutSeconds, HeartbeatSeconds, Seconds, MaxConcurrency, ToleratedFailureCount."""
    value = evaluate(run, template, values, field)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise StatesError(
            errors.QUERY_EVALUATION_ERROR,
            f"The value of the field '{field}' must be an integer greater than or equal to "
            f"{minimum}, got {jsontext.dumps(value)}",
        )
    return value


def text(run: Run, template: Any, values: dict[str, Any], field: str) -> str:
    value = evaluate(run, template, values, field)
    if not isinstance(value, str):
        raise StatesError(
            errors.QUERY_EVALUATION_ERROR,
            f"The value of the field '{field}' must be a string, got {jsontext.dumps(value)}",
        )
    return value


def catch_output(
    run: Run, frame: Frame, state: State, catcher: Catcher, error_output: Any
) -> tuple[Any, dict[str, Any] | None]:
    """A JSONata catcher: Output (default $states.errorOutput) and Assign."""
    values = bindings(run, frame, state, error_output=error_output)
    assigned = assign(run, frame, state, catcher.assign, values)
    return output(run, catcher.output, values, error_output, state), assigned
