"""``arn:aws:states:::aws-sdk:sfn:ACTION`` answered by this Stepline itself.

Step Functions Local calls Step Functions at ``STEP_FUNCTIONS_ENDPOINT``, itself by default; so
does Stepline: unless an endpoint is configured for Step Functions (``STEP_FUNCTIONS_ENDPOINT``,
``STEPLINE_STEPFUNCTIONS_ENDPOINT`` or ``STEPLINE_AWS_ENDPOINT``, see ``endpoints``), an SDK
call of ``sfn`` runs the API operation in-process, in the calling execution's account and
region.  That is how a child execution completes its parent's ``.waitForTaskToken`` task with
``aws-sdk:sfn:sendTaskSuccess``, or a workflow lists, describes or stops executions.

Parameters and results follow the SDK integrations' rules (``sdk_shapes``: the API's member
names capitalised, timestamps as ISO text).  An API error fails the task as
``Sfn.<Code>Exception`` with the SDK's cause, as for every aws-sdk service
(https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html).
The calls run on the event loop, like the API's: they need the emulator, not a thread.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

import asl
from emulator.integrations import TaskCall, endpoints
from emulator.integrations import sdk_shapes as shapes

if TYPE_CHECKING:
    from emulator.executions import Executions

PREFIX = "arn:aws:states:::aws-sdk:sfn:"
_SERVICE = "stepfunctions"  # boto3's name of the service
_WAIT = ".waitForTaskToken"


def answers_locally(resource: str) -> bool:
    """An aws-sdk:sfn resource that no configured endpoint takes."""
    return resource.startswith(PREFIX) and endpoints.configured(_SERVICE) is None


def _service_model() -> Any:
    from botocore.session import get_session  # type: ignore[import-untyped]

    global _MODEL
    if _MODEL is None:
        _MODEL = get_session().get_service_model(_SERVICE)
    return _MODEL


_MODEL: Any = None


def _failed(effect: asl.InvokeTask, code: str, message: str, rid: str) -> asl.TaskFailed:
    name = code if code.endswith("Exception") else f"{code}Exception"
    cause = f"{message} (Service: Sfn, Status Code: 400, Request ID: {rid})"
    return asl.TaskFailed(effect.id, f"Sfn.{name}", cause)


async def call(executions: Executions, execution_arn: str, effect: asl.InvokeTask) -> asl.Outcome:
    """Run the operation the resource names; the task's outcome."""
    from emulator.integrations.aws import not_recognized
    from emulator.lambdas import request_id
    from emulator.sfn import OPERATIONS, Caller, Services
    from emulator.sfn.errors import SfnError

    action = effect.resource[len(PREFIX) :]
    if action.endswith(_WAIT):  # the call, then the task waits for its token (the core's part)
        action = action[: -len(_WAIT)]
    operation = action[:1].upper() + action[1:]
    model = _service_model()
    handler = OPERATIONS.get(operation)
    if not action[:1].islower() or operation not in model.operation_names or handler is None:
        return asl.TaskFailed(effect.id, *not_recognized(effect.resource))
    op_model = model.operation_model(operation)
    try:
        params = shapes.to_botocore(
            effect.input if effect.input is not None else {}, op_model.input_shape
        )
    except shapes.ParameterError as exc:
        return asl.TaskFailed(effect.id, "States.Runtime", str(exc))
    task = TaskCall(effect, executions.clock.now(), execution_arn)
    rid = request_id(effect.id, task.now)
    try:
        services = Services(executions.db, executions, task.account, task.region)
        result = handler(services, Caller(task.region, task.account), params or {})
        if inspect.isawaitable(result):
            result = await result
    except SfnError as error:
        return _failed(effect, error.code, error.message, rid)
    output = shapes.from_botocore(result, op_model.output_shape)
    return asl.TaskSucceeded(effect.id, output if isinstance(output, dict) else {})
