"""A Map state's setup: the iterations' inputs (ItemsPath or Items, then ItemSelector),
MaxConcurrency and the tolerated failures, in either query language.
https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from asl import errors, jsontext
from asl.context import ExecutionInfo
from asl.errors import StatesError
from asl.interpreter import dataflow, queries
from asl.interpreter.cursor import Cursor, Frame
from asl.interpreter.engine import Run
from asl.jsonpath import PathNotFound
from asl.model import MapState, StateMachine

MapSetup = tuple[list[Any], int | None, int | None, float | None]


def preview_map(
    machine: StateMachine, state: MapState, input: Any, info: ExecutionInfo, now: datetime
) -> MapSetup:
    """What the top-level Map ``state`` of ``machine`` starts with for ``input``: the
    iterations' inputs (after ItemsPath or Items, and ItemSelector), MaxConcurrency and the
    tolerated failures; raises the StatesError the state would fail with.  TestState reports
    these without running the iterations."""
    run = Run(machine, Cursor(info, input, 0), now)
    frame = Frame(machine.graph.scope_id, state.name, input, 0)
    frame.entered = now
    if info.variables:
        frame.vars = dict(info.variables)
    return jsonata_map(run, frame, state) if state.jsonata else jsonpath_map(run, frame, state)


def jsonpath_map(run: Run, frame: Frame, state: MapState) -> MapSetup:
    """InputPath, ItemsPath, ItemSelector, MaxConcurrency(Path), ToleratedFailure*(Path)."""
    scope = run.scope(frame, state)
    data = dataflow.input_of(state, frame.input, scope)
    items = _items(state, data, scope)
    max_concurrency = _count(
        state.max_concurrency, state.max_concurrency_path, data, scope, "MaxConcurrencyPath"
    )
    inputs: list[Any]
    if state.item_selector is None:
        inputs = [value for _, value in items]
    else:
        selector = state.item_selector
        inputs = []
        for index, (key, value) in enumerate(items):
            item_scope = run.scope(frame, state, map_item=(index, value, key))
            inputs.append(selector.evaluate(data, item_scope))
    tolerated_count = _count(
        state.tolerated_failure_count,
        state.tolerated_failure_count_path,
        data,
        scope,
        "ToleratedFailureCountPath",
    )
    return inputs, max_concurrency, tolerated_count, _percentage(state, data, scope)


def jsonata_map(run: Run, frame: Frame, state: MapState) -> MapSetup:
    """Items (default: the state input), ItemSelector, MaxConcurrency, ToleratedFailure*."""
    values = queries.bindings(run, frame, state)
    source = frame.input
    if state.items_expr is not None:
        source = queries.evaluate(run, state.items_expr, values, "Items")
    if isinstance(source, list):
        items: list[tuple[Any, Any]] = [(None, item) for item in source]
    elif isinstance(source, dict):
        items = list(source.items())
    else:
        raise StatesError(
            errors.QUERY_EVALUATION_ERROR,
            f"The Items field must evaluate to a JSON array or object, got "
            f"{jsontext.dumps(source)}",
        )
    inputs: list[Any]
    if state.item_selector is None:
        inputs = [value for _, value in items]
    else:
        inputs = []
        for index, (key, value) in enumerate(items):
            item_values = queries.bindings(run, frame, state, map_item=(index, value, key))
            inputs.append(queries.evaluate(run, state.item_selector, item_values, "ItemSelector"))
    max_concurrency = state.max_concurrency
    if state.max_concurrency_expr is not None:
        max_concurrency = queries.integer(
            run, state.max_concurrency_expr, values, "MaxConcurrency", 0
        )
    tolerated_count = state.tolerated_failure_count
    if state.tolerated_failure_count_expr is not None:
        tolerated_count = queries.integer(
            run, state.tolerated_failure_count_expr, values, "ToleratedFailureCount", 0
        )
    tolerated_percentage = state.tolerated_failure_percentage
    if state.tolerated_failure_percentage_expr is not None:
        value = queries.evaluate(
            run, state.tolerated_failure_percentage_expr, values, "ToleratedFailurePercentage"
        )
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
            raise StatesError(
                errors.QUERY_EVALUATION_ERROR,
                "The ToleratedFailurePercentage field must evaluate to a number from 0 to 100, "
                "got " + jsontext.dumps(value),
            )
        tolerated_percentage = float(value)
    return inputs, max_concurrency, tolerated_count, tolerated_percentage


def _items(state: MapState, data: Any, scope: Any) -> list[tuple[Any, Any]]:
    path = state.items_path
    if path is None:
        value = data
    else:
        try:
            value = path.select(data, scope)
        except PathNotFound as exc:
            raise StatesError(errors.RUNTIME, f"Invalid path '{path.text}' : {exc}") from None
    if isinstance(value, list):
        return [(None, item) for item in value]
    if isinstance(value, dict):
        # "If the input to the Map state is a JSON object, it runs an iteration for each
        # key-value pair" — the value is the iteration's item and the key is
        # $$.Map.Item.Key (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemspath.html).
        return list(value.items())
    raise StatesError(
        errors.RUNTIME,
        f"Item selector path '{path.text if path else '$'}' does not reference an array or "
        f"object: {jsontext.dumps(value)}",
    )


def _count(value: int | None, path: Any, data: Any, scope: Any, field: str) -> int | None:
    if path is None:
        return value
    try:
        selected = path.select(data, scope)
    except PathNotFound as exc:
        raise StatesError(errors.RUNTIME, f"Invalid path '{path.text}' : {exc}") from None
    if isinstance(selected, bool) or not isinstance(selected, int) or selected < 0:
        raise StatesError(
            errors.RUNTIME,
            f"The {field} field must reference a non-negative integer: {jsontext.dumps(selected)}",
        )
    return selected


def _percentage(state: MapState, data: Any, scope: Any) -> float | None:
    path = state.tolerated_failure_percentage_path
    if path is None:
        return state.tolerated_failure_percentage
    try:
        selected = path.select(data, scope)
    except PathNotFound as exc:
        raise StatesError(errors.RUNTIME, f"Invalid path '{path.text}' : {exc}") from None
    if (
        isinstance(selected, bool)
        or not isinstance(selected, int | float)
        or not 0 <= selected <= 100
    ):
        raise StatesError(
            errors.RUNTIME,
            "The ToleratedFailurePercentagePath field must reference a number from 0 to 100: "
            + jsontext.dumps(selected),
        )
    return float(selected)
