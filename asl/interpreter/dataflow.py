"""Input and output processing in AWS's order, and the payload quota.

https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html
"""

from __future__ import annotations

from typing import Any

from asl import errors, jsontext
from asl.errors import StatesError
from asl.jsonpath import Path, PathMatchFailure, PathNotFound
from asl.model import State
from asl.payload import NULL_INPUT
from asl.scope import Scope


def input_of(state: State, data: Any, scope: Scope | None) -> Any:
    """InputPath."""
    if state.input_null:
        return {}
    path = state.input_path
    if path is None:
        return data
    return _select(path, data, scope)


def output_of(state: State, data: Any, scope: Scope | None) -> Any:
    """OutputPath."""
    if state.output_null:
        return {}
    path = state.output_path
    if path is None:
        return data
    return _select(path, data, scope)


def merge_result(state: State, raw_input: Any, result: Any) -> Any:
    """ResultPath: where the result goes in the state's raw input."""
    if state.result_null:
        return raw_input
    path = state.result_path
    if path is None:
        return result
    try:
        return path.assign(raw_input, result)
    except PathMatchFailure as exc:
        raise StatesError(
            errors.RESULT_PATH_MATCH_FAILURE,
            f'Unable to apply step "{path.text}" to input {jsontext.dumps(raw_input)}'
            if not str(exc)
            else str(exc),
        ) from None


def check_size(state: State, value: Any) -> None:
    if jsontext.size(value) > jsontext.PAYLOAD_LIMIT:
        raise StatesError(
            errors.DATA_LIMIT_EXCEEDED,
            f"The state/task '{state.name}' returned a result with a size exceeding "
            f"the maximum number of bytes service limit.",
        )


def finish_output(state: State, raw_input: Any, result: Any, scope: Scope) -> Any:
    """ResultPath, OutputPath and the size check; returns the state output."""
    output = output_of(state, merge_result(state, raw_input, result), scope)
    if output is not raw_input:
        check_size(state, output)
    return output


def _select(path: Path, data: Any, scope: Scope | None) -> Any:
    """InputPath/OutputPath selection with AWS's States.Runtime causes."""
    if data is None and path.root == "$":
        raise StatesError(errors.RUNTIME, NULL_INPUT)
    try:
        return path.select(data, scope)
    except PathNotFound as exc:
        raise StatesError(errors.RUNTIME, f"Invalid path '{path.text}' : {exc}") from None
