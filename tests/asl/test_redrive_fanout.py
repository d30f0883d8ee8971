"""Redriving a failed Parallel or Map state runs again only the branches and iterations that
did not succeed, keeps the others' results, and assembles the state's result in order.

https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asl
from asl.interpreter.cursor import Cursor

NOW = datetime(2024, 1, 1, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)
INFO = asl.ExecutionInfo(
    execution_arn="arn:aws:states:us-east-1:123456789012:execution:M:e",
    execution_name="e",
    state_machine_arn="arn:aws:states:us-east-1:123456789012:stateMachine:M",
    state_machine_name="M",
    role_arn="arn:aws:iam::123456789012:role/R",
    start_time=NOW,
)
FN = "arn:aws:lambda:us-east-1:123456789012:function:Work"
WORK = {
    "Type": "Task",
    "Resource": FN,
    "Parameters": {"key.$": "$.key", "redrives.$": "$$.Execution.RedriveCount"},
    "End": True,
}


def replay(cursor: Cursor) -> Cursor:
    return Cursor.from_json(json.loads(json.dumps(cursor.to_json())))


@dataclass
class Flaky:
    """A task handler that fails the first call for each key in ``flaky``."""

    flaky: set[str]
    calls: list[str] = field(default_factory=list)

    def __call__(self, task: asl.InvokeTask) -> asl.TaskSucceeded | asl.TaskFailed:
        key = str(task.input["key"])
        self.calls.append(key)
        if key in self.flaky:
            self.flaky.discard(key)
            return asl.TaskFailed(task.id, "Flaky.NotYet", f"first call for {key}")
        return asl.TaskSucceeded(task.id, {"key": key, "redrives": task.input["redrives"]})


@dataclass
class Attempt:
    cursor: Cursor  # the cursor the attempt ended (or stopped) with
    events: list[asl.Event]
    finish: asl.FinishExecution | None
    most_in_flight: int  # the most tasks that were running at once

    def types(self) -> list[str]:
        return [e.type for e in self.events]

    def iterations(self, kind: str) -> list[int]:
        return [e.details["index"] for e in self.events if e.type == kind and e.details]

    def entered(self) -> list[str]:
        return [e.details["name"] for e in self.events if e.type.endswith("StateEntered")]


def drive(
    machine: asl.StateMachine,
    step: asl.Step,
    cursor: Cursor,
    handler: Flaky,
    stop_after: int | None = None,
) -> Attempt:
    """Answer the step's tasks one at a time, in the order they were asked for, with a JSON
    round trip of the cursor before each answer; retry timers fire at once.  With
    ``stop_after``, the execution is stopped after that many answers."""
    events = list(step.events)
    tasks: deque[asl.InvokeTask] = deque()
    timers: deque[str] = deque()
    running: set[str] = set()
    most = 0
    finish: asl.FinishExecution | None = None
    answered = 0

    def take(step: asl.Step) -> None:
        nonlocal finish, most
        for effect in step.effects:
            if isinstance(effect, asl.InvokeTask):
                tasks.append(effect)
                running.add(effect.id)
            elif isinstance(effect, asl.StartTimer) and effect.purpose == "retry":
                timers.append(effect.id)
            elif isinstance(effect, asl.FinishExecution):
                finish = effect
        most = max(most, len(running))

    take(step)
    while finish is None and (tasks or timers):
        cursor = replay(cursor)
        if stop_after is not None and answered == stop_after:
            outcome: Any = asl.StopRequested("Stopped", "by the test")
        elif timers:
            outcome = asl.TimerFired(timers.popleft())
        else:
            task = tasks.popleft()
            running.discard(task.id)
            outcome = handler(task)
            answered += 1
        step = asl.resume(machine, cursor, outcome, LATER)
        events.extend(step.events)
        take(step)
    return Attempt(cursor, events, finish, most)


def first_attempt(machine: asl.StateMachine, input: Any, handler: Flaky, **kw: Any) -> Attempt:
    step = asl.start(machine, input, INFO, NOW, keep_cursor=True)
    assert step.cursor is not None
    return drive(machine, step, step.cursor, handler, **kw)


def redrive(machine: asl.StateMachine, before: Attempt, count: int, handler: Flaky) -> Attempt:
    cursor = replay(before.cursor)
    step = asl.redrive(machine, cursor, LATER, count)
    assert step.events[0].type == "ExecutionRedriven"
    assert step.events[0].id == before.events[-1].id + 1
    return drive(machine, step, cursor, handler)


def map_machine(top: dict[str, Any] | None = None, **fields: Any) -> asl.StateMachine:
    return asl.load(
        {
            "StartAt": "Prep",
            "States": {
                "Prep": {"Type": "Pass", "Next": "Each"},
                "Each": {
                    "Type": "Map",
                    "ItemsPath": "$.items",
                    "ItemProcessor": {"StartAt": "Work", "States": {"Work": WORK}},
                    "End": True,
                    **fields,
                },
            },
            **(top or {}),
        }
    )


def items(*keys: str) -> dict[str, Any]:
    return {"items": [{"key": key} for key in keys]}


def results(*pairs: tuple[str, int]) -> list[dict[str, Any]]:
    return [{"key": key, "redrives": count} for key, count in pairs]


def test_a_redriven_map_runs_only_its_failed_and_aborted_iterations() -> None:
    machine = map_machine()
    handler = Flaky({"b"})
    first = first_attempt(machine, items("a", "b", "c", "d"), handler)
    assert first.finish is not None and first.finish.status == "FAILED"
    assert first.finish.error == "Flaky.NotYet"
    assert handler.calls == ["a", "b"]
    assert first.iterations("MapIterationSucceeded") == [0]
    assert first.iterations("MapIterationFailed") == [1]
    assert first.iterations("MapIterationAborted") == [2, 3]

    handler.calls.clear()
    second = redrive(machine, first, 1, handler)
    assert handler.calls == ["b", "c", "d"]  # "a" succeeded and is not run again
    assert second.finish is not None and second.finish.status == "SUCCEEDED"
    # the first iteration's result is the one the first attempt computed
    assert second.finish.output == results(("a", 0), ("b", 1), ("c", 1), ("d", 1))
    types = second.types()
    assert types[:3] == ["ExecutionRedriven", "MapStateEntered", "MapStateStarted"]
    assert second.events[2].details == {"length": 4}
    assert second.iterations("MapIterationStarted") == [1, 2, 3]
    assert second.iterations("MapIterationSucceeded") == [1, 2, 3]
    assert "Prep" not in second.entered()  # the state before the Map is not run again
    assert types[-3:] == ["MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]
    ids = [e.id for e in first.events + second.events]
    assert ids == list(range(1, len(ids) + 1))


def test_a_redrive_respects_max_concurrency_and_can_be_repeated() -> None:
    machine = map_machine(MaxConcurrency=1)
    handler = Flaky({"c", "d"})
    first = first_attempt(machine, items("a", "b", "c", "d", "e"), handler)
    assert first.finish is not None and first.finish.status == "FAILED"
    assert handler.calls == ["a", "b", "c"]
    assert first.iterations("MapIterationStarted") == [0, 1, 2]  # d and e never started
    assert first.iterations("MapIterationAborted") == []

    handler.calls.clear()
    second = redrive(machine, first, 1, handler)
    assert second.most_in_flight == 1
    assert handler.calls == ["c", "d"]
    assert second.finish is not None and second.finish.status == "FAILED"
    assert second.iterations("MapIterationStarted") == [2, 3]

    handler.calls.clear()
    third = redrive(machine, second, 2, handler)
    assert third.most_in_flight == 1
    assert handler.calls == ["d", "e"]
    assert third.iterations("MapIterationStarted") == [3, 4]
    assert third.finish is not None and third.finish.status == "SUCCEEDED"
    assert third.finish.output == results(("a", 0), ("b", 0), ("c", 1), ("d", 2), ("e", 2))


def test_a_redriven_parallel_runs_only_its_failed_branches() -> None:
    machine = asl.load(
        {
            "StartAt": "All",
            "States": {
                "All": {
                    "Type": "Parallel",
                    "Branches": [
                        {
                            "StartAt": "One",
                            "States": {
                                "One": {
                                    **WORK,
                                    "Parameters": {
                                        "key": "one",
                                        "redrives.$": "$$.Execution.RedriveCount",
                                    },
                                }
                            },
                        },
                        {
                            "StartAt": "Two0",
                            "States": {
                                "Two0": {"Type": "Pass", "Result": {"key": "two"}, "Next": "Two"},
                                "Two": WORK,
                            },
                        },
                        {
                            "StartAt": "Three",
                            "States": {"Three": {"Type": "Pass", "Result": "three", "End": True}},
                        },
                    ],
                    "End": True,
                }
            },
        }
    )
    handler = Flaky({"two"})
    first = first_attempt(machine, {}, handler)
    assert first.finish is not None and first.finish.status == "FAILED"
    assert handler.calls == ["one", "two"]

    handler.calls.clear()
    second = redrive(machine, first, 1, handler)
    assert handler.calls == ["two"]
    assert second.finish is not None and second.finish.status == "SUCCEEDED"
    assert second.finish.output == [
        {"key": "one", "redrives": 0},
        {"key": "two", "redrives": 1},
        "three",
    ]
    # The failed branch goes on from the state it failed in; the others are not run again.
    assert second.entered() == ["All", "Two"]
    assert second.types()[:3] == [
        "ExecutionRedriven",
        "ParallelStateEntered",
        "ParallelStateStarted",
    ]


def test_a_map_inside_a_parallel_branch_keeps_its_successful_iterations() -> None:
    inner = {
        "Type": "Map",
        "ItemsPath": "$.items",
        "ItemProcessor": {"StartAt": "Work", "States": {"Work": WORK}},
        "End": True,
    }
    machine = asl.load(
        {
            "StartAt": "All",
            "States": {
                "All": {
                    "Type": "Parallel",
                    "Branches": [
                        {
                            "StartAt": "Prep",
                            "States": {"Prep": {"Type": "Pass", "Next": "Inner"}, "Inner": inner},
                        },
                        {
                            "StartAt": "Side",
                            "States": {
                                "Side": {
                                    **WORK,
                                    "Parameters": {
                                        "key": "side",
                                        "redrives.$": "$$.Execution.RedriveCount",
                                    },
                                }
                            },
                        },
                    ],
                    "End": True,
                }
            },
        }
    )
    handler = Flaky({"y"})
    first = first_attempt(machine, items("x", "y", "z"), handler)
    assert first.finish is not None and first.finish.status == "FAILED"
    assert handler.calls == ["x", "y"]  # "side" and "z" were aborted before they answered

    handler.calls.clear()
    second = redrive(machine, first, 1, handler)
    assert sorted(handler.calls) == ["side", "y", "z"]
    assert second.finish is not None and second.finish.status == "SUCCEEDED"
    assert second.finish.output == [
        results(("x", 0), ("y", 1), ("z", 1)),
        {"key": "side", "redrives": 1},
    ]
    assert second.iterations("MapIterationStarted") == [1, 2]
    assert "Prep" not in second.entered()


def test_a_stopped_map_redrives_its_unfinished_iterations() -> None:
    machine = map_machine()
    handler = Flaky(set())
    first = first_attempt(machine, items("a", "b", "c"), handler, stop_after=1)
    assert first.finish is not None and first.finish.status == "ABORTED"
    assert handler.calls == ["a"]

    handler.calls.clear()
    second = redrive(machine, first, 1, handler)
    assert handler.calls == ["b", "c"]
    assert second.finish is not None
    assert second.finish.output == results(("a", 0), ("b", 1), ("c", 1))


def test_a_timed_out_map_redrives_its_unfinished_iterations() -> None:
    machine_with_timeout = map_machine({"TimeoutSeconds": 60}, MaxConcurrency=2)
    handler = Flaky(set())
    step = asl.start(machine_with_timeout, items("a", "b", "c"), INFO, NOW, keep_cursor=True)
    assert step.cursor is not None
    timeout = next(
        e.id
        for e in step.effects
        if isinstance(e, asl.StartTimer) and e.purpose == "execution-timeout"
    )
    task = next(e for e in step.effects if isinstance(e, asl.InvokeTask))
    cursor = step.cursor
    asl.resume(machine_with_timeout, cursor, handler(task), LATER)  # "a" succeeds
    ended = asl.resume(machine_with_timeout, cursor, asl.TimerFired(timeout), LATER)
    assert [e.type for e in ended.events] == ["ExecutionTimedOut"]
    first = Attempt(cursor, list(step.events) + list(ended.events), None, 0)

    handler.calls.clear()
    second = redrive(machine_with_timeout, first, 1, handler)
    assert handler.calls == ["b", "c"]
    assert second.finish is not None
    assert second.finish.output == results(("a", 0), ("b", 1), ("c", 1))


def test_tolerated_failures_are_counted_afresh_and_failed_iterations_run_again() -> None:
    machine = map_machine(ToleratedFailureCount=1)
    handler = Flaky({"b", "c"})
    first = first_attempt(machine, items("a", "b", "c", "d"), handler)
    assert first.finish is not None
    assert first.finish.error == "States.ExceedToleratedFailureThreshold"

    handler.calls.clear()
    second = redrive(machine, first, 1, handler)
    assert handler.calls == ["b", "c", "d"]  # the tolerated failure of "b" runs again too
    assert second.finish is not None and second.finish.status == "SUCCEEDED"
    assert second.finish.output == results(("a", 0), ("b", 1), ("c", 1), ("d", 1))


def test_a_retried_map_runs_all_its_iterations_again() -> None:
    """A retry is not a redrive: the state starts over with every iteration."""
    machine = map_machine(
        Retry=[{"ErrorEquals": ["Flaky.NotYet"], "IntervalSeconds": 1, "MaxAttempts": 1}]
    )
    handler = Flaky({"b"})
    attempt = first_attempt(machine, items("a", "b"), handler)
    assert handler.calls == ["a", "b", "a", "b"]
    assert attempt.finish is not None
    assert attempt.finish.output == results(("a", 0), ("b", 0))


def test_the_kept_results_survive_a_cursor_round_trip() -> None:
    machine = map_machine()
    first = first_attempt(machine, items("a", "b", "c"), Flaky({"b"}))
    raw = first.cursor.to_json()
    assert Cursor.from_json(json.loads(json.dumps(raw))).to_json() == raw
    fan = raw["root"]["fan"]
    assert fan["succeeded"] == [0]
    assert sorted(fan["stopped"]) == ["1", "2"]
    assert fan["results"][0] == {"key": "a", "redrives": 0}


def test_a_cursor_written_before_kept_results_runs_the_whole_state_again() -> None:
    machine = map_machine()
    # A failed state's fan-out was dropped; a stopped one's had no record of its children.
    failed = first_attempt(machine, items("a", "b"), Flaky({"b"}))
    failed_raw = failed.cursor.to_json()
    failed_raw["root"]["fan"] = None
    stopped = first_attempt(machine, items("a", "b"), Flaky(set()), stop_after=1)
    stopped_raw = stopped.cursor.to_json()
    for key in ("succeeded", "stopped", "order"):
        del stopped_raw["root"]["fan"][key]
    for raw, before in ((failed_raw, failed), (stopped_raw, stopped)):
        legacy = Attempt(Cursor.from_json(raw), before.events, before.finish, 0)
        handler = Flaky(set())
        second = redrive(machine, legacy, 1, handler)
        assert handler.calls == ["a", "b"]
        assert second.iterations("MapIterationStarted") == [0, 1]
        assert second.finish is not None
        assert second.finish.output == results(("a", 1), ("b", 1))


def nested_map_machine() -> asl.StateMachine:
    inner = {"StartAt": "Work", "States": {"Work": WORK}}
    outer = {
        "StartAt": "Inner",
        "States": {"Inner": {"Type": "Map", "ItemProcessor": inner, "End": True}},
    }
    return asl.load(
        {
            "StartAt": "Outer",
            "States": {"Outer": {"Type": "Map", "ItemProcessor": outer, "End": True}},
        }
    )


NESTED = [[{"key": "a"}, {"key": "b"}], [{"key": "c"}, {"key": "d"}]]


def test_a_map_in_a_map_reruns_only_the_failed_inner_iteration() -> None:
    machine = nested_map_machine()
    handler = Flaky({"d"})
    first = first_attempt(machine, NESTED, handler)
    assert first.finish is not None and first.finish.status == "FAILED"
    assert handler.calls == ["a", "b", "c", "d"]

    handler.calls.clear()
    second = redrive(machine, first, 1, handler)
    assert handler.calls == ["d"]
    assert second.finish is not None
    assert second.finish.output == [
        results(("a", 0), ("b", 0)),
        results(("c", 0), ("d", 1)),
    ]
    # the outer Map starts its second iteration again, whose inner Map starts only "d"
    assert second.iterations("MapIterationStarted") == [1, 1]
    assert second.entered() == ["Outer", "Inner", "Work"]


def test_a_stopped_map_in_a_map_reruns_only_the_aborted_inner_iteration() -> None:
    machine = nested_map_machine()
    handler = Flaky(set())
    first = first_attempt(machine, NESTED, handler, stop_after=3)
    assert first.finish is not None and first.finish.status == "ABORTED"
    assert first.iterations("MapIterationAborted") == [1, 1]  # "d", then its outer iteration

    handler.calls.clear()
    second = redrive(machine, first, 1, handler)
    assert handler.calls == ["d"]
    assert second.finish is not None
    assert second.finish.output == [
        results(("a", 0), ("b", 0)),
        results(("c", 0), ("d", 1)),
    ]
