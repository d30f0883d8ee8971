"""TestState's ``mock``: which mocks a state takes, and checking a mocked result against the
API model of the service the Task calls (``fieldValidationMode``).

https://docs.aws.amazon.com/step-functions/latest/apireference/API_MockInput.html
* ``STRICT`` (the default): every required field is present and every present field conforms
  to the API's schema;
* ``PRESENT``: every present field conforms;
* ``NONE``: nothing is checked.

The schema is the response shape of the operation in botocore's model: ``lambda:invoke`` is
Lambda ``Invoke``, ``aws-sdk:s3:getObject`` is S3 ``GetObject``, a ``.sync`` integration is
answered by the call that polls it (``states:startExecution.sync`` by ``DescribeExecution``).
Fields the model does not know are accepted.  A blob is text: Lambda ``Invoke``'s ``Payload``
mocked as a JSON object fails STRICT and PRESENT (LocalStack's test_field_validation_mode.py
notes this of AWS: "lambda response payload is not a string but a JSON - results in a
validation error against the API spec"); NONE lets it through.  The messages are the ones AWS returns, recorded
in LocalStack's tests/aws/services/stepfunctions/v2/test_state/
test_field_validation_mode*.snapshot.json and test_state_mock_validation.snapshot.json.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NoReturn

import botocore.session  # type: ignore[import-untyped]
from botocore.exceptions import UnknownServiceError  # type: ignore[import-untyped]
from botocore.model import (  # type: ignore[import-untyped]
    ListShape,
    MapShape,
    OperationNotFoundError,
    ServiceModel,
    Shape,
    StructureShape,
)

from emulator.integrations.sdk_shapes import member_name
from emulator.sfn.errors import ValidationError

MODES = ("STRICT", "PRESENT", "NONE")
_PREFIX = "Mock result schema validation error: "

# Service names of ``arn:aws:states:::SERVICE:action`` and ``aws-sdk:SERVICE:action`` that
# botocore spells differently.
_SERVICES = {"sfn": "stepfunctions", "states": "stepfunctions", "eventbridge": "events"}
# ``.sync`` integrations are answered by the call that polls the job, not the one starting it.
# https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-sync
_SYNC_POLL = {
    ("stepfunctions", "StartExecution"): "DescribeExecution",
    ("batch", "SubmitJob"): "DescribeJobs",
    ("glue", "StartJobRun"): "GetJobRun",
    ("ecs", "RunTask"): "DescribeTasks",
    ("codebuild", "StartBuild"): "BatchGetBuilds",
    ("athena", "StartQueryExecution"): "GetQueryExecution",
}


@lru_cache(maxsize=64)
def _model(service: str) -> ServiceModel | None:
    try:
        return botocore.session.get_session().get_service_model(service)
    except UnknownServiceError:
        return None


def response_shape(resource: str) -> tuple[StructureShape, bool] | None:
    """The response shape a Task's mocked result is checked against, and whether its fields
    carry the AWS SDK integration's names (``aws-sdk:``); None where no model applies
    (Lambda and activity ARNs, ``http:invoke``, ``.waitForTaskToken``)."""
    if not resource.startswith("arn:") or ":states:::" not in resource:
        return None
    path = resource.split(":states:::", 1)[1]
    if path.endswith(".waitForTaskToken"):
        return None  # the result is what the callback sends, not a service response
    sdk = path.startswith("aws-sdk:")
    if sdk:
        path = path[len("aws-sdk:") :]
    parts = path.split(":")
    if len(parts) < 2 or parts[0] in ("http", "apigateway"):
        return None  # no service model describes these responses
    service = _SERVICES.get(parts[0], parts[0])
    action, _, pattern = parts[1].partition(".")
    model = _model(service)
    if model is None:
        return None
    operation = action[:1].upper() + action[1:]
    if pattern == "sync" or parts[2:3] == ["2"]:
        operation = _SYNC_POLL.get((service, operation), operation)
    try:
        shape = model.operation_model(operation).output_shape
    except OperationNotFoundError:
        return None
    return (shape, sdk) if isinstance(shape, StructureShape) else None


def check_result(resource: str, result: Any, mode: str) -> None:
    """Raise AWS's ValidationException when ``result`` does not fit the response shape."""
    if mode == "NONE":
        return
    found = response_shape(resource)
    if found is None:
        return
    shape, sdk = found
    if not isinstance(result, Mapping):
        # Unverified wording: no recorded response for a non-object mock of a service call.
        raise ValidationError(_PREFIX + "The mocked result must be a JSON object")
    _Checker(strict=mode == "STRICT", sdk=sdk).structure(result, shape)


class _Checker:
    def __init__(self, strict: bool, sdk: bool) -> None:
        self.strict = strict
        self.sdk = sdk

    def name(self, member: str) -> str:
        """How Step Functions spells a member: the Java SDK's names for ``aws-sdk:``, the
        model's with a capital first letter for optimized integrations (recorded:
        states:startExecution's ``executionArn`` is ``ExecutionArn``)."""
        return member_name(member) if self.sdk else member[:1].upper() + member[1:]

    def structure(self, value: Mapping[str, Any], shape: StructureShape) -> None:
        members = {self.name(k): v for k, v in shape.members.items()}
        if self.strict:
            for required in shape.required_members:
                if self.name(required) not in value:
                    raise ValidationError(
                        _PREFIX + f"Required field '{self.name(required)}' is missing"
                    )
        for field, item in value.items():
            member = members.get(field)
            if member is not None:  # fields the model does not know are accepted
                self.value(item, member, field)

    def value(self, value: Any, shape: Shape, field: str) -> None:
        kind = shape.type_name
        if kind == "document":
            return
        if isinstance(shape, StructureShape):
            if not isinstance(value, Mapping):
                self.fail(field, "must be an object")
            self.structure(value, shape)
        elif isinstance(shape, ListShape):
            if not isinstance(value, list):
                self.fail(field, "must be an array")
            for item in value:
                self.value(item, shape.member, field)
        elif isinstance(shape, MapShape):
            if not isinstance(value, Mapping):
                self.fail(field, "must be an object")
            for item in value.values():
                self.value(item, shape.value, field)
        elif kind in ("string", "timestamp", "blob"):
            if not isinstance(value, str):
                self.fail(field, "must be a string")
            enum = getattr(shape, "enum", None)
            if enum and value not in enum:
                self.fail(field, "is not an expected value")
            low = shape.metadata.get("min")
            if kind != "timestamp" and low is not None and len(value) < low:
                self.fail(field, "is smaller than the minimum length")
        elif kind in ("integer", "long", "float", "double"):
            number = int if kind in ("integer", "long") else (int, float)
            if isinstance(value, bool) or not isinstance(value, number):
                self.fail(field, "must be a number")
            low, high = shape.metadata.get("min"), shape.metadata.get("max")
            if low is not None and value < low:
                self.fail(field, "is less than the minimum value")
            if high is not None and value > high:
                self.fail(field, "exceeds the maximum value")
        elif kind == "boolean" and not isinstance(value, bool):
            self.fail(field, "must be a boolean")

    @staticmethod
    def fail(field: str, problem: str) -> NoReturn:
        raise ValidationError(_PREFIX + f"Field '{field}' {problem}")
