"""Sending an event: every execution waiting for it (``waitForEvent`` tasks, see
:mod:`emulator.integrations.events`) resumes with the payload as its task's result."""

from __future__ import annotations

import inspect
from typing import Any

from asl import jsontext
from emulator.integrations import events as waits
from emulator.sfn import OPERATIONS, Caller, Services, SfnError
from emulator.stepflow.errors import StepflowError

# https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html: 256 KiB payloads.
MAX_PAYLOAD = jsontext.PAYLOAD_LIMIT


async def notify(services: Services, event_id: str, payload: Any) -> list[str]:
    """SendTaskSuccess to each task waiting for ``event_id``; returns the ARNs of the
    executions resumed.  Raises EVENT_NOT_FOUND when none waits."""
    output = jsontext.dumps(payload)
    if len(output.encode()) > MAX_PAYLOAD:
        raise StepflowError(
            "INVALID_INPUT", f"The event payload is larger than {MAX_PAYLOAD} bytes"
        )
    resumed: list[str] = []
    for token, arn in waits.waiters(services.db, event_id):
        parts = arn.split(":")
        caller = Caller(parts[3], parts[4]) if len(parts) > 4 else Caller(
            services.default_region, services.account
        )
        try:
            result = OPERATIONS["SendTaskSuccess"](
                services, caller, {"taskToken": token, "output": output}
            )
            if inspect.isawaitable(result):
                await result
        except SfnError:
            # The task ended between the read and the send (timed out, stopped): it waits
            # no more.
            waits.forget(services.db, event_id, token)
            continue
        waits.forget(services.db, event_id, token)
        resumed.append(arn)
    if not resumed:
        raise StepflowError("EVENT_NOT_FOUND", f"No run is waiting for the event {event_id!r}")
    return resumed
