"""RedriveExecution in the store: a finished, unsuccessful execution's row back to RUNNING
with its redriven first step, in one transaction.

https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from emulator.store.execution_rows import E, StepWrite, finish_values, write_children

UNSUCCESSFUL = ("FAILED", "TIMED_OUT", "ABORTED")


def redrive_execution(
    connection: Connection,
    arn: str,
    count: int,
    now: datetime,
    owner: str,
    lease_expires: datetime,
    write: StepWrite,
) -> bool:
    """A finished, unsuccessful execution runs again: its row back to RUNNING (held by
    ``owner``), ``redrive_count``/``redrive_date`` set, and the redriven step written.  False
    (nothing written) if it is no longer the unsuccessful execution redriven ``count - 1``
    times — another RedriveExecution came first."""
    values: dict[str, Any] = {
        "status": "RUNNING",
        "output": None,
        "error": None,
        "cause": None,
        "stop_date": None,
        "redrive_count": count,
        "redrive_date": now,
        "cursor": write.cursor,
        "event_count": write.event_count,
        "lease_owner": owner,
        "lease_expires": lease_expires,
    }
    if write.finish is not None:
        values.update(finish_values(write.finish))
    updated = connection.execute(
        update(E)
        .where(E.c.arn == arn, E.c.status.in_(UNSUCCESSFUL), E.c.redrive_count == count - 1)
        .values(**values)
    ).rowcount
    if updated != 1:
        return False
    write_children(connection, arn, write, False)
    return True


@dataclass(frozen=True, slots=True)
class FinalState:
    """What RedriveExecution needs of a finished execution."""

    definition: str
    cursor: str | None  # the cursor it ended with (None: it ended before cursors were kept)
    event_count: int


def read_final_state(connection: Connection, arn: str) -> FinalState | None:
    row = connection.execute(
        select(E.c.definition, E.c.cursor, E.c.event_count).where(E.c.arn == arn)
    ).first()
    return None if row is None else FinalState(row.definition, row.cursor, int(row.event_count))
