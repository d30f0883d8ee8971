"""TestState's ``inspectionData``: the state's data at each step of its input and output
processing.

https://docs.aws.amazon.com/step-functions/latest/apireference/API_InspectionData.html
https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html
INFO returns no inspection data; DEBUG and TRACE return it (TRACE adds an HTTP Task's raw
request and response).  Which fields a state reports is AWS's recorded behaviour (LocalStack
tests/aws/services/stepfunctions/v2/test_state/test_test_state_scenarios.snapshot.json,
test_state_context_object, test_state_configuration):

* JSONPath Pass without Result: input, afterInputPath, afterParameters, afterResultSelector,
  afterResultPath; a Pass with Result: input, result, afterResultSelector, afterResultPath.
* JSONPath Task (and a mocked Parallel): input, afterInputPath, afterParameters, result,
  afterResultSelector, afterResultPath, as far as the state got.
* JSONPath Map: input, afterInputPath, afterItemsPath, afterItemSelector, afterItemBatcher,
  afterResultSelector, afterResultPath, maxConcurrency, toleratedFailureCount/Percentage (no
  result).
* Choice, Wait, Succeed, Fail: input, afterInputPath (JSONPath).
* JSONata states: input, afterArguments and result (Task, Parallel), the Map's figures.
* ``variables`` when the state ends with any; ``errorDetails`` when a retrier or catcher
  handled the error.
Every data field is JSON text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from asl import jsontext
from asl.errors import StatesError
from asl.interpreter import dataflow
from asl.model import MapState, PassState, State
from asl.scope import Scope


@dataclass
class MapFigures:
    """What a Map state starts with (asl's preview_map) and what its ItemsPath selected."""

    items: Any = None
    inputs: list[Any] | None = None
    max_concurrency: int | None = None
    tolerated_count: int | None = None
    tolerated_percentage: float | None = None
    batcher: Mapping[str, Any] | None = None  # the state's ItemBatcher
    reader: bool = False  # an ItemReader gives the items, not ItemsPath
    failed: bool = False  # the Map failed before its iterations (its items, its figures)


@dataclass
class Run:
    """What TestState learnt from running the state."""

    history: Sequence[Mapping[str, Any]]
    scheduled: Any = None  # the task's parameters (TaskScheduled), when it was scheduled
    result: Any = None
    has_result: bool = False
    assigned: dict[str, Any] | None = None
    error_details: dict[str, int] = field(default_factory=dict)


# The events of a task's call and answer: (type, details member, field).
_SCHEDULED = {
    "TaskScheduled": ("taskScheduledEventDetails", "parameters"),
    "LambdaFunctionScheduled": ("lambdaFunctionScheduledEventDetails", "input"),
    "ActivityScheduled": ("activityScheduledEventDetails", "input"),
}
_SUCCEEDED = {
    "TaskSucceeded": "taskSucceededEventDetails",
    "LambdaFunctionSucceeded": "lambdaFunctionSucceededEventDetails",
    "ActivitySucceeded": "activitySucceededEventDetails",
}


def from_history(history: Sequence[Mapping[str, Any]]) -> Run:
    run = Run(history)
    for event in history:
        kind = event["type"]
        if kind in _SCHEDULED and run.scheduled is None:
            member, name = _SCHEDULED[kind]
            run.scheduled = jsontext.loads(event[member].get(name, "null"))
        elif kind in _SUCCEEDED and not run.has_result:
            run.result = jsontext.loads(event[_SUCCEEDED[kind]].get("output", "null"))
            run.has_result = True
    return run


def assigned_variables(history: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The variables the tested state (the first one) assigned on its way out."""
    for event in history:
        if event["type"].endswith("StateExited"):
            details = event["stateExitedEventDetails"]
            return {
                k: jsontext.loads(v) for k, v in (details.get("assignedVariables") or {}).items()
            }
    return {}


def inspection_data(
    state: State,
    raw_input: Any,
    input_text: str,
    scope: Scope,
    run: Run,
    map_figures: MapFigures | None,
    variables: Mapping[str, Any],
) -> dict[str, Any]:
    data: dict[str, Any] = {"input": raw_input}
    if state.jsonata:
        _jsonata(state, run, data)
    elif isinstance(state, MapState):
        # Recorded (test_state_context_object.snapshot.json): a Map whose ItemsPath fails
        # reports input and afterInputPath only.
        items = map_figures is not None and not map_figures.reader and not map_figures.failed
        _jsonpath_map(state, raw_input, scope, run, data, items)
    elif isinstance(state, PassState):
        _jsonpath_pass(state, raw_input, scope, data)
    elif state.type in ("Task", "Parallel"):
        _jsonpath_task(state, raw_input, scope, run, data)
    else:
        _stage(data, "afterInputPath", lambda: dataflow.input_of(state, raw_input, scope))
    # Recorded: AWS keeps the input as it was written (spacing included) wherever a step
    # passes it on unchanged, e.g. "afterInputPath": "[\"fire\", \"electricity\", \"grass\"]"
    # (test_state_context_object.snapshot.json).
    out: dict[str, Any] = {
        k: input_text if v is raw_input else jsontext.dumps(v) for k, v in data.items()
    }
    if map_figures is not None and not map_figures.failed:
        _map_figures(state, map_figures, out)
    if variables:
        out["variables"] = jsontext.dumps(dict(variables))
    if run.error_details:
        out["errorDetails"] = dict(run.error_details)
    return out


def _stage(data: dict[str, Any], name: str, compute: Any) -> bool:
    """Record one processing step; False when the state failed there."""
    try:
        data[name] = compute()
    except StatesError:
        return False
    return True


def _jsonata(state: State, run: Run, data: dict[str, Any]) -> None:
    if state.type in ("Task", "Parallel") and run.scheduled is not None:
        data["afterArguments"] = run.scheduled
        if run.has_result:
            data["result"] = run.result


def _jsonpath_pass(state: PassState, raw: Any, scope: Scope, data: dict[str, Any]) -> None:
    if state.has_result:
        data["result"] = state.result
        result = state.result
    else:
        if not _stage(data, "afterInputPath", lambda: dataflow.input_of(state, raw, scope)):
            return
        effective = data["afterInputPath"]
        parameters = state.parameters
        if not _stage(
            data,
            "afterParameters",
            lambda: parameters.evaluate(effective, scope) if parameters is not None else effective,
        ):
            return
        result = data["afterParameters"]
    data["afterResultSelector"] = result
    _stage(data, "afterResultPath", lambda: dataflow.merge_result(state, raw, result))


def _jsonpath_task(state: State, raw: Any, scope: Scope, run: Run, data: dict[str, Any]) -> None:
    if not _stage(data, "afterInputPath", lambda: dataflow.input_of(state, raw, scope)):
        return
    if run.scheduled is None:
        return
    data["afterParameters"] = run.scheduled
    if not run.has_result:
        return
    data["result"] = run.result
    _after_result(state, raw, scope, run.result, data)


def _jsonpath_map(
    state: MapState, raw: Any, scope: Scope, run: Run, data: dict[str, Any], items: bool
) -> None:
    if not _stage(data, "afterInputPath", lambda: dataflow.input_of(state, raw, scope)):
        return
    effective = data["afterInputPath"]
    path = state.items_path
    if items and not _stage(
        data,
        "afterItemsPath",
        lambda: path.select(effective, scope) if path is not None else effective,
    ):
        return
    if run.has_result:
        _after_result(state, raw, scope, run.result, data)


def _after_result(state: State, raw: Any, scope: Scope, result: Any, data: dict[str, Any]) -> None:
    selector = state.result_selector
    if not _stage(
        data,
        "afterResultSelector",
        lambda: selector.evaluate(result, scope) if selector is not None else result,
    ):
        return
    selected = data["afterResultSelector"]
    _stage(data, "afterResultPath", lambda: dataflow.merge_result(state, raw, selected))


def _map_figures(state: State, figures: MapFigures, out: dict[str, Any]) -> None:
    assert isinstance(state, MapState)
    if figures.inputs is not None and (state.item_selector is not None):
        out["afterItemSelector"] = jsontext.dumps(figures.inputs)
    if figures.batcher is not None and figures.inputs is not None and _literal(figures.batcher):
        out["afterItemBatcher"] = jsontext.dumps(batch(figures.inputs, figures.batcher))
    out["maxConcurrency"] = figures.max_concurrency or 0
    if figures.tolerated_count is not None:
        out["toleratedFailureCount"] = figures.tolerated_count
    if figures.tolerated_percentage is not None:
        out["toleratedFailurePercentage"] = figures.tolerated_percentage


def _literal(batcher: Mapping[str, Any]) -> bool:
    """An ItemBatcher whose limits and BatchInput are written out (no paths, no
    expressions): only such batches are reported, rather than batches cut another way."""
    limits = [batcher.get(k) for k in ("MaxItemsPerBatch", "MaxInputBytesPerBatch") if k in batcher]
    text = jsontext.dumps(batcher.get("BatchInput"))
    return (
        all(isinstance(v, int) and not isinstance(v, bool) for v in limits)
        and not any(k.endswith("Path") for k in batcher)
        and ".$" not in text
        and "{%" not in text
    )


def batch(inputs: list[Any], batcher: Mapping[str, Any]) -> list[dict[str, Any]]:
    """ItemBatcher's batches: ``{"Items": [...]}`` plus its BatchInput, cut at
    MaxItemsPerBatch items and MaxInputBytesPerBatch bytes.
    https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html"""
    max_items = batcher.get("MaxItemsPerBatch")
    max_bytes = batcher.get("MaxInputBytesPerBatch")
    extra = batcher.get("BatchInput")
    batches: list[dict[str, Any]] = []
    current: list[Any] = []
    for item in inputs:
        candidate = [*current, item]
        too_many = isinstance(max_items, int) and len(candidate) > max_items
        too_big = (
            isinstance(max_bytes, int)
            and current
            and (
                jsontext.size({"Items": candidate, **({"BatchInput": extra} if extra else {})})
                > max_bytes
            )
        )
        if current and (too_many or too_big):
            batches.append(_batch(current, extra))
            current = [item]
        else:
            current = candidate
    if current:
        batches.append(_batch(current, extra))
    return batches


def _batch(items: list[Any], extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"Items": items}
    if extra is not None:
        out["BatchInput"] = extra
    return out
