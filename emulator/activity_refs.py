"""The activities a state machine's Tasks name, and which of them do not exist.

The interpreter does no I/O, so the runner tells it which activity ARNs are missing
(``asl.start``/``asl.resume``'s ``missing_activities``): a Task on an activity that does not
exist fails at once with ``States.Runtime``, as recorded on AWS (LocalStack's
test_activities snapshot, test_activity_task_on_deleted).  A machine's resources are fixed by
its definition, so only machines with activity Tasks pay for the lookup.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

import asl
from asl.model import TaskState
from emulator.activities import is_activity
from emulator.store import schema


def activity_resources(machine: asl.StateMachine) -> frozenset[str]:
    """Every activity ARN a Task of the machine (branches and iterations included) names."""
    return frozenset(
        state.resource
        for graph in machine.scopes.values()
        for state in graph.states.values()
        if isinstance(state, TaskState) and is_activity(state.resource)
    )


def missing_activities(connection: Connection, wanted: frozenset[str]) -> frozenset[str]:
    """Those of ``wanted`` that no activity row has."""
    A = schema.activities
    found = {row.arn for row in connection.execute(select(A.c.arn).where(A.c.arn.in_(wanted)))}
    return wanted - found
