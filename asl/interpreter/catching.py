"""A catcher took a state's error: its ResultPath (JSONPath) or Output (JSONata), its Assign,
then its Next.

https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
"""

from __future__ import annotations

from typing import Any

from asl import errors
from asl.errors import StatesError
from asl.interpreter import queries, variables
from asl.interpreter.cursor import Frame
from asl.interpreter.engine import Run
from asl.jsonpath import PathMatchFailure
from asl.model import Catcher, State


def caught(run: Run, frame: Frame, state: State, catcher: Catcher, error_output: Any) -> None:
    try:
        if state.jsonata:
            output, assigned = queries.catch_output(run, frame, state, catcher, error_output)
        else:
            output, assigned = _jsonpath(run, frame, state, catcher, error_output)
    except StatesError as exc:
        run.fail_frame(frame, exc.error, exc.cause)
        return
    run.exit(frame, state, output, catcher.next, assigned)


def _jsonpath(
    run: Run, frame: Frame, state: State, catcher: Catcher, error_output: Any
) -> tuple[Any, dict[str, Any] | None]:
    assigned = None
    if catcher.assign is not None:
        scope = run.scope(frame, state)
        assigned = variables.jsonpath_assign(frame, state, catcher.assign, error_output, scope)
    if catcher.result_null:
        return frame.input, assigned
    if catcher.result_path is None:
        return error_output, assigned
    try:
        return catcher.result_path.assign(frame.input, error_output), assigned
    except PathMatchFailure as exc:
        raise StatesError(errors.RESULT_PATH_MATCH_FAILURE, str(exc)) from None
