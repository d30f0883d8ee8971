"""RedriveExecution in the runner: a FAILED, TIMED_OUT or ABORTED execution runs again from
the cursor it ended with (kept for that, emulator.runner), in ONE transaction with its row
back to RUNNING and held by this process; then its effects are carried out.

The caller (emulator.sfn.redrive) checks AWS's rules first.
https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import asl
from asl import jsontext
from emulator.activities import is_activity
from emulator.execution_errors import ExecutionNotFound, ExecutionNotRedrivable
from emulator.live import LiveExecution, plan
from emulator.mocks import resume as resume_mock
from emulator.store import execution_rows as rows
from emulator.store import redrive_rows

if TYPE_CHECKING:
    from emulator.runner import Runner


def redrive(runner: Runner, arn: str) -> None:
    """Run ``arn`` again; raises :class:`ExecutionNotRedrivable` or :class:`ExecutionNotFound`."""
    with runner.db.begin() as connection:
        final = redrive_rows.read_final_state(connection, arn)
        record = rows.read_record(connection, arn)
    if final is None or record is None:
        raise ExecutionNotFound(arn)
    if record.status not in redrive_rows.UNSUCCESSFUL:
        raise ExecutionNotRedrivable(f"Execution is {record.status} and cannot be redriven")
    if final.cursor is None:
        raise ExecutionNotRedrivable("Execution was started before the launch of RedriveExecution")
    machine = runner.machine(final.definition)
    cursor = asl.Cursor.from_json(jsontext.loads(final.cursor))
    now = runner.clock.now()
    count = record.redrive_count + 1
    step = asl.redrive(
        machine, cursor, now, count, missing_activities=runner.missing_activities(machine)
    )
    live = LiveExecution(arn, machine, cursor)
    p = plan(live, step, now, runner.clock)
    write = p.write
    if write.cursor is None or (write.finish is not None and write.finish.status != "SUCCEEDED"):
        write.cursor = jsontext.dumps(cursor.to_json())
    leases = runner.leases
    with runner.db.begin() as connection:
        if not redrive_rows.redrive_execution(
            connection, arn, count, now, leases.owner, leases.expiry(), write
        ):  # another redrive came first
            current = rows.read_record(connection, arn)
            status = current.status if current is not None else record.status
            raise ExecutionNotRedrivable(f"Execution is {status} and cannot be redriven")
        if runner.mocks is not None:  # its test case answers the redriven calls too
            pending = [e.state_name for e in p.invokes if not is_activity(e.resource)]
            live.mock = resume_mock(connection, arn, runner.mocks, pending)
    if write.finish is None:
        runner.live[arn] = live
        if runner.nested is not None:
            runner.nested.track(arn)
    runner._after(live, write, p.dues, p.invokes)
