"""RedriveExecution's rules, and the redriveStatus that DescribeExecution reports.

https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html
https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html

An execution can be redriven when it is a Standard execution that ended FAILED, TIMED_OUT or
ABORTED less than 14 days ago, started less than a year ago, has fewer than 24,999 history
events, and its state machine is not being deleted.  The reasons below are AWS's
``redriveStatusReason`` texts (API_DescribeExecution.html, and AWS's example of child
execution results in input-output-resultwriter.html: "Execution is SUCCEEDED and cannot be
redriven", no final period); RedriveExecution's ExecutionNotRedrivable carries the same text
(UNVERIFIED: no recorded message found).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from emulator.executions import ExecutionNotFound, ExecutionNotRedrivable
from emulator.sfn import errors, state_machines
from emulator.sfn.context import Services
from emulator.store import redrive_rows

REDRIVABLE_PERIOD = timedelta(days=14)
MAX_EXECUTION_TIME = timedelta(days=365)
# "the execution history has less than 24,999 events" (redrive-executions.html).
EVENT_LIMIT = 24_999
# A clientToken makes the call idempotent for 15 minutes (API_RedriveExecution.html,
# clientToken; AWS keeps the last 10).  Kept in this process's memory.
TOKEN_SECONDS = 15 * 60

_tokens: dict[tuple[str, str], tuple[int, datetime, float]] = {}


def refusal(svc: Services, record: Any) -> str | None:
    """Why ``record`` cannot be redriven now (AWS's redriveStatusReason), or None."""
    if record.status not in redrive_rows.UNSUCCESSFUL:
        return f"Execution is {record.status} and cannot be redriven"
    if record.type != "STANDARD":
        # UNVERIFIED wording: Express executions are never redrivable.
        return "Execution is EXPRESS and cannot be redriven"
    with svc.db.begin() as connection:
        machine = state_machines.load(connection, record.state_machine_arn)
        final = redrive_rows.read_final_state(connection, record.arn)
    if machine is None or machine.status == "DELETING":
        return "State machine is in DELETING status"
    if final is None or final.cursor is None:
        return "Execution was started before the launch of RedriveExecution"
    if final.event_count >= EVENT_LIMIT:
        return "Execution history event limit exceeded"
    now = svc.now()
    if now - record.start_date >= MAX_EXECUTION_TIME:
        return "Execution has exceeded the max execution time"
    if record.stop_date is not None and now - record.stop_date > REDRIVABLE_PERIOD:
        return "Execution redrivable period exceeded"
    return None


def not_redrivable(reason: str) -> errors.SfnError:
    return errors.SfnError("ExecutionNotRedrivable", reason)


async def redrive_execution(svc: Services, record: Any, client_token: str | None) -> dict[str, Any]:
    """Redrive ``record``; the same clientToken within 15 minutes answers the redrive it
    started again."""
    key = (record.arn, client_token) if client_token else None
    if key is not None:
        seen = _tokens.get(key)
        fresh = seen is not None and time.monotonic() - seen[2] < TOKEN_SECONDS
        if seen is not None and fresh and seen[0] == record.redrive_count:
            return {"redriveDate": seen[1]}
    reason = refusal(svc, record)
    if reason is not None:
        raise not_redrivable(reason)
    try:
        redriven = await svc.executions.redrive_execution(record.arn)
    except ExecutionNotRedrivable as exc:
        raise not_redrivable(exc.reason) from None
    except ExecutionNotFound:
        raise errors.execution_does_not_exist(record.arn) from None
    assert redriven.redrive_date is not None
    if key is not None:
        _forget_old()
        _tokens[key] = (redriven.redrive_count, redriven.redrive_date, time.monotonic())
    return {"redriveDate": redriven.redrive_date}


def _forget_old() -> None:
    now = time.monotonic()
    for key in [k for k, v in _tokens.items() if now - v[2] >= TOKEN_SECONDS]:
        del _tokens[key]
