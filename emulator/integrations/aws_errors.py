"""The error names and causes of AWS service integrations, as Step Functions reports them.

Optimized integrations (``arn:aws:states:::sqs:sendMessage``…) call the AWS SDK for Java 1.x:

* error ``<PREFIX>.<Exception>``: the prefix is the integration's (``SQS``, ``SNS``,
  ``DynamoDB``, ``EventBridge``), the exception the SDK's class for the error code (the modeled
  error shape, suffixed ``Exception``), else the service's generic one
  (``SQS.AmazonSQSException``, ``DynamoDB.AmazonDynamoDBException``);
* cause ``<message> (Service: AmazonSQS; Status Code: 400; Error Code: <code>; Request ID:
  <id>; Proxy: null)``.

AWS SDK integrations (``arn:aws:states:::aws-sdk:…``) call the AWS SDK for Java 2.x:

* error ``<Service>.<Exception>``, both in PascalCase; a modeled error always ends in
  ``Exception`` (S3's ``NoSuchKey`` is ``S3.NoSuchKeyException``); an unmodeled one is the
  service's generic exception (``DynamoDb.DynamoDbException``);
* cause ``<message> (Service: <Service>, Status Code: <status>, Request ID: <id>)``, S3 adding
  ``, Extended Request ID: <id2>``.

A request that never got an answer is ``<PREFIX>.SdkClientException``, ``Unable to execute HTTP
request: …``.

Recorded on AWS: LocalStack tests/aws/services/stepfunctions/v2/error_handling/
test_task_service_dynamodb.snapshot.json, test_task_service_sqs.snapshot.json and
test_aws_sdk.snapshot.json.  Naming rules:
https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError  # type: ignore[import-untyped]


@dataclass(frozen=True, slots=True)
class Flavor:
    """How one integration family names errors."""

    prefix: str  # "SQS", "DynamoDb"
    service: str  # the "Service:" of the cause: "AmazonSQS", "DynamoDb"
    generic: str  # the exception of an unmodeled error code
    v1: bool  # Java SDK 1.x causes (optimized integrations)


# The optimized integrations' Java 1.x clients.
OPTIMIZED = {
    "sqs": Flavor("SQS", "AmazonSQS", "AmazonSQSException", v1=True),
    "sns": Flavor("SNS", "AmazonSNS", "AmazonSNSException", v1=True),
    "dynamodb": Flavor("DynamoDB", "AmazonDynamoDBv2", "AmazonDynamoDBException", v1=True),
    "events": Flavor("EventBridge", "AmazonEventBridge", "AmazonEventBridgeException", v1=True),
}


def sdk_flavor(prefix: str) -> Flavor:
    """An AWS SDK integration's naming, ``prefix`` being the service's Java 2.x name."""
    return Flavor(prefix, prefix, f"{prefix}Exception", v1=False)


def _exception_name(codes: list[str], client: Any) -> str | None:
    """The modeled error shape answering one of ``codes``, as the SDK's exception class name.
    (A JSON service that keeps its Query error codes, as SQS does, reports the shape's name as
    botocore's ``QueryErrorCode``.)"""
    model = client.meta.service_model
    for shape in model.error_shapes:
        names = {shape.name, shape.metadata.get("error", {}).get("code", shape.name)}
        if any(code in names for code in codes):
            return shape.name if shape.name.endswith("Exception") else f"{shape.name}Exception"
    return None


def client_error(exc: ClientError, client: Any, flavor: Flavor) -> tuple[str, str]:
    """(error, cause) of a service's error answer."""
    error = exc.response.get("Error", {})
    code = str(error.get("Code") or "")
    message = str(error.get("Message") or "")
    metadata = exc.response.get("ResponseMetadata", {})
    status = metadata.get("HTTPStatusCode", 400)
    request_id = metadata.get("RequestId") or "null"
    codes = [str(error.get("QueryErrorCode") or ""), code]
    exception = _exception_name([c for c in codes if c], client) or flavor.generic
    if flavor.v1:
        cause = (
            f"{message} (Service: {flavor.service}; Status Code: {status}; Error Code: {code}; "
            f"Request ID: {request_id}; Proxy: null)"
        )
    else:
        extended = metadata.get("HostId")
        suffix = f", Extended Request ID: {extended}" if extended else ""
        cause = (
            f"{message} (Service: {flavor.service}, Status Code: {status}, "
            f"Request ID: {request_id}{suffix})"
        )
    return f"{flavor.prefix}.{exception}", cause


def invalid_request(exc: ParamValidationError, flavor: Flavor) -> tuple[str, str]:
    """A request the service would refuse as invalid: its generic exception.  The text is
    botocore's report (AWS's wording comes from the service, which is not called)."""
    report = str(exc.kwargs.get("report", exc)).strip().replace("\n", " ")
    if flavor.v1:
        cause = (
            f"{report} (Service: {flavor.service}; Status Code: 400; Error Code: "
            f"ValidationException; Request ID: null; Proxy: null)"
        )
    else:
        cause = f"{report} (Service: {flavor.service}, Status Code: 400, Request ID: null)"
    return f"{flavor.prefix}.{flavor.generic}", cause


def unreachable(exc: BotoCoreError, flavor: Flavor) -> tuple[str, str]:
    """A call that got no answer (connection refused, unknown host, timeout)."""
    return f"{flavor.prefix}.SdkClientException", f"Unable to execute HTTP request: {exc}"
