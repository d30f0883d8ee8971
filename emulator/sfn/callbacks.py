"""Task tokens: SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat.

https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html
The runner owns task tokens (``.waitForTaskToken`` tasks).  A token no execution issued is
``InvalidToken``; one whose task has ended is ``TaskTimedOut`` with AWS's text "Task Timed
Out: 'Provided task does not exist anymore'" (recorded from AWS in aws-samples/
amazon-mwaa-examples#61); output that is not JSON is ``InvalidOutput``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asl import jsontext
from asl.validation.json_syntax import describe as jackson_error
from emulator.executions import InvalidTaskToken, TaskTimedOut
from emulator.sfn import errors
from emulator.sfn.context import Caller, Services


async def _deliver(call: Callable[[], Awaitable[None]]) -> dict[str, Any]:
    try:
        await call()
    except InvalidTaskToken:
        raise errors.invalid_token() from None
    except TaskTimedOut:
        raise errors.task_timed_out() from None
    return {}


async def send_task_success(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    output = p["output"]
    try:
        jsontext.loads(output)
    except ValueError:
        found = jackson_error(output)
        raise errors.invalid_output(
            found[0].split("\n at ", 1)[0] if found else "Invalid output."
        ) from None
    return await _deliver(lambda: svc.executions.send_task_success(p["taskToken"], output))


async def send_task_failure(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    return await _deliver(
        lambda: svc.executions.send_task_failure(p["taskToken"], p.get("error"), p.get("cause"))
    )


async def send_task_heartbeat(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    return await _deliver(lambda: svc.executions.send_task_heartbeat(p["taskToken"]))
