"""Durable executions: start, stop, redrive, wait for, read and list them.

``Executions`` is what the API calls.  The caller validates requests and decides
idempotency; this module runs executions (see ``runner``) and reads what was committed.

    executions = Executions(Database(url), make_clock("system", None), handlers)
    await executions.open()          # recovers RUNNING executions, starts timers and leases
    record = await executions.start_execution(ExecutionRequest(arn=..., ...))
    record = await executions.wait_finished(record.arn)
    await executions.close()

Several processes may share one PostgreSQL database: each advances only the executions it
holds a lease on (``leases``).  An outcome for an execution another process holds — a
StopExecution arriving here — is written to the ``requests`` table in one transaction; the
holder applies it within ``poll_seconds`` in the same transaction as the step it causes.  If
the holder is gone (its lease lapsed, or it was a process on this host that exited), this
process takes the execution over and applies the request itself.
"""

from __future__ import annotations

import asyncio
import builtins
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError

import asl
from asl import jsontext
from emulator.clock import Clock
from emulator.commit_signals import CommitSignals
from emulator.execution_errors import (
    ExecutionAlreadyExists,
    ExecutionNotFound,
    ExecutionNotRedrivable,
    InvalidTaskToken,
    TaskTimedOut,
)
from emulator.execution_start import ExecutionRequest, first_step
from emulator.integrations.states import NestedExecutions
from emulator.leases import Leases, lease_seconds_from, new_owner
from emulator.mocks import MockConfig
from emulator.redrive import redrive
from emulator.runner import Runner
from emulator.store import event_rows, work_rows
from emulator.store import execution_rows as rows
from emulator.store.db import Database
from emulator.store.execution_rows import ExecutionRecord
from emulator.store.messages import outcome_to_json

__all__ = [
    "ExecutionAlreadyExists",
    "ExecutionNotFound",
    "ExecutionNotRedrivable",
    "ExecutionRecord",
    "ExecutionRequest",
    "Executions",
    "InvalidTaskToken",
    "TaskTimedOut",
]

RUNNING = "RUNNING"


# The tokens the interpreter issues: 64 hexadecimal digits (asl/interpreter/tasks.py).
_TOKEN = re.compile(r"[0-9a-f]{64}")


