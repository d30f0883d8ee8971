"""Parallel and Map: child frames run by the parent's state.

The core decides which children start, so MaxConcurrency lives here.  Children run in
order, each until it waits or ends, which makes the history of one execution reproducible.
https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html
https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html

A fan-out that ends unsuccessfully keeps what a redrive needs (asl.interpreter.fanout_redrive).
"""

from __future__ import annotations

import math

from asl import errors
from asl.errors import StatesError
from asl.interpreter import dataflow, fanout_redrive, map_setup, queries
from asl.interpreter.cursor import ABORTED, CHILDREN, DONE, FAILED, FanOut, Frame
from asl.interpreter.engine import HANDLERS, Run
from asl.interpreter.tasks import result_output
from asl.model import MapState, ParallelState, State


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
        setup = map_setup.jsonata_map if state.jsonata else map_setup.jsonpath_map
        inputs, max_concurrency, tolerated_count, tolerated_percentage = setup(run, frame, state)
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
