"""Run one execution to its end, in process, on a virtual clock.

The driver carries out the interpreter's effects: it calls local handlers for Task
resources, keeps timers in a queue and jumps the clock to the next one, so a Wait of a year
ends at once while timers still fire in time order.  It is what ``stepline run`` and the
conformance runner use.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asl
from emulator.activities import is_activity
from emulator.handlers import invoke
from emulator.mocks import MockSession
from emulator.nested_local import LocalNesting

ACCOUNT = "123456789012"
REGION = "us-east-1"
LOCAL_WORKER = "stepline-local"  # the workerName of ActivityStarted when a handler answers


@dataclass
class ExecutionResult:
    status: str  # SUCCEEDED | FAILED | TIMED_OUT | ABORTED | RUNNING (stuck: nothing can answer)
    output: Any = None
    error: str | None = None
    cause: str | None = None
    events: list[asl.Event] = field(default_factory=list)
    stuck_reason: str | None = None

    def history(self, include_data: bool = True) -> list[dict[str, Any]]:
        """Events shaped as GetExecutionHistory returns them, timestamps as ISO 8601 text."""
        out = []
        for event in self.events:
            rendered = event.render(include_data)
            rendered["timestamp"] = rendered["timestamp"].isoformat(timespec="milliseconds")
            out.append(rendered)
        return out


def default_info(
    state_machine_name: str = "Local",
    execution_name: str = "local",
    start_time: datetime | None = None,
    account: str = ACCOUNT,
    region: str = REGION,
) -> asl.ExecutionInfo:
    return asl.ExecutionInfo(
        execution_arn=f"arn:aws:states:{region}:{account}:execution:{state_machine_name}:{execution_name}",
        execution_name=execution_name,
        state_machine_arn=f"arn:aws:states:{region}:{account}:stateMachine:{state_machine_name}",
        state_machine_name=state_machine_name,
        role_arn=f"arn:aws:iam::{account}:role/StepFunctionsRole",
        start_time=start_time or datetime.now(UTC),
    )


def run_local(
    machine: asl.StateMachine,
    input: Any,
    handlers: Mapping[str, Callable[[Any], Any]],
    info: asl.ExecutionInfo | None = None,
    seed: int = 0,
    mock: MockSession | None = None,
    input_text: str | None = None,
    machines: Mapping[str, asl.StateMachine] | None = None,
    nesting: LocalNesting | None = None,
) -> ExecutionResult:
    """Run ``machine`` to its end; Task resources are answered by ``handlers``, except
    the states ``mock``'s test case answers (see :mod:`emulator.mocks`).  ``input_text``:
    the input as written, which the ExecutionStarted event keeps.  ``machines`` (by ARN or
    name): what states:startExecution tasks can start, as child executions run here
    (:mod:`emulator.nested_local`; ``nesting``: the run a child belongs to); without them
    those tasks go to the handlers like any other."""
    info = info or default_info()
    if nesting is None and machines is not None:
        nesting = LocalNesting(machines, handlers, seed)
    now = info.start_time
    queue: list[tuple[datetime, int, asl.Outcome]] = []
    order = itertools.count()
    cancelled: set[str] = set()
    events: list[asl.Event] = []
    result: ExecutionResult | None = None

    def carry_out(step: asl.Step) -> None:
        nonlocal result
        events.extend(step.events)
        for effect in step.effects:
            if isinstance(effect, asl.StartTimer):
                heapq.heappush(queue, (effect.fire_at, next(order), asl.TimerFired(effect.id)))
            elif isinstance(effect, asl.CancelTimer):
                cancelled.add(effect.id)
            elif isinstance(effect, asl.InvokeTask):
                mocked = mock.answer(effect) if mock is not None else None
                if mocked is not None:
                    for outcome in mocked:
                        heapq.heappush(queue, (now, next(order), outcome))
                    continue
                nested = nesting.answer(effect, now, info) if nesting is not None else None
                if nested is not None:
                    for at, outcome in nested:
                        heapq.heappush(queue, (at, next(order), outcome))
                    continue
                if is_activity(effect.resource) and effect.resource in handlers:
                    # The handler plays the activity worker: it takes the task at once.
                    started = asl.TaskStarted(effect.id, LOCAL_WORKER)
                    heapq.heappush(queue, (now, next(order), started))
                at, outcome = invoke(effect, handlers, now, info.execution_arn)
                heapq.heappush(queue, (at, next(order), outcome))
            elif isinstance(effect, asl.FinishExecution):
                result = ExecutionResult(
                    effect.status, effect.output, effect.error, effect.cause, events
                )

    step = asl.start(machine, input, info, now, seed, input_text)
    carry_out(step)
    cursor = step.cursor
    while result is None:
        if not queue:
            return ExecutionResult(
                "RUNNING",
                events=events,
                stuck_reason="; ".join(nesting.notes if nesting is not None else ())
                or "the execution waits for a callback that nothing in this run can send",
            )
        at, _, outcome = heapq.heappop(queue)
        if isinstance(outcome, asl.TimerFired) and outcome.id in cancelled:
            cancelled.discard(outcome.id)
            continue
        if at > now:
            now = at
        assert cursor is not None
        step = asl.resume(machine, cursor, outcome, now)
        carry_out(step)
        cursor = step.cursor
    return result
