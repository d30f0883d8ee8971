"""Where an execution is: a JSON-serialisable tree of frames.

A :class:`Frame` runs the states of one graph — the machine itself, a Parallel branch or a
Map iteration.  A frame running a Parallel or Map state owns a :class:`FanOut` with its child
frames.  The :class:`Cursor` holds the root frame and the execution-wide counters (event ids,
effect ids, the random seed).

The interpreter mutates a cursor in place while it computes one step; whoever holds a cursor
hands it to :func:`asl.resume` and uses the cursor returned.  ``to_json``/``from_json`` give
the same step from the same snapshot, which is what makes the step function deterministic.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from asl.context import ExecutionInfo
from asl.timestamps import format_timestamp, parse_timestamp

# Frame phases
ENTER = "enter"  # about to enter `state` with `input`
TASK = "task"  # waiting for a task outcome (wait_id)
CALLBACK = "callback"  # a .waitForTaskToken task waits for SendTaskSuccess/Failure
WAIT = "wait"  # a Wait state's timer (wait_id)
RETRY = "retry"  # waiting out a retry interval (wait_id)
CHILDREN = "children"  # a Parallel/Map state waits for its child frames
DONE = "done"
FAILED = "failed"
ABORTED = "aborted"


def _ts(value: datetime | None) -> str | None:
    return format_timestamp(value) if value is not None else None


def _dt(value: str | None) -> datetime | None:
    return parse_timestamp(value) if value is not None else None


class FanOut:
    """The children of a running Parallel or Map state.

    It also remembers what a redrive needs: which children succeeded (their results stay in
    ``results``) and the frames of the children that failed or were aborted (``stopped``).
    A fan-out that stopped unsuccessfully stays on its frame; ``order`` then lists the
    children a redrive runs again (asl.interpreter.fanout_redrive).
    """

    __slots__ = (
        "children",
        "failures",
        "items",
        "max_concurrency",
        "next_index",
        "order",
        "outer",
        "results",
        "running",
        "stopped",
        "succeeded",
        "tolerated_count",
        "tolerated_percentage",
    )

    def __init__(self, items: list[Any] | None, total: int, max_concurrency: int) -> None:
        self.items = items  # Map: the iteration inputs; Parallel: None
        self.results: list[Any] = [None] * total
        self.children: dict[int, Frame] = {}  # running children by index
        self.next_index = 0  # next iteration to start
        self.running = 0
        self.failures = 0
        self.max_concurrency = max_concurrency
        self.tolerated_count: int | None = None
        self.tolerated_percentage: float | None = None
        self.outer: frozenset[str] = frozenset()  # the variables children may read, not assign
        # Indices of the children that succeeded; None for a fan-out restored from a cursor
        # written before this was kept (a redrive then runs the whole state again).
        self.succeeded: set[int] | None = set()
        self.stopped: dict[int, Frame] = {}  # children that failed or were aborted, by index
        self.order: list[int] | None = None  # the indices to run, when not all (a redrive)

    def to_json(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "results": self.results,
            "children": {str(k): v.to_json() for k, v in self.children.items()},
            "next_index": self.next_index,
            "running": self.running,
            "failures": self.failures,
            "max_concurrency": self.max_concurrency,
            "tolerated_count": self.tolerated_count,
            "tolerated_percentage": self.tolerated_percentage,
            "outer": sorted(self.outer),
            "succeeded": sorted(self.succeeded) if self.succeeded is not None else None,
            "stopped": {str(k): v.to_json() for k, v in self.stopped.items()},
            "order": self.order,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any], parent: Frame) -> FanOut:
        fan = cls(raw["items"], 0, raw["max_concurrency"])
        fan.results = raw["results"]
        fan.children = {int(k): Frame.from_json(v, parent) for k, v in raw["children"].items()}
        fan.next_index = raw["next_index"]
        fan.running = raw["running"]
        fan.failures = raw["failures"]
        fan.tolerated_count = raw["tolerated_count"]
        fan.tolerated_percentage = raw["tolerated_percentage"]
        fan.outer = frozenset(raw["outer"])
        # Cursors written before redrive kept partial results have none of these keys.
        succeeded = raw.get("succeeded")
        fan.succeeded = set(succeeded) if succeeded is not None else None
        fan.stopped = {
            int(k): Frame.from_json(v, parent) for k, v in raw.get("stopped", {}).items()
        }
        order = raw.get("order")
        fan.order = list(order) if order is not None else None
        return fan


class Frame:
    __slots__ = (
        "cause",
        "effective",
        "entered",
        "entered_event",
        "error",
        "fan",
        "heartbeat",
        "index",
        "input",
        "last_event",
        "outer",
        "output",
        "own_vars",
        "parent",
        "phase",
        "retries",
        "retry_count",
        "scope",
        "state",
        "task_token",
        "timers",
        "vars",
        "wait_id",
    )

    def __init__(self, scope: str, state: str, input: Any, last_event: int, index: int = 0) -> None:
        self.scope = scope
        self.state = state
        self.input = input
        self.phase = ENTER
        self.last_event = last_event
        self.index = index  # branch or iteration index within the parent
        self.entered: datetime | None = None
        self.entered_event = 0  # id of the state's …StateEntered event
        self.effective: Any = None
        self.retries: list[int] | None = None
        self.retry_count = 0
        self.wait_id: str | None = None
        self.timers: list[str] = []
        self.task_token: str | None = None
        self.heartbeat: int | None = None
        self.fan: FanOut | None = None
        self.output: Any = None
        self.error: str | None = None
        self.cause: str | None = None
        self.parent: Frame | None = None
        # Workflow variables visible here.  A branch or iteration starts with its parent's
        # mapping, shared until it assigns (copy on write); ``outer`` names the variables of
        # the enclosing scopes, which it may read but not assign.
        self.vars: dict[str, Any] = {}
        self.own_vars = True
        self.outer: frozenset[str] = frozenset()

    def to_json(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "state": self.state,
            "input": self.input,
            "phase": self.phase,
            "last_event": self.last_event,
            "index": self.index,
            "entered": _ts(self.entered),
            "entered_event": self.entered_event,
            "effective": self.effective,
            "retries": self.retries,
            "retry_count": self.retry_count,
            "wait_id": self.wait_id,
            "timers": self.timers,
            "task_token": self.task_token,
            "heartbeat": self.heartbeat,
            "fan": self.fan.to_json() if self.fan is not None else None,
            "output": self.output,
            "error": self.error,
            "cause": self.cause,
            "vars": self.vars,
            "outer": sorted(self.outer),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any], parent: Frame | None = None) -> Frame:
        frame = cls(raw["scope"], raw["state"], raw["input"], raw["last_event"], raw["index"])
        frame.phase = raw["phase"]
        frame.entered = _dt(raw["entered"])
        frame.entered_event = raw["entered_event"]
        frame.effective = raw["effective"]
        frame.retries = raw["retries"]
        frame.retry_count = raw["retry_count"]
        frame.wait_id = raw["wait_id"]
        frame.timers = list(raw["timers"])
        frame.task_token = raw["task_token"]
        frame.heartbeat = raw["heartbeat"]
        frame.output = raw["output"]
        frame.error = raw["error"]
        frame.cause = raw["cause"]
        frame.vars = raw["vars"]
        frame.outer = frozenset(raw["outer"])
        frame.parent = parent
        frame.fan = FanOut.from_json(raw["fan"], frame) if raw["fan"] is not None else None
        return frame


class Cursor:
    __slots__ = (
        "counter",
        "event_count",
        "execution_input",
        "info",
        "next_event_id",
        "root",
        "seed",
        "status",
        "timeout_timer",
        "waiting",
    )

    def __init__(self, info: ExecutionInfo, execution_input: Any, seed: int) -> None:
        self.info = info
        self.execution_input = execution_input
        self.seed = seed
        self.counter = 0
        self.next_event_id = 1
        self.event_count = 0
        self.root: Frame | None = None
        self.status = "RUNNING"
        self.timeout_timer: str | None = None
        # effect id -> the frame waiting for it; derived from the tree, not serialised
        self.waiting: dict[str, Frame] = {}

    def new_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def to_json(self) -> dict[str, Any]:
        return {
            "v": 1,
            "info": self.info.to_json(),
            "execution_input": self.execution_input,
            "seed": self.seed,
            "counter": self.counter,
            "next_event_id": self.next_event_id,
            "event_count": self.event_count,
            "root": self.root.to_json() if self.root is not None else None,
            "status": self.status,
            "timeout_timer": self.timeout_timer,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Cursor:
        cursor = cls(ExecutionInfo.from_json(raw["info"]), raw["execution_input"], raw["seed"])
        cursor.counter = raw["counter"]
        cursor.next_event_id = raw["next_event_id"]
        cursor.event_count = raw["event_count"]
        cursor.status = raw["status"]
        cursor.timeout_timer = raw["timeout_timer"]
        if raw["root"] is not None:
            cursor.root = Frame.from_json(raw["root"])
            cursor.waiting = _index(cursor.root)
        return cursor


def _index(root: Frame) -> dict[str, Frame]:
    out: dict[str, Frame] = {}
    stack = [root]
    while stack:
        frame = stack.pop()
        if frame.wait_id is not None:
            out[frame.wait_id] = frame
        if frame.phase == TASK and frame.task_token is not None:
            out[frame.task_token] = frame  # a token is accepted from scheduling on
        for timer in frame.timers:
            out[timer] = frame
        if frame.fan is not None:
            stack.extend(frame.fan.children.values())
    return out