class Executions:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        handlers: Mapping[str, Callable[[Any], Any]],
        owner: str | None = None,
        *,
        lease_seconds: float | None = None,
        poll_seconds: float = 0.2,
        reclaim_dead_owners: bool = True,
        mocks: MockConfig | None = None,
    ) -> None:
        self.db = db
        self.owner = owner or new_owner()
        leases = Leases(db, self.owner, lease_seconds_from(lease_seconds), reclaim_dead_owners)
        self._runner = Runner(db, clock, handlers, leases, poll_seconds, mocks)
        self._runner.nested = NestedExecutions(self, self._runner)

    @property
    def activities_must_exist(self) -> bool:
        """A Task on an activity that no CreateActivity made fails at once (States.Runtime),
        as on AWS; set by the Step Functions service layer, which keeps the activities."""
        return self._runner.activities_must_exist

    @activities_must_exist.setter
    def activities_must_exist(self, value: bool) -> None:
        self._runner.activities_must_exist = value

    @property
    def mocks(self) -> MockConfig | None:
        """Step Functions Local's mock file, if one was given."""
        return self._runner.mocks

    @property
    def clock(self) -> Clock:
        return self._runner.clock

    @property
    def handlers(self) -> Mapping[str, Callable[[Any], Any]]:
        """The local Task handlers (TestState answers an unmocked Task with them)."""
        return self._runner.handlers

    @property
    def commits(self) -> CommitSignals:
        """Signals set when this process commits a step of an execution (for streams)."""
        return self._runner.commits

    def holds(self, arn: str) -> bool:
        """Does this process advance ``arn`` now (so its commits are signalled here)?"""
        return arn in self._runner.live

    async def open(self) -> None:
        """Recover running executions (timers and pending tasks included) and start the
        background work: due timers, lease renewal, claims, requests from other processes."""
        await self._runner.open()
        if self._runner.nested is not None:
            self._runner.nested.recover()

    async def close(self) -> None:
        """Stop the background work and hand this process's executions back (leases released)."""
        await self._runner.close()

    def on_finish(self, listener: Callable[[str, rows.Finish], None]) -> Callable[[], None]:
        """Call ``listener(arn, finish)`` each time this process finishes a durable execution
        (after the commit; it must not block).  Returns a function that removes it."""
        listeners = self._runner.finish_listeners
        listeners.append(listener)
        return lambda: listeners.remove(listener) if listener in listeners else None

    async def __aenter__(self) -> Executions:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ------------------------------------------------------------------ starting

    async def start_execution(self, request: ExecutionRequest) -> ExecutionRecord:
        """Write the execution, its first step's events, timers and tasks in ONE transaction,
        then carry out the effects.  Raises :class:`ExecutionAlreadyExists`."""
        record, live, step = first_step(self._runner, request, durable=True)
        row = {
            "arn": request.arn,
            "state_machine_arn": request.state_machine_arn,
            "version_arn": request.version_arn,
            "alias_arn": request.alias_arn,
            "name": request.name,
            "type": request.type,
            "status": RUNNING,
            "definition": request.definition,
            "role_arn": request.role_arn,
            "input": request.input_text,
            "start_date": record.start_date,
            "trace_header": request.trace_header,
            "mock_test_case": request.mock_test_case.name if request.mock_test_case else None,
            "redrive_count": 0,
            "lease_owner": self.owner,
            "lease_expires": self._runner.leases.expiry(),
        }
        try:
            write = self._runner.begin(live, step, record.start_date, row)
        except IntegrityError:
            raise ExecutionAlreadyExists(request.arn) from None
        if write.finish is not None:
            _finish(record, write.finish)
        return record

    async def run_express_sync(self, request: ExecutionRequest) -> ExecutionRecord:
        """StartSyncExecution: run to the end in memory (AWS keeps no history for EXPRESS)."""
        record, live, step = first_step(self._runner, request, durable=False)
        live.record = record
        write = self._runner.begin(live, step, record.start_date, None)
        if write.finish is None:
            waiter = self._runner.waiter(request.arn)
            if waiter is not None:
                await waiter
        return record

    # ------------------------------------------------------------------ redriving

    async def redrive_execution(self, arn: str) -> ExecutionRecord:
        """Run a FAILED, TIMED_OUT or ABORTED execution again from where it stopped (the
        caller checks AWS's rules first); raises :class:`ExecutionNotRedrivable`."""
        redrive(self._runner, arn)
        record = self.get(arn)
        if record is None:  # pragma: no cover - the redrive committed the row
            raise ExecutionNotFound(arn)
        return record

    # ------------------------------------------------------------------ stopping and waiting

    async def stop_execution(
        self, arn: str, error: str | None, cause: str | None
    ) -> ExecutionRecord:
        """Abort a running execution (a finished one is returned as it is)."""
        record = self.get(arn)
        if record is None:
            raise ExecutionNotFound(arn)
        if record.status != RUNNING:
            return record
        if not self._request(arn, asl.StopRequested(error, cause)):
            # Another process holds it: it applies the request within its poll interval, or,
            # if it is gone, this process takes the execution over and applies it.
            runner = self._runner
            deadline = time.monotonic() + max(5.0, 3 * runner.leases.seconds)
            while time.monotonic() < deadline:
                with self.db.begin() as connection:
                    taken = runner.leases.take(connection, arn)
                if taken:
                    runner.load(arn)
                    break
                current = self.get(arn)
                if current is None or current.status != RUNNING:
                    break
                await asyncio.sleep(0.02)
        return self.get(arn) or record

    def _request(self, arn: str, outcome: asl.Outcome) -> bool:
        """Record an outcome for ``arn`` durably, then apply it if this process holds the
        execution (True); otherwise its holder will (False)."""
        with self.db.begin() as connection:
            request_id = work_rows.add_request(
                connection, arn, outcome_to_json(outcome), self.clock.now()
            )
        return self._runner.deliver(arn, outcome, request_id=request_id)

    # ------------------------------------------------------------------ task tokens

    async def send_task_success(self, task_token: str, output: str) -> None:
        """SendTaskSuccess: ``output`` is JSON text (the caller has checked it)."""
        self._callback(task_token, asl.CallbackSucceeded(task_token, jsontext.loads(output)))

    async def send_task_failure(
        self, task_token: str, error: str | None, cause: str | None
    ) -> None:
        """SendTaskFailure."""
        self._callback(task_token, asl.CallbackFailed(task_token, error or "", cause or ""))

    async def send_task_heartbeat(self, task_token: str) -> None:
        """SendTaskHeartbeat: restarts the task's HeartbeatSeconds."""
        self._callback(task_token, None)

    def _callback(self, task_token: str, outcome: asl.Outcome | None) -> None:
        with self.db.begin() as connection:
            found = work_rows.find_token(connection, task_token)
        if found is None:
            if _TOKEN.fullmatch(task_token):
                raise TaskTimedOut(task_token)
            raise InvalidTaskToken(task_token)
        self._request(found.execution_arn, outcome or asl.TaskHeartbeat(found.task_id))

    # ------------------------------------------------------------------ activities

    async def get_activity_task(
        self, activity_arn: str, worker_name: str | None, poll_seconds: float
    ) -> tuple[str, str] | None:
        """GetActivityTask: (taskToken, input JSON text) of the oldest task waiting on the
        activity, or None when none came within ``poll_seconds``."""
        taken = await self._runner.activities.take(
            activity_arn, worker_name, poll_seconds, self.clock.now
        )
        if taken is None:
            return None
        self._runner.deliver(taken.execution_arn, taken.started, request_id=taken.request_id)
        return taken.task_token, taken.input

    async def wait_finished(self, arn: str, timeout: float | None = None) -> ExecutionRecord:
        """The execution once it has finished; after ``timeout`` real seconds, as it is then."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            live = self._runner.live.get(arn)
            if live is not None and live.record is not None:  # an in-memory execution
                record = live.record
            else:
                found = self.get(arn)
                if found is None:
                    raise ExecutionNotFound(arn)
                record = found
            if record.status != RUNNING:
                return record
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return record
            waiter = self._runner.waiter(arn)
            if waiter is not None:
                slice_ = 1.0 if remaining is None else min(1.0, remaining)
                await asyncio.wait({waiter}, timeout=slice_)
            else:
                await asyncio.sleep(0.05 if remaining is None else min(0.05, remaining))

    # ------------------------------------------------------------------ reading

    def get(self, arn: str) -> ExecutionRecord | None:
        with self.db.begin() as connection:
            return rows.read_record(connection, arn)

    def list(
        self,
        *,
        state_machine_arn: str | None = None,
        version_arn: str | None = None,
        alias_arn: str | None = None,
        status: str | None = None,
        after_seq: int | None = None,
        limit: int = 100,
    ) -> builtins.list[tuple[int, ExecutionRecord]]:
        """Newest first, each with its ``seq``; ``after_seq`` continues a listing (exclusive)."""
        with self.db.begin() as connection:
            return rows.list_records(
                connection,
                state_machine_arn=state_machine_arn,
                version_arn=version_arn,
                alias_arn=alias_arn,
                status=status,
                after_seq=after_seq,
                limit=limit,
            )

    def history(
        self,
        arn: str,
        *,
        reverse: bool = False,
        include_data: bool = True,
        start: int = 0,
        limit: int = 100,
    ) -> builtins.list[dict[str, Any]]:
        """GetExecutionHistory events (timestamps as aware datetimes).

        ``start`` is an exclusive event id: forwards, events after it (0: from the first);
        in reverse, events before it (0: from the last).  Continue a page from the last id
        it returned.
        """
        with self.db.begin() as connection:
            return event_rows.read_history(
                connection,
                arn,
                reverse=reverse,
                include_data=include_data,
                start=start,
                limit=limit,
            )


def _finish(record: ExecutionRecord, finish: rows.Finish) -> None:
    record.status = finish.status
    record.output = finish.output
    record.error = finish.error
    record.cause = finish.cause
    record.stop_date = finish.stop_date
