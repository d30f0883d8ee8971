"""The typed, compiled form of a state machine definition.

Every path, template, intrinsic and Choice rule is compiled here, once, when a definition
loads; the interpreter only evaluates.  Objects are treated as immutable after loading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from asl.choice import ChoiceRule
from asl.jsonpath import Path, ReferencePath
from asl.payload import Template


@dataclass(slots=True, eq=False)
class Retrier:
    error_equals: tuple[str, ...]
    interval_seconds: float = 1
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: float | None = None
    jitter_full: bool = False


@dataclass(slots=True, eq=False)
class Catcher:
    error_equals: tuple[str, ...]
    next: str
    result_path: ReferencePath | None = None  # None: "$", the error output replaces the input
    result_null: bool = False  # "ResultPath": null keeps the input and drops the error output
    assign: Any = None  # compiled Assign (a payload Template or a JSONata template)
    output: Any = None  # JSONata Output (default: $states.errorOutput)


@dataclass(slots=True, eq=False)
class State:
    name: str
    type: str
    next: str | None = None
    end: bool = False
    input_path: Path | None = None  # None: "$" (identity) unless input_null
    input_null: bool = False  # "InputPath": null gives {}
    output_path: Path | None = None
    output_null: bool = False
    parameters: Template | None = None
    result_selector: Template | None = None
    result_path: ReferencePath | None = None  # None: "$" (the result replaces the input)
    result_null: bool = False  # "ResultPath": null discards the result
    retriers: tuple[Retrier, ...] = ()
    catchers: tuple[Catcher, ...] = ()
    # Workflow variables and JSONata (https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html)
    assign: Any = None  # compiled Assign: a payload Template (JSONPath) or a JSONata template
    jsonata: bool = False  # the state's query language is JSONata
    output: Any = None  # JSONata Output template
    arguments: Any = None  # JSONata Arguments template (Task, Parallel)
    uses_context: bool = False  # a JSONata expression of this state reads $states.context


@dataclass(slots=True, eq=False)
class PassState(State):
    result: Any = None
    has_result: bool = False


@dataclass(slots=True, eq=False)
class TaskState(State):
    resource: str = ""
    timeout_expr: Any = None  # JSONata TimeoutSeconds / HeartbeatSeconds templates
    heartbeat_expr: Any = None
    timeout_seconds: int | None = None
    timeout_seconds_path: ReferencePath | None = None
    heartbeat_seconds: int | None = None
    heartbeat_seconds_path: ReferencePath | None = None
    credentials: Template | None = None
    wait_for_task_token: bool = False


@dataclass(slots=True, eq=False)
class JsonataRule:
    """A JSONata Choice rule: ``Condition``, ``Next`` and its own ``Output``/``Assign``."""

    condition: Any
    next: str
    output: Any = None
    assign: Any = None


@dataclass(slots=True, eq=False)
class ChoiceState(State):
    choices: tuple[ChoiceRule, ...] = ()
    rule_assign: tuple[Any, ...] = ()  # JSONPath rules' Assign, by rule index (None: none)
    jsonata_rules: tuple[JsonataRule, ...] = ()
    default: str | None = None


@dataclass(slots=True, eq=False)
class WaitState(State):
    seconds: int | None = None
    timestamp: str | None = None
    seconds_path: ReferencePath | None = None
    timestamp_path: ReferencePath | None = None
    seconds_expr: Any = None  # JSONata Seconds / Timestamp templates
    timestamp_expr: Any = None


@dataclass(slots=True, eq=False)
class SucceedState(State):
    pass


@dataclass(slots=True, eq=False)
class FailState(State):
    error: str | None = None
    cause: str | None = None
    error_path: Any = None  # a Path or an intrinsic evaluator
    cause_path: Any = None
    error_expr: Any = None  # JSONata Error / Cause templates
    cause_expr: Any = None


@dataclass(slots=True, eq=False)
class ParallelState(State):
    branches: tuple[Graph, ...] = ()


@dataclass(slots=True, eq=False)
class MapState(State):
    processor: Graph | None = None
    items_path: ReferencePath | None = None  # None: "$"
    item_selector: Template | None = None
    max_concurrency: int = 0
    max_concurrency_path: ReferencePath | None = None
    tolerated_failure_percentage: float | None = None
    tolerated_failure_percentage_path: ReferencePath | None = None
    tolerated_failure_count: int | None = None
    tolerated_failure_count_path: ReferencePath | None = None
    items_expr: Any = None  # JSONata Items, MaxConcurrency, ToleratedFailure* templates
    max_concurrency_expr: Any = None
    tolerated_failure_count_expr: Any = None
    tolerated_failure_percentage_expr: Any = None


@dataclass(slots=True, eq=False)
class Graph:
    """A set of states with a start: the machine itself, a Parallel branch, a Map processor."""

    start_at: str
    states: dict[str, State]
    scope_id: str  # "" for the top level, "Par/0" for branch 0 of Par, "M" for Map M's processor


@dataclass(slots=True, eq=False)
class StateMachine:
    graph: Graph
    definition: dict[str, Any]
    timeout_seconds: int | None = None
    comment: str | None = None
    scopes: dict[str, Graph] = field(default_factory=dict)  # every Graph by scope_id
