"""RedriveExecution: run a finished, unsuccessful execution again from where it stopped.

The caller hands in the cursor the execution finished with (FAILED, TIMED_OUT or ABORTED).
The interpreter records ``ExecutionRedriven`` (``redriveCount``), numbering on from the last
event, and enters again the state the execution stopped in, with the input and variables it
had there; the states that succeeded before it are not run again and their events stay.
``$$.Execution.RedriveCount`` reads the new count.

A Parallel or Map state that failed (or was stopped or timed out) runs again only its
branches and iterations that did not succeed, keeping the results of those that did
(asl.interpreter.fanout_redrive).  A cursor written before fan-outs kept their partial
results runs such a state again as a whole.
https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from asl.interpreter.cursor import Cursor
from asl.interpreter.engine import Run, Step
from asl.interpreter.fanout_redrive import prepare
from asl.model import StateMachine


class NotRedrivable(ValueError):
    """The cursor holds no state to run again."""


def redrive(
    machine: StateMachine,
    cursor: Cursor,
    now: datetime,
    redrive_count: int,
    *,
    missing_activities: frozenset[str] = frozenset(),
) -> Step:
    """Run a finished cursor again (it is advanced in place, as ``resume`` does)."""
    root = cursor.root
    if root is None or cursor.status not in ("FAILED", "TIMED_OUT", "ABORTED"):
        raise NotRedrivable(f"an execution that is {cursor.status} cannot be redriven")
    run = Run(machine, cursor, now)
    run.missing_activities = missing_activities
    cursor.status = "RUNNING"
    cursor.info = dataclasses.replace(cursor.info, redrive_count=redrive_count)
    cursor.waiting = {}
    run.emit(
        root, "ExecutionRedriven", "executionRedrivenEventDetails", {"redriveCount": redrive_count}
    )
    if machine.timeout_seconds is not None:
        # UNVERIFIED: the redriven attempt gets the machine's whole TimeoutSeconds again.
        cursor.timeout_timer = run.start_timer(root, machine.timeout_seconds, "execution-timeout")
        cursor.waiting.pop(cursor.timeout_timer, None)
    prepare(root)
    run.drive(root)
    run.settle(root)
    return run.step()
