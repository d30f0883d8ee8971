"""AWS services as Task resources, called through boto3: the optimized integrations of SQS, SNS,
DynamoDB and EventBridge (:mod:`emulator.integrations.optimized`) and the AWS SDK integrations
``arn:aws:states:::aws-sdk:SERVICE:ACTION`` of any service boto3 knows.

Both answer the request-response pattern and ``.waitForTaskToken`` (the runner then waits for
the token: a call that succeeds only sends the token on).  Other patterns, actions these
integrations do not have and services no SDK knows fail the task with ``States.Runtime`` and the
text AWS uses when it refuses such a resource in a definition.  Where the calls go is
:mod:`emulator.integrations.endpoints`' business; errors are named by
:mod:`emulator.integrations.aws_errors`.

https://docs.aws.amazon.com/step-functions/latest/dg/integrate-optimized.html
https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import botocore.session  # type: ignore[import-untyped]
from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError  # type: ignore[import-untyped]

import asl
from asl import jsontext
from emulator.integrations import TaskCall, endpoints, optimized, register
from emulator.integrations import aws_errors as errors
from emulator.integrations import sdk_shapes as shapes

WAIT = "waitForTaskToken"
OPTIMIZED_SERVICES = frozenset(service for service, _ in optimized.ACTIONS)
_SFN = "stepfunctions"  # aws-sdk:sfn targets Step Functions, which Stepline itself serves


@dataclass(frozen=True, slots=True)
class ServiceResource:
    """``arn:aws:states:::[aws-sdk:]SERVICE:ACTION[.PATTERN]`` taken apart."""

    resource: str
    service: str  # as written in the resource
    action: str
    pattern: str  # "", "waitForTaskToken", "sync", "sync:2"...
    sdk: bool


def parse(resource: str) -> ServiceResource | None:
    parts = resource.split(":")
    if len(parts) < 7 or parts[0] != "arn" or parts[2] != "states" or parts[3] or parts[4]:
        return None
    sdk = parts[5] == "aws-sdk"
    service, rest = (parts[6], parts[7:]) if sdk else (parts[5], parts[6:])
    if not service or not rest or not rest[0]:
        return None
    action, _, pattern = ":".join(rest).partition(".")
    return ServiceResource(resource, service, action, pattern, sdk)


def not_recognized(resource: str) -> tuple[str, str]:
    """AWS's words for a resource it does not have (it says them when a definition is
    created; a run that reaches such a Task fails with them)."""
    return (
        "States.Runtime",
        f"The resource provided {resource} is not recognized. The value is not a valid "
        f"resource ARN, or the resource is not available in this region.",
    )


class _SdkServices:
    """The AWS SDK for Java 2.x's service names (``sfn``, ``eventbridge``, ``dynamodb``) that
    aws-sdk resources use, mapped to boto3's (``stepfunctions``, ``events``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._session = botocore.session.get_session()
        self._all: dict[str, tuple[str, str]] | None = None

    def _prefix(self, boto_name: str) -> str:
        return shapes.pascal(self.model(boto_name).service_id)

    def model(self, boto_name: str) -> Any:
        """botocore's service model (cached by botocore's loader)."""
        return self._session.get_service_model(boto_name)

    def find(self, name: str) -> tuple[str, str] | None:
        """(boto3's service name, the Java 2.x prefix of error names) for an aws-sdk name."""
        with self._lock:
            available = self._session.get_available_services()
            if name in available:  # most names are the same in both SDKs
                prefix = self._prefix(name)
                if prefix.lower() == name:
                    return name, prefix
            if self._all is None:
                self._all = {}
                for boto_name in available:
                    prefix = self._prefix(boto_name)
                    self._all.setdefault(prefix.lower(), (boto_name, prefix))
            return self._all.get(name)


SDK_SERVICES = _SdkServices()


