"""Waiting for an event: ``arn:aws:states:::stepline:waitForEvent.waitForTaskToken``.

A Task on this resource waits until an event with its ``EventId`` is sent (Stepflow's
``POST /notify/{eventId}``, or :func:`notify`); every execution waiting on that id resumes,
with the event's payload as the task's result.  AWS issues one token per task, and a
Stepflow event id may have many waiters, so each scheduled task records
``(event id, task token, execution)``; notifying answers each token with SendTaskSuccess.

    "Wait for payment": {
      "Type": "Task",
      "Resource": "arn:aws:states:::stepline:waitForEvent.waitForTaskToken",
      "Parameters": {"EventId.$": "$.orderId", "TaskToken.$": "$$.Task.Token"},
      "TimeoutSeconds": 86400,
      "Next": "Ship"
    }

``TaskToken`` may be left out: the task's own token is used (and a different one is refused).
A timeout is the Task's ``TimeoutSeconds`` (``States.Timeout``, which a Catch can turn into
Stepflow's ``{"eventData": null, "timeout": true}``).  The resource without
``.waitForTaskToken`` fails the task: there would be nothing to wait for.

The integration needs the database: ``stepline serve`` attaches it (:func:`attach`).

The callback pattern (a token passed with ``$$.Task.Token``, answered with SendTaskSuccess):
https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select

import asl
from emulator.integrations import TaskCall, register
from emulator.store.db import Database
from emulator.store.schema import pending_tasks
from emulator.store.schema_stepflow import stepflow_event_waiters as W

RESOURCE = "arn:aws:states:::stepline:waitForEvent"
CALLBACK = RESOURCE + ".waitForTaskToken"
ERROR = "Stepline.InvalidParameterException"
MAX_EVENT_ID = 256


class EventWaits:
    """The integration and the table of waiters."""

    def __init__(self) -> None:
        self.db: Database | None = None

    def answers(self, resource: str) -> bool:
        return resource in (RESOURCE, CALLBACK)

    def call(self, call: TaskCall) -> tuple[datetime, asl.Outcome]:
        effect = call.effect
        if effect.resource != CALLBACK or effect.task_token is None:
            return call.now, asl.TaskFailed(
                effect.id, ERROR,
                f"The resource '{RESOURCE}' waits for an event only as "
                f"'{CALLBACK}' (the .waitForTaskToken pattern)",
            )  # fmt: skip
        params = effect.input
        if not isinstance(params, dict):
            return call.now, asl.TaskFailed(
                effect.id, ERROR, "The parameters must be an object with an 'EventId' string"
            )
        event_id = params.get("EventId")
        if not isinstance(event_id, str) or not 1 <= len(event_id) <= MAX_EVENT_ID:
            return call.now, asl.TaskFailed(
                effect.id, ERROR,
                f"'EventId' must be a string of 1 to {MAX_EVENT_ID} characters",
            )  # fmt: skip
        token = params.get("TaskToken", effect.task_token)
        if token != effect.task_token:
            return call.now, asl.TaskFailed(
                effect.id, ERROR, "'TaskToken' must be this task's token ($$.Task.Token)"
            )
        extra = sorted(set(params) - {"EventId", "TaskToken"})
        if extra:
            return call.now, asl.TaskFailed(
                effect.id, ERROR, f"Unknown parameters: {', '.join(extra)} "
                "(expected EventId and TaskToken)",
            )  # fmt: skip
        if self.db is None:
            return call.now, asl.TaskFailed(
                effect.id, ERROR,
                "waitForEvent needs Stepline's database: run the state machine under "
                "`stepline serve`",
            )  # fmt: skip
        with self.db.begin() as connection:
            connection.execute(
                delete(W).where(W.c.event_id == event_id, W.c.task_token == effect.task_token)
            )
            connection.execute(
                insert(W).values(
                    event_id=event_id,
                    task_token=effect.task_token,
                    execution_arn=call.execution_arn,
                    created=call.now,
                )
            )
        return call.now, asl.TaskSucceeded(effect.id, {"EventId": event_id})


def waiters(db: Database, event_id: str) -> list[tuple[str, str]]:
    """(task token, execution ARN) of the tasks still waiting for ``event_id``, oldest first.
    Rows whose task waits no more (it timed out, its execution stopped) are deleted."""
    with db.begin() as connection:
        rows = connection.execute(
            select(W.c.task_token, W.c.execution_arn, pending_tasks.c.task_id)
            .select_from(
                W.outerjoin(pending_tasks, pending_tasks.c.task_token == W.c.task_token)
            )
            .where(W.c.event_id == event_id)
            .order_by(W.c.created)
        ).all()
        stale = [row.task_token for row in rows if row.task_id is None]
        if stale:
            connection.execute(
                delete(W).where(W.c.event_id == event_id, W.c.task_token.in_(stale))
            )
    return [(row.task_token, row.execution_arn) for row in rows if row.task_id is not None]


def forget(db: Database, event_id: str, token: str) -> None:
    with db.begin() as connection:
        connection.execute(delete(W).where(W.c.event_id == event_id, W.c.task_token == token))


WAITS = EventWaits()
register(WAITS)


def attach(db: Database) -> None:
    """Give the integration its database (done by ``stepline serve`` at start)."""
    WAITS.db = db
