"""A running execution this process advances, and what one step of it writes.

The live cursor stays in memory between steps (it is never re-parsed), while its JSON is
written in every step's transaction.  :func:`plan` turns a step of the interpreter into a
:class:`~emulator.store.execution_rows.StepWrite`: events rendered once, timers started and
cancelled (a timer started and cancelled in the same step is never written), tasks now
pending, and tasks the cursor no longer awaits (a task whose timeout fired, say).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

import asl
from asl import jsontext
from emulator.activities import is_activity
from emulator.clock import Clock
from emulator.mocks import MockSession
from emulator.store.event_rows import event_rows
from emulator.store.execution_rows import ExecutionRecord, Finish, StepWrite
from emulator.store.messages import await_callback_to_json, invoke_task_to_json
from emulator.timers import epoch


@dataclass(eq=False)
class LiveExecution:
    arn: str
    machine: asl.StateMachine
    cursor: asl.Cursor
    durable: bool = True  # False: a synchronous Express execution, kept in memory only
    timers: set[str] = field(default_factory=set)
    tasks: set[str] = field(default_factory=set)  # pending task ids and callback tokens
    callbacks: set[str] = field(default_factory=set)  # the callback tokens among them
    record: ExecutionRecord | None = None  # in-memory executions only
    events: list[asl.Event] = field(default_factory=list)  # in-memory executions only
    waiters: list[asyncio.Future[None]] = field(default_factory=list)
    mock: MockSession | None = None  # the Step Functions Local test case it runs, if any


@dataclass(slots=True)
class Plan:
    write: StepWrite
    dues: dict[str, datetime]  # timer id -> when due on the clock, for timers_added
    invokes: list[asl.InvokeTask]


def plan(
    live: LiveExecution,
    step: asl.Step,
    now: datetime,
    clock: Clock,
    fired_timer: str | None = None,
    request_id: int | None = None,
) -> Plan:
    write = StepWrite(request_id=request_id)
    dues: dict[str, datetime] = {}
    invokes: list[asl.InvokeTask] = []
    if step.events:
        if live.durable:
            write.events = event_rows(live.arn, step.events)
        else:
            live.events.extend(step.events)
        write.event_count = step.events[-1].id
    else:
        write.event_count = live.cursor.next_event_id - 1
    added = write.timers_added
    removed = write.timers_removed
    tasks: dict[str, tuple[str, str | None, bool]] = {}
    if fired_timer is not None:
        removed.add(fired_timer)
    for effect in step.effects:
        if isinstance(effect, asl.StartTimer):
            due = clock.due(now, effect.fire_at, effect.purpose)
            added[effect.id] = (effect.fire_at, epoch(due))
            dues[effect.id] = due
        elif isinstance(effect, asl.CancelTimer):
            if effect.id in added:
                del added[effect.id]
                del dues[effect.id]
            else:
                removed.add(effect.id)
        elif isinstance(effect, asl.InvokeTask):
            invokes.append(effect)
            # An activity task waits for a worker, as a callback waits for its token.
            waits = is_activity(effect.resource)
            if live.durable:
                tasks[effect.id] = (invoke_task_to_json(effect), effect.task_token, waits)
            else:
                tasks[effect.id] = ("", effect.task_token, waits)
        elif isinstance(effect, asl.AwaitCallback):
            tasks[effect.id] = (await_callback_to_json(effect), effect.task_token, True)
        elif isinstance(effect, asl.FinishExecution):
            output = jsontext.dumps(effect.output) if effect.status == "SUCCEEDED" else None
            write.finish = Finish(effect.status, output, effect.error, effect.cause, now)
    cursor = step.cursor
    if write.finish is None and cursor is not None:
        waiting = cursor.waiting
        write.tasks_added = {k: v for k, v in tasks.items() if k in waiting}
        write.tasks_removed = {k for k in live.tasks if k not in waiting}
        if live.durable and (step.events or step.effects):
            write.cursor = jsontext.dumps(cursor.to_json())
    return Plan(write, dues, invokes)


def applied(live: LiveExecution, write: StepWrite) -> int:
    """Bring the live execution's bookkeeping up to date; returns the change in callbacks."""
    before = len(live.callbacks)
    live.timers.difference_update(write.timers_removed)
    live.timers.update(write.timers_added)
    live.tasks.difference_update(write.tasks_removed)
    live.callbacks.difference_update(write.tasks_removed)
    for task_id, (_, _, callback) in write.tasks_added.items():
        live.tasks.add(task_id)
        if callback:
            live.callbacks.add(task_id)
    return len(live.callbacks) - before
