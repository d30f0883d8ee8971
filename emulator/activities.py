"""The activity task queue: tasks scheduled on an activity wait here for a worker.

https://docs.aws.amazon.com/step-functions/latest/dg/concepts-activities.html
A Task whose resource is an activity ARN is not dispatched to a handler: the runner offers it
to this queue (after the step that scheduled it is committed, and again when an execution is
loaded after a restart), and the first worker that calls GetActivityTask for that activity
takes it.  Taking a task and asking its execution to record ``ActivityStarted`` happen in ONE
transaction (a request row, applied by whichever process holds the execution), so a task is
handed to one worker only, even with several processes sharing the database.

Rows are durable: a task waiting for a worker survives a restart.  A row whose pending task
has ended (the task succeeded, failed, timed out or its execution stopped) is forgotten when
its activity is next polled.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, delete, exists, insert, select, update

import asl
from asl import jsontext
from emulator.store import schema, work_rows
from emulator.store.db import Database
from emulator.store.messages import outcome_to_json

A = schema.activity_tasks
P = schema.pending_tasks

# How often a long poll looks at the database again for tasks another process scheduled.
_RECHECK_SECONDS = 0.2


def is_activity(resource: str) -> bool:
    """``arn:aws:states:REGION:ACCOUNT:activity:NAME``."""
    parts = resource.split(":")
    return len(parts) >= 7 and parts[2] == "states" and parts[5] == "activity"


@dataclass(frozen=True, slots=True)
class TakenTask:
    """A task a worker took: what GetActivityTask returns, and the request that records it."""

    task_token: str
    input: str  # JSON text
    execution_arn: str
    request_id: int
    started: asl.TaskStarted


class ActivityQueue:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._offered = asyncio.Event()

    def offer(self, execution_arn: str, effect: asl.InvokeTask) -> None:
        """Make a scheduled activity task available to workers (idempotent)."""
        assert effect.task_token is not None
        with self.db.begin() as connection:
            found = connection.execute(
                select(A.c.id).where(A.c.task_token == effect.task_token)
            ).first()
            if found is None:
                connection.execute(
                    insert(A).values(
                        task_token=effect.task_token,
                        activity_arn=effect.resource,
                        execution_arn=execution_arn,
                        task_id=effect.id,
                        input=jsontext.dumps(effect.input),
                    )
                )
        # Wake every poll waiting now; later polls wait on a fresh event.
        self._offered.set()
        self._offered = asyncio.Event()

    async def take(
        self,
        activity_arn: str,
        worker_name: str | None,
        poll_seconds: float,
        now: Callable[[], datetime],
    ) -> TakenTask | None:
        """The oldest task waiting on ``activity_arn``, taken for this worker; None when no
        task came within ``poll_seconds`` (real seconds, GetActivityTask's long poll)."""
        deadline = time.monotonic() + poll_seconds
        while True:
            offered = self._offered
            taken = self._take_now(activity_arn, worker_name, now())
            if taken is not None:
                return taken
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(offered.wait(), min(remaining, _RECHECK_SECONDS))

    def _take_now(
        self, activity_arn: str, worker_name: str | None, now: datetime
    ) -> TakenTask | None:
        with self.db.begin() as connection:
            _forget_ended(connection, activity_arn)
            candidates = connection.execute(
                select(A.c.task_token, A.c.input, A.c.execution_arn, A.c.task_id)
                .where(A.c.activity_arn == activity_arn, A.c.started.is_(None))
                .order_by(A.c.id)
                .limit(10)
            ).all()
            for row in candidates:
                claimed = connection.execute(
                    update(A)
                    .where(A.c.task_token == row.task_token, A.c.started.is_(None))
                    .values(started=now, worker_name=worker_name)
                )
                if claimed.rowcount != 1:
                    continue  # another worker took it first
                started = asl.TaskStarted(row.task_id, worker_name)
                request_id = work_rows.add_request(
                    connection, row.execution_arn, outcome_to_json(started), now
                )
                return TakenTask(row.task_token, row.input, row.execution_arn, request_id, started)
        return None


def _forget_ended(connection: Connection, activity_arn: str) -> None:
    pending = exists().where(
        and_(P.c.execution_arn == A.c.execution_arn, P.c.task_id == A.c.task_id)
    )
    connection.execute(delete(A).where(A.c.activity_arn == activity_arn, ~pending))
