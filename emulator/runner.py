"""The runner: advances the executions this process holds, one committed step at a time.

Every outcome — a task's answer, a timer, a stop — goes through :meth:`Runner.deliver`:
``asl.resume`` computes the step, the step is committed in ONE transaction (events, timers,
pending tasks, cursor, final status; the fired timer or the applied request deleted), and only
then are its effects carried out.  If the commit fails, nothing happened: the execution is
reloaded from the database, whose timers, pending tasks and requests still hold the outcome.

An execution that ends FAILED, TIMED_OUT or ABORTED keeps the cursor it ended with, for
RedriveExecution (emulator.redrive).  Nested executions (``states:startExecution``) are
started by ``nested`` (emulator.integrations.states), which the runner tells of every end.

Background work: a timer loop (fires due timers in time order on the runner's clock) and a
maintenance loop (renews leases, claims executions nobody advances, applies requests other
processes left, reloads executions whose commit failed).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

import asl
from asl import jsontext
from emulator.activities import ActivityQueue
from emulator.activity_refs import activity_resources, missing_activities
from emulator.clock import Clock, VirtualClock
from emulator.commit_signals import CommitSignals
from emulator.dispatch import TaskDispatch
from emulator.leases import Leases
from emulator.live import LiveExecution, applied, plan
from emulator.mocks import MockConfig
from emulator.recovery import recover
from emulator.store import event_rows, work_rows
from emulator.store import execution_rows as rows
from emulator.store.db import Database
from emulator.store.messages import outcome_from_json
from emulator.timers import TimerQueue

if TYPE_CHECKING:
    from emulator.integrations.states import NestedExecutions

log = logging.getLogger("stepline.runner")

_MACHINE_CACHE = 256
_CLAIM_BATCH = 100


def _keep_final_cursor(live: LiveExecution, write: rows.StepWrite, durable: bool) -> None:
    """An execution that ends unsuccessfully keeps its last cursor: RedriveExecution runs it
    again from there."""
    finish = write.finish
    if durable and finish is not None and finish.status != "SUCCEEDED":
        write.cursor = jsontext.dumps(live.cursor.to_json())


class Runner:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        handlers: Mapping[str, Callable[[Any], Any]],
        leases: Leases,
        poll_seconds: float,
        mocks: MockConfig | None = None,
    ) -> None:
        self.db = db
        self.mocks = mocks  # Step Functions Local's mock file, if one was given
        self.clock = clock
        self.handlers = handlers
        self.leases = leases
        self.poll_seconds = poll_seconds
        self.live: dict[str, LiveExecution] = {}
        self.activities = ActivityQueue(db)
        self._machines: OrderedDict[str, asl.StateMachine] = OrderedDict()
        self._timers = TimerQueue()
        self._wake = asyncio.Event()
        self._callbacks = 0
        self._reload: set[str] = set()
        self._broken: set[str] = set()
        self.dispatch = TaskDispatch(self)
        self.commits = CommitSignals()  # wakes SSE streams after each commit
        self.nested: NestedExecutions | None = None  # set by emulator.executions
        self._activity_arns: dict[int, frozenset[str]] = {}
        self.activities_must_exist = False  # see Executions.activities_must_exist
        self._settlers: list[asyncio.Future[None]] = []
        self._loops: list[asyncio.Task[None]] = []
        self._open = False
        # Called (synchronously, after the commit) with the ARN and the finish of every
        # durable execution this process finishes; see Executions.on_finish.
        self.finish_listeners: list[Callable[[str, rows.Finish], None]] = []

    # ------------------------------------------------------------------ lifecycle

    async def open(self) -> None:
        self._open = True
        self.clock.register(self)
        if isinstance(self.clock, VirtualClock):
            with self.db.begin() as connection:
                latest = event_rows.last_event_time(connection)
            if latest is not None:
                self.clock.catch_up(latest)
        while self.claim():
            pass
        self._loops = [
            asyncio.create_task(self._timer_loop(), name="stepline-timers"),
            asyncio.create_task(self._maintenance_loop(), name="stepline-maintenance"),
        ]

    async def close(self) -> None:
        self._open = False
        for loop in self._loops:
            loop.cancel()
        stopping = list(self.nested.tasks) if self.nested is not None else []
        for task in [*self.dispatch.tasks, *stopping]:
            task.cancel()
        await asyncio.gather(*self._loops, *self.dispatch.tasks, *stopping, return_exceptions=True)
        self._loops = []
        held = {arn for arn, live in self.live.items() if live.durable}
        for live in list(self.live.values()):
            self._drop(live.arn)
        try:
            self.leases.release(held)
        except SQLAlchemyError:
            log.exception("could not release leases; they will expire")
        self.clock.unregister(self)
        self._resolve_settlers()

    # ------------------------------------------------------------------ machines

    def machine(self, definition: str) -> asl.StateMachine:
        machine = self._machines.get(definition)
        if machine is None:
            machine = asl.load(definition)
            self._machines[definition] = machine
            self._activity_arns[id(machine)] = activity_resources(machine)
            if len(self._machines) > _MACHINE_CACHE:
                _, evicted = self._machines.popitem(last=False)
                self._activity_arns.pop(id(evicted), None)
        else:
            self._machines.move_to_end(definition)
        return machine

    def missing_activities(self, machine: asl.StateMachine) -> frozenset[str]:
        """The activity ARNs the machine's Tasks name that do not exist now (a Task on one
        fails at once); asked only of machines that have activity Tasks."""
        if not self.activities_must_exist:
            return frozenset()
        wanted = self._activity_arns.get(id(machine))
        if wanted is None:
            wanted = activity_resources(machine)
        if not wanted:
            return frozenset()
        with self.db.begin() as connection:
            return missing_activities(connection, wanted)

    # ------------------------------------------------------------------ steps

    def begin(
        self, live: LiveExecution, step: asl.Step, now: datetime, row: dict[str, Any] | None
    ) -> rows.StepWrite:
        """Commit an execution's first step with its row (None: in memory only), then act."""
        p = plan(live, step, now, self.clock)
        _keep_final_cursor(live, p.write, row is not None)
        if row is not None:
            with self.db.begin() as connection:
                row["seq"] = rows.next_seq(connection, self.db.dialect)
                rows.insert_execution(connection, row, p.write)
        if p.write.finish is None:
            self.live[live.arn] = live
        self._after(live, p.write, p.dues, p.invokes)
        return p.write

    def deliver(
        self,
        arn: str,
        outcome: asl.Outcome,
        timer_id: str | None = None,
        request_id: int | None = None,
    ) -> bool:
        """Apply one outcome to an execution this process holds; False if it holds none."""
        live = self.live.get(arn)
        if live is None:
            return False
        now = self.clock.now()
        try:
            step = asl.resume(
                live.machine,
                live.cursor,
                outcome,
                now,
                missing_activities=self.missing_activities(live.machine),
            )
        except Exception:
            # The interpreter failed: replaying the outcome would fail again.  Keep the last
            # committed state and stop advancing this execution.
            log.exception("the interpreter failed on %s for %s", type(outcome).__name__, arn)
            self._broken.add(arn)
            self._drop(arn)
            return True
        if step.cursor is not None:
            live.cursor = step.cursor
        p = plan(live, step, now, self.clock, timer_id, request_id)
        write = p.write
        _keep_final_cursor(live, write, live.durable)
        if live.durable and not write.is_empty():
            try:
                with self.db.begin() as connection:
                    rows.write_step(connection, arn, self.leases.owner, write)
            except rows.LeaseLost:
                log.warning("lost the lease on %s; another process carries it on", arn)
                self._drop(arn)
                return True
            except SQLAlchemyError:
                # Nothing was written: the timer, pending task or request that brought this
                # outcome is still in the database, and delivers it again after the reload.
                log.exception("could not commit a step of %s; reloading it", arn)
                self._drop(arn)
                self._reload.add(arn)
                return True
            except Exception:
                log.exception("could not write a step of %s", arn)
                self._broken.add(arn)
                self._drop(arn)
                return True
        self._after(live, write, p.dues, p.invokes)
        return True

    def _after(
        self,
        live: LiveExecution,
        write: rows.StepWrite,
        dues: dict[str, datetime],
        invokes: list[asl.InvokeTask],
    ) -> None:
        """The step is committed: update the live state, then carry out the effects."""
        arn = live.arn
        self._timers.forget(arn, write.timers_removed)
        for timer_id, due in dues.items():
            self._timers.add_timer(arn, timer_id, due)
        self._callbacks += applied(live, write)
        self.commits.notify(arn)
        if write.finish is not None:
            self._finished(live, write.finish)
        elif self.nested is not None and arn in self.nested.parents:
            self.nested.parent_moved(arn, live.cursor.waiting)
        if dues:
            self._wake.set()
        for effect in invokes:
            self.dispatch.dispatch(arn, effect)

    def _finished(self, live: LiveExecution, finish: rows.Finish) -> None:
        if self.nested is not None:
            self.nested.finished(live.arn, finish.status)
        if live.record is not None:
            record = live.record
            record.status = finish.status
            record.output = finish.output
            record.error = finish.error
            record.cause = finish.cause
            record.stop_date = finish.stop_date
        self._drop(live.arn)
        if live.durable:
            for listener in list(self.finish_listeners):
                try:
                    listener(live.arn, finish)
                except Exception:
                    log.exception("a finish listener failed for %s", live.arn)

    def _drop(self, arn: str) -> None:
        live = self.live.pop(arn, None)
        if live is None:
            return
        self.commits.notify(arn)  # a watcher now reads the store
        self._timers.forget(arn, live.timers)
        self._callbacks -= len(live.callbacks)
        for waiter in live.waiters:
            if not waiter.done():
                waiter.set_result(None)
        live.waiters.clear()
        self._wake.set()

    def waiter(self, arn: str) -> asyncio.Future[None] | None:
        """A future resolved when this process stops advancing ``arn`` (finished or not)."""
        live = self.live.get(arn)
        if live is None:
            return None
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        live.waiters.append(future)
        return future

    # ------------------------------------------------------------------ time

    def idle(self) -> bool:
        """Nothing but timers to wait for: no task in flight, no callback awaited."""
        return self.dispatch.inflight == 0 and self._callbacks == 0

    def next_due(self) -> datetime | None:
        return self._timers.next_due()

    def clock_moved(self) -> None:
        self._wake.set()

    async def settle(self, deadline: float) -> None:
        """Wait until every timer due now has fired and, until ``deadline`` (monotonic
        seconds), until no task is in flight."""
        loop = asyncio.get_running_loop()
        while self._open:
            due = self._timers.next_due()
            timers_done = not self._wake.is_set() and (due is None or due > self.clock.now())
            remaining = deadline - time.monotonic()
            if timers_done and (self.dispatch.inflight == 0 or remaining <= 0):
                return
            future: asyncio.Future[None] = loop.create_future()
            self._settlers.append(future)
            if timers_done:  # only tasks in flight: each one that ends resolves the future
                await asyncio.wait({future}, timeout=remaining)
            else:
                self._wake.set()
                await future

    def _resolve_settlers(self) -> None:
        settlers, self._settlers = self._settlers, []
        for future in settlers:
            if not future.done():
                future.set_result(None)

    async def _timer_loop(self) -> None:
        while True:
            self._wake.clear()
            for due in self._timers.pop_due(self.clock.now()):
                try:
                    if due.timer_id is not None:
                        self.deliver(due.arn, asl.TimerFired(due.timer_id), timer_id=due.timer_id)
                    elif due.outcome is not None:
                        self.deliver(due.arn, due.outcome)
                except Exception:
                    log.exception("firing a timer of %s failed", due.arn)
            self._resolve_settlers()
            await self.clock.sleep_until(self._timers.next_due(), self._wake, self.idle)

    # ------------------------------------------------------------------ ownership

    def claim(self) -> int:
        """Claim running executions nobody advances and carry them on; returns how many."""
        arns = self.leases.claim(_CLAIM_BATCH, set(self.live) | self._broken)
        for arn in arns:
            self.load(arn)
        return len(arns)

    def load(self, arn: str) -> bool:
        """Carry on a running execution this process holds, from its last committed step."""
        return recover(self, arn)

    def apply_requests(self) -> None:
        if not any(live.durable for live in self.live.values()):
            return
        with self.db.begin() as connection:
            requests = work_rows.requests_for_owner(connection, self.leases.owner)
        for request in requests:
            if request.execution_arn in self.live:
                self.deliver(
                    request.execution_arn, outcome_from_json(request.outcome), request_id=request.id
                )

    def renew(self) -> None:
        held = self.leases.renew()
        for arn in [arn for arn, live in self.live.items() if live.durable and arn not in held]:
            log.warning("lost the lease on %s; another process carries it on", arn)
            self._drop(arn)

    async def _maintenance_loop(self) -> None:
        renew_every = self.leases.seconds / 3
        claim_every = min(1.0, self.leases.seconds / 4)
        last_renew = last_claim = time.monotonic()
        while True:
            await asyncio.sleep(self.poll_seconds)
            try:
                self.apply_requests()
                now = time.monotonic()
                if now - last_renew >= renew_every:
                    last_renew = now
                    self.renew()
                if now - last_claim >= claim_every:
                    last_claim = now
                    self.claim()
                for arn in list(self._reload):
                    self._reload.discard(arn)
                    if arn not in self.live:
                        self.load(arn)
            except SQLAlchemyError:
                log.exception("maintenance failed; trying again")
