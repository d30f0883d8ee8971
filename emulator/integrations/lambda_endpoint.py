"""Lambda functions without a local handler, invoked on ``LAMBDA_ENDPOINT`` (real AWS,
LocalStack, a moto server) through boto3.

A function's answer is reported as Step Functions reports Lambda's:

* a ``arn:aws:lambda:…:function:NAME`` Task's result is the function's payload; a
  ``lambda:invoke`` Task's result is Lambda's Invoke response around it (``ExecutedVersion``,
  ``Payload``, ``SdkHttpMetadata``, ``SdkResponseMetadata``, ``StatusCode``);
* a function error (``X-Amz-Function-Error``) fails the task with the payload's ``errorType``
  as the error (``Lambda.Unknown`` when it has none, as for a timeout) and the payload text as
  the cause;
* a Lambda service error is ``Lambda.<Exception>`` with the Java 1.x cause
  (``… (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; …)``).

https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html (Lambda.Unknown
for out-of-memory errors and timeouts; Lambda.AWSLambdaException, Lambda.SdkClientException)
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

import asl
from emulator.integrations import aws_errors as errors
from emulator.integrations import endpoints, optimized

if TYPE_CHECKING:
    from emulator.lambdas import LambdaCall

FLAVOR = errors.Flavor("Lambda", "AWSLambda", "AWSLambdaException", v1=True)
_RESULT = optimized.Action("Invoke", ())  # SdkHttpMetadata as the other Java 1.x results


def configured() -> bool:
    """Whether an endpoint is set for Lambda (moto is no default: its functions need Docker)."""
    return endpoints.configured("lambda") is not None


def invoke(effect: asl.InvokeTask, routed: LambdaCall) -> asl.Outcome:
    """Invoke the routed function on the configured endpoint."""
    function = routed.function
    client = endpoints.client("lambda", function.region)
    request: dict[str, Any] = {
        "FunctionName": function.arn if function.explicit else function.name,
        "InvocationType": "RequestResponse",
        "Payload": json.dumps(routed.payload).encode(),
    }
    if function.qualifier:
        request["Qualifier"] = function.qualifier
    if routed.client_context is not None:
        request["ClientContext"] = routed.client_context
    try:
        response = client.invoke(**request)
    except ClientError as exc:
        return asl.TaskFailed(effect.id, *errors.client_error(exc, client, FLAVOR))
    except BotoCoreError as exc:
        return asl.TaskFailed(effect.id, *errors.unreachable(exc, FLAVOR))
    text = response["Payload"].read().decode("utf-8", errors="replace")
    try:
        payload = json.loads(text) if text else None
    except ValueError:
        payload = text
    if response.get("FunctionError"):
        error_type = payload.get("errorType") if isinstance(payload, dict) else None
        return asl.TaskFailed(effect.id, str(error_type or "Lambda.Unknown"), text)
    if not routed.wrap:
        return asl.TaskSucceeded(effect.id, payload)
    answer = {
        "ExecutedVersion": response.get("ExecutedVersion", "$LATEST"),
        "Payload": payload,
        "StatusCode": response.get("StatusCode", 200),
        "ResponseMetadata": response.get("ResponseMetadata", {}),
    }
    output = optimized.result(_RESULT, answer, endpoints.raw_headers(response))
    return asl.TaskSucceeded(effect.id, dict(sorted(output.items())))
