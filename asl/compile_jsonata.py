"""Compiling the states whose query language is JSONata.

A JSONata state has no InputPath, Parameters, ResultSelector, ResultPath or OutputPath; it
has Arguments, Output and Assign, and its numeric and text fields may be ``{% %}``
expressions.  https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from asl.jsonata import compile_jsonata_value, is_template
from asl.model import (
    Catcher,
    ChoiceState,
    FailState,
    Graph,
    JsonataRule,
    MapState,
    ParallelState,
    PassState,
    Retrier,
    State,
    SucceedState,
    TaskState,
    WaitState,
)

GraphBuilder = Callable[[Mapping[str, Any], str], Graph]

# $states.context, or $states used whole, needs the context object built for the state.
_READS_CONTEXT = re.compile(r"\$states(?!\s*\.\s*(?:input|result|errorOutput)\b)")


def _template(spec: Mapping[str, Any], key: str) -> Any:
    return compile_jsonata_value(spec[key], key) if key in spec else None


def _expression(value: Any, key: str) -> Any:
    """A field that holds a literal or a ``{% %}`` expression: (literal, template)."""
    return compile_jsonata_value(value, key) if is_template(value) else None


def _uses_context(spec: Mapping[str, Any]) -> bool:
    own = {k: v for k, v in spec.items() if k not in ("Branches", "ItemProcessor", "Iterator")}
    return bool(_READS_CONTEXT.search(json.dumps(own)))


def _catcher(spec: Mapping[str, Any]) -> Catcher:
    return Catcher(
        error_equals=tuple(spec["ErrorEquals"]),
        next=spec["Next"],
        assign=_template(spec, "Assign"),
        output=_template(spec, "Output"),
    )


def jsonata_state(
    name: str,
    spec: Mapping[str, Any],
    scope_id: str,
    graph: GraphBuilder,
    retriers: tuple[Retrier, ...],
) -> State:
    kind = spec["Type"]
    common: dict[str, Any] = {
        "name": name,
        "type": kind,
        "next": spec.get("Next"),
        "end": bool(spec.get("End", False)),
        "jsonata": True,
        "output": _template(spec, "Output"),
        "assign": _template(spec, "Assign"),
        "retriers": retriers,
        "catchers": tuple(_catcher(c) for c in spec.get("Catch", ())),
        "uses_context": _uses_context(spec),
    }
    if kind == "Pass":
        return PassState(**common)
    if kind == "Succeed":
        return SucceedState(**common)
    if kind == "Task":
        timeout, heartbeat = spec.get("TimeoutSeconds"), spec.get("HeartbeatSeconds")
        resource = spec["Resource"]
        return TaskState(
            **common,
            arguments=_template(spec, "Arguments"),
            resource=resource,
            timeout_seconds=timeout if isinstance(timeout, int) else None,
            timeout_expr=_expression(timeout, "TimeoutSeconds"),
            heartbeat_seconds=heartbeat if isinstance(heartbeat, int) else None,
            heartbeat_expr=_expression(heartbeat, "HeartbeatSeconds"),
            credentials=_template(spec, "Credentials"),
            wait_for_task_token=resource.endswith(".waitForTaskToken"),
        )
    if kind == "Choice":
        rules = tuple(
            JsonataRule(
                # AWS names the field by the rule's index (floci-io/floci, measured on AWS).
                condition=compile_jsonata_value(rule["Condition"], f"Choices[{index}]/Condition"),
                next=rule["Next"],
                output=_template(rule, "Output"),
                assign=_template(rule, "Assign"),
            )
            for index, rule in enumerate(spec["Choices"])
        )
        return ChoiceState(**common, jsonata_rules=rules, default=spec.get("Default"))
    if kind == "Wait":
        seconds, timestamp = spec.get("Seconds"), spec.get("Timestamp")
        return WaitState(
            **common,
            seconds=seconds if isinstance(seconds, int) else None,
            seconds_expr=_expression(seconds, "Seconds"),
            timestamp=timestamp
            if isinstance(timestamp, str) and not is_template(timestamp)
            else None,
            timestamp_expr=_expression(timestamp, "Timestamp"),
        )
    if kind == "Fail":
        error, cause = spec.get("Error"), spec.get("Cause")
        return FailState(
            **common,
            error=None if is_template(error) else error,
            cause=None if is_template(cause) else cause,
            error_expr=_expression(error, "Error"),
            cause_expr=_expression(cause, "Cause"),
        )
    if kind == "Parallel":
        branches = tuple(
            graph(branch, f"{scope_id}/{name}/{index}".lstrip("/"))
            for index, branch in enumerate(spec["Branches"])
        )
        return ParallelState(**common, arguments=_template(spec, "Arguments"), branches=branches)
    if kind == "Map":
        processor = spec.get("ItemProcessor") or spec["Iterator"]
        concurrency = spec.get("MaxConcurrency", 0)
        count = spec.get("ToleratedFailureCount")
        percentage = spec.get("ToleratedFailurePercentage")
        return MapState(
            **common,
            processor=graph(processor, f"{scope_id}/{name}".lstrip("/")),
            items_expr=_template(spec, "Items"),
            item_selector=_template(spec, "ItemSelector"),
            max_concurrency=concurrency if isinstance(concurrency, int) else 0,
            max_concurrency_expr=_expression(concurrency, "MaxConcurrency"),
            tolerated_failure_count=count if isinstance(count, int) else None,
            tolerated_failure_count_expr=_expression(count, "ToleratedFailureCount"),
            tolerated_failure_percentage=(
                percentage
                if isinstance(percentage, int | float) and not isinstance(percentage, bool)
                else None
            ),
            tolerated_failure_percentage_expr=_expression(percentage, "ToleratedFailurePercentage"),
        )
    raise ValueError(f"Unknown state type {kind!r}")