class AwsIntegration:
    """Answers the optimized SQS, SNS, DynamoDB and EventBridge resources and every aws-sdk
    resource (aws-sdk:sfn only when an endpoint is configured for Step Functions)."""

    def answers(self, resource: str) -> bool:
        ref = parse(resource)
        if ref is None:
            return False
        if ref.sdk:
            return ref.service != "sfn" or endpoints.configured(_SFN) is not None
        return ref.service in OPTIMIZED_SERVICES

    def call(self, call: TaskCall) -> tuple[datetime, asl.Outcome]:
        ref = parse(call.effect.resource)
        assert ref is not None
        try:
            if ref.pattern not in ("", WAIT):
                failure = not_recognized(ref.resource)
            elif ref.sdk:
                return call.now, self._sdk(call, ref)
            else:
                return call.now, self._optimized(call, ref)
        except Exception as exc:  # a bug here fails the task, not the runner
            failure = (
                "States.Runtime",
                f"The call of {ref.resource} failed before the service answered: "
                f"{type(exc).__name__}: {exc}",
            )
        return call.now, asl.TaskFailed(call.effect.id, *failure)

    def _optimized(self, call: TaskCall, ref: ServiceResource) -> asl.Outcome:
        action = optimized.ACTIONS.get((ref.service, ref.action))
        if action is None:
            return asl.TaskFailed(call.effect.id, *not_recognized(ref.resource))
        flavor = errors.OPTIMIZED[ref.service]
        client = endpoints.client(ref.service, call.region)
        parameters = optimized.request(action, call.effect.input, call.execution_arn)
        try:
            response = getattr(client, xform_name(action.operation))(**parameters)
            output = optimized.result(action, response, endpoints.raw_headers(response))
        except optimized.FailedEntries as failed:
            cause = jsontext.dumps(failed.response)
            return asl.TaskFailed(call.effect.id, f"{flavor.prefix}.FailedEntry", cause)
        except ClientError as exc:
            return asl.TaskFailed(call.effect.id, *errors.client_error(exc, client, flavor))
        except ParamValidationError as exc:
            return asl.TaskFailed(call.effect.id, *errors.invalid_request(exc, flavor))
        except BotoCoreError as exc:
            return asl.TaskFailed(call.effect.id, *errors.unreachable(exc, flavor))
        return asl.TaskSucceeded(call.effect.id, output)

    def _sdk(self, call: TaskCall, ref: ServiceResource) -> asl.Outcome:
        found = SDK_SERVICES.find(ref.service)
        if found is None:
            return asl.TaskFailed(call.effect.id, *not_recognized(ref.resource))
        boto_name, prefix = found
        model = SDK_SERVICES.model(boto_name)
        operation = ref.action[:1].upper() + ref.action[1:]
        if not ref.action[:1].islower() or operation not in model.operation_names:
            return asl.TaskFailed(call.effect.id, *not_recognized(ref.resource))
        op_model = model.operation_model(operation)
        flavor = errors.sdk_flavor(prefix)
        task_input = call.effect.input if call.effect.input is not None else {}
        try:
            parameters = shapes.to_botocore(task_input, op_model.input_shape)
        except shapes.ParameterError as exc:
            return asl.TaskFailed(call.effect.id, "States.Runtime", str(exc))
        client = endpoints.client(boto_name, call.region)
        try:
            response = getattr(client, xform_name(operation))(**(parameters or {}))
            output = shapes.from_botocore(response, op_model.output_shape)
        except ClientError as exc:
            return asl.TaskFailed(call.effect.id, *errors.client_error(exc, client, flavor))
        except ParamValidationError as exc:
            return asl.TaskFailed(call.effect.id, *errors.invalid_request(exc, flavor))
        except BotoCoreError as exc:
            return asl.TaskFailed(call.effect.id, *errors.unreachable(exc, flavor))
        if not isinstance(output, dict):
            output = {}
        return asl.TaskSucceeded(call.effect.id, output)


register(AwsIntegration())
