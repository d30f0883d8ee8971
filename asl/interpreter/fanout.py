"""Parallel and Map: child frames run by the parent's state.

The core decides which children start, so MaxConcurrency lives here.  Children run in
order, each until it waits or ends, which makes the history of one execution reproducible.
https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html
https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html

A fan-out that ends unsuccessfully keeps what a redrive needs (asl.interpreter.fanout_redrive).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from asl import errors, jsontext
from asl.context import ExecutionInfo
from asl.errors import StatesError
from asl.interpreter import dataflow, fanout_redrive, queries
from asl.interpreter.cursor import ABORTED, CHILDREN, DONE, FAILED, Cursor, FanOut, Frame
from asl.interpreter.engine import HANDLERS, Run
from asl.interpreter.tasks import result_output
from asl.jsonpath import PathNotFound
from asl.model import MapState, ParallelState, State, StateMachine


def _enter(run: Run, frame: Frame, state: State) -> bool:
    """Enter the state; True when a redrive took up the fan-out the state had stopped in."""
    kept = fanout_redrive.take_kept(frame)
    run.enter(frame, state)
    if kept is None:
        return False
    fanout_redrive.restart(run, frame, state, kept)
    _pump(run, frame, state)
    return True


def run_parallel(run: Run, frame: Frame, state: ParallelState) -> None:
    if not _enter(run, frame, state):
        start_parallel(run, frame, state)


def start_parallel(run: Run, frame: Frame, state: ParallelState) -> None:
    try:
        if state.jsonata:
            data = frame.input
            if state.arguments is not None:
                values = queries.bindings(run, frame, state)
                data = queries.evaluate(run, state.arguments, values, "Arguments")
        else:
            scope = run.scope(frame, state)
            data = dataflow.input_of(state, frame.input, scope)
            if state.parameters is not None:
                data = state.parameters.evaluate(data, scope)
    except StatesError as exc:
        run.raised(frame, state, exc)
        return
    run.emit(frame, "ParallelStateStarted")
    total = len(state.branches)
    fan = FanOut([data] * total, total, 0)
    fan.outer = frozenset(frame.vars)
    frame.fan = fan
    frame.phase = CHILDREN
    _pump(run, frame, state)


def run_map(run: Run, frame: Frame, state: MapState) -> None:
    if not _enter(run, frame, state):
        start_map(run, frame, state)


def start_map(run: Run, frame: Frame, state: MapState) -> None:
    try:
        if state.jsonata:
            inputs, max_concurrency, tolerated_count, tolerated_percentage = _jsonata_map(
                run, frame, state
            )
        else:
            inputs, max_concurrency, tolerated_count, tolerated_percentage = _jsonpath_map(
                run, frame, state
            )
    except StatesError as exc:
        run.raised(frame, state, exc)
        return
    run.emit(frame, "MapStateStarted", "mapStateStartedEventDetails", {"length": len(inputs)})
    fan = FanOut(inputs, len(inputs), max_concurrency or 0)
    fan.outer = frozenset(frame.vars)
    fan.tolerated_count = tolerated_count
    fan.tolerated_percentage = tolerated_percentage
    frame.fan = fan
    frame.phase = CHILDREN
    _pump(run, frame, state)


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
    return _jsonata_map(run, frame, state) if state.jsonata else _jsonpath_map(run, frame, state)


def _jsonpath_map(run: Run, frame: Frame, state: MapState) -> MapSetup:
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


def _jsonata_map(run: Run, frame: Frame, state: MapState) -> MapSetup:
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


# ---------------------------------------------------------------------- children


def _child_scope(state: State, index: int) -> str:
    if isinstance(state, ParallelState):
        return state.branches[index].scope_id
    assert isinstance(state, MapState) and state.processor is not None
    return state.processor.scope_id


def _pump(run: Run, frame: Frame, state: State) -> None:
    """Start children while concurrency allows; finish the state when all are in."""
    fan = frame.fan
    assert fan is not None
    total = len(fan.results)
    order = fan.order  # a redrive runs only the children that did not succeed
    count = len(order) if order is not None else total
    is_map = isinstance(state, MapState)
    limit = fan.max_concurrency or total
    scopes = run.machine.scopes
    while fan.next_index < count and fan.running < limit and frame.phase == CHILDREN:
        index = order[fan.next_index] if order is not None else fan.next_index
        fan.next_index += 1
        if is_map:
            run.emit(
                frame,
                "MapIterationStarted",
                "mapIterationStartedEventDetails",
                {"name": state.name, "index": index},
            )
        child = fan.stopped.pop(index, None)
        if child is not None:
            fanout_redrive.revive(frame, child)
        else:
            scope_id = _child_scope(state, index)
            assert fan.items is not None
            child = Frame(
                scope_id, scopes[scope_id].start_at, fan.items[index], frame.last_event, index
            )
            child.parent = frame
            child.vars = frame.vars  # read through to the enclosing scope until it assigns
            child.own_vars = False
            child.outer = fan.outer
        fan.children[index] = child
        fan.running += 1
        run.drive(child)
        if child.phase in (DONE, FAILED):
            _record(run, frame, state, child)
    if frame.phase == CHILDREN and fan.running == 0 and fan.next_index >= count:
        _finish(run, frame, state)


def _record(run: Run, frame: Frame, state: State, child: Frame) -> None:
    """A child ended: keep its result, or fail the state when failures are not tolerated."""
    fan = frame.fan
    assert fan is not None
    del fan.children[child.index]
    fan.running -= 1
    frame.last_event = max(frame.last_event, child.last_event)
    is_map = isinstance(state, MapState)
    if child.phase == DONE:
        fan.results[child.index] = child.output
        if fan.succeeded is not None:
            fan.succeeded.add(child.index)
        if is_map:
            run.emit(
                frame,
                "MapIterationSucceeded",
                "mapIterationSucceededEventDetails",
                {"name": state.name, "index": child.index},
            )
        return
    if is_map:
        run.emit(
            frame,
            "MapIterationFailed",
            "mapIterationFailedEventDetails",
            {"name": state.name, "index": child.index},
        )
    fan.stopped[child.index] = child  # a redrive runs it again
    if is_map:
        fan.failures += 1
        if fan.tolerated_count is not None or fan.tolerated_percentage is not None:
            fan.results[child.index] = {"Error": child.error, "Cause": child.cause}
            if not _over_threshold(fan):
                return
            _fail_fan(
                run,
                frame,
                state,
                errors.EXCEED_TOLERATED_FAILURE_THRESHOLD,
                "The specified tolerated failure threshold was exceeded",
            )
            return
    _fail_fan(run, frame, state, child.error, child.cause)


def _over_threshold(fan: FanOut) -> bool:
    total = len(fan.results)
    if fan.tolerated_count is not None and fan.failures > fan.tolerated_count:
        return True
    if fan.tolerated_percentage is not None and total:
        # https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html
        return fan.failures * 100 > math.floor(fan.tolerated_percentage * total)
    return False


def _fail_fan(run: Run, frame: Frame, state: State, error: str | None, cause: str | None) -> None:
    abort_children(run, frame, state)
    fan = frame.fan
    prefix = "Map" if isinstance(state, MapState) else "Parallel"
    frame.fan = None
    run.state_failed(frame, state, error or "", cause or "", prefix + "StateFailed")
    if frame.phase == FAILED:  # neither retried nor caught: kept for a redrive
        frame.fan = fan


def abort_children(run: Run, frame: Frame, state: State) -> None:
    fan = frame.fan
    if fan is None:
        return
    for index in sorted(fan.children):
        child = fan.children[index]
        run.abort(child)
        if isinstance(state, MapState):
            run.emit(
                frame,
                "MapIterationAborted",
                "mapIterationAbortedEventDetails",
                {"name": state.name, "index": index},
            )
    fan.stopped.update(fan.children)  # a redrive runs them again
    fan.children.clear()
    fan.running = 0


def _finish(run: Run, frame: Frame, state: State) -> None:
    fan = frame.fan
    assert fan is not None
    frame.fan = None
    prefix = "Map" if isinstance(state, MapState) else "Parallel"
    run.emit(frame, prefix + "StateSucceeded")
    try:
        output, assigned = result_output(run, frame, state, fan.results)
    except StatesError as exc:
        run.raised(frame, state, exc)
        return
    run.complete(frame, state, output, assigned)


def child_settled(run: Run, parent: Frame, child: Frame) -> None:
    """Called when a child frame ended after the step that started it."""
    if parent.phase != CHILDREN or parent.fan is None or child.phase == ABORTED:
        return
    state = run.machine.scopes[parent.scope].states[parent.state]
    _record(run, parent, state, child)
    if parent.phase == CHILDREN:
        _pump(run, parent, state)
    run.drive(parent)


HANDLERS["Parallel"] = run_parallel
HANDLERS["Map"] = run_map
