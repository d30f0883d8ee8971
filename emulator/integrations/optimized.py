"""The optimized integrations Stepline calls through boto3: SQS ``sendMessage``, SNS
``publish``, DynamoDB ``getItem``/``putItem``/``updateItem``/``deleteItem`` and EventBridge
``putEvents``, each with its request-response and ``.waitForTaskToken`` patterns.

Each takes the parameters AWS documents for it (others are left out of the request, as
recorded on AWS: LocalStack test_sqs_task_service.snapshot.json,
test_send_message_unsupported_parameters); a message body, a message or an event detail given
as JSON other than a string is sent as its JSON text.  The result is the service's response
as the AWS SDK for Java 1.x renders it: the API's own field names, with ``SdkHttpMetadata`` and
``SdkResponseMetadata`` for SQS, SNS and DynamoDB (LocalStack test_sqs_task_service,
test_sns_task_service and test_dynamodb_task_service snapshots, recorded on AWS) and without
them for EventBridge, where a response with failed entries fails the task with
``EventBridge.FailedEntry`` (test_events_task_service.snapshot.json).

https://docs.aws.amazon.com/step-functions/latest/dg/connect-sqs.html
https://docs.aws.amazon.com/step-functions/latest/dg/connect-sns.html
https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html
https://docs.aws.amazon.com/step-functions/latest/dg/connect-eventbridge.html
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from asl import jsontext
from emulator.integrations.sdk_shapes import from_botocore

_DDB_COMMON = ("TableName", "ReturnConsumedCapacity", "ExpressionAttributeNames")
_DDB_WRITE = (
    *_DDB_COMMON,
    "ConditionalOperator",
    "ConditionExpression",
    "Expected",
    "ExpressionAttributeValues",
    "ReturnItemCollectionMetrics",
    "ReturnValues",
    "ReturnValuesOnConditionCheckFailure",
)


class FailedEntries(Exception):
    """An EventBridge response that lists failed entries."""

    def __init__(self, response: dict[str, Any]) -> None:
        super().__init__("failed entries")
        self.response = response


@dataclass(frozen=True)
class Action:
    """One optimized action: its botocore operation, the parameters it takes and how they are
    prepared for the call."""

    operation: str
    parameters: tuple[str, ...]
    prepare: Callable[[dict[str, Any], str], dict[str, Any]] = field(default=lambda p, arn: p)
    http_metadata: bool = True


def _as_text(parameters: dict[str, Any], name: str) -> dict[str, Any]:
    value = parameters.get(name)
    if name in parameters and value is not None and not isinstance(value, str):
        return {**parameters, name: jsontext.dumps(value)}
    return parameters


def _events(parameters: dict[str, Any], execution_arn: str) -> dict[str, Any]:
    """Entries with their Detail as JSON text and, as Step Functions adds them, the state
    machine and execution ARNs appended to Resources (recorded on AWS: LocalStack
    test_events_task_service.snapshot.json, test_put_events_base)."""
    entries = parameters.get("Entries")
    if not isinstance(entries, list):
        return parameters
    added: list[str] = []
    parts = execution_arn.split(":")
    if len(parts) >= 8 and parts[5] == "execution":
        machine = ":".join([*parts[:5], "stateMachine", parts[6]])
        added = [machine, execution_arn]
    prepared = []
    for entry in entries:
        if isinstance(entry, dict):
            entry = _as_text(entry, "Detail")
            if added:
                resources = entry.get("Resources")
                entry = {**entry, "Resources": [*(resources or []), *added]}
        prepared.append(entry)
    return {**parameters, "Entries": prepared}


ACTIONS: dict[tuple[str, str], Action] = {
    ("sqs", "sendMessage"): Action(
        "SendMessage",
        (
            "QueueUrl",
            "MessageBody",
            "DelaySeconds",
            "MessageAttributes",
            "MessageDeduplicationId",
            "MessageGroupId",
        ),
        lambda p, arn: _as_text(p, "MessageBody"),
    ),
    ("sns", "publish"): Action(
        "Publish",
        (
            "TopicArn",
            "TargetArn",
            "PhoneNumber",
            "Message",
            "MessageAttributes",
            "MessageStructure",
            "MessageDeduplicationId",
            "MessageGroupId",
            "Subject",
        ),
        lambda p, arn: _as_text(p, "Message"),
    ),
    ("dynamodb", "getItem"): Action(
        "GetItem", (*_DDB_COMMON, "Key", "AttributesToGet", "ConsistentRead", "ProjectionExpression")
    ),
    ("dynamodb", "putItem"): Action("PutItem", (*_DDB_WRITE, "Item")),
    ("dynamodb", "updateItem"): Action(
        "UpdateItem", (*_DDB_WRITE, "Key", "AttributeUpdates", "UpdateExpression")
    ),
    ("dynamodb", "deleteItem"): Action("DeleteItem", (*_DDB_WRITE, "Key")),
    ("events", "putEvents"): Action(
        "PutEvents", ("Entries", "EndpointId"), _events, http_metadata=False
    ),
}


def request(action: Action, task_input: Any, execution_arn: str) -> dict[str, Any]:
    """The botocore parameters of a call: the documented ones that are not null."""
    given = task_input if isinstance(task_input, dict) else {}
    kept = {k: v for k, v in given.items() if k in action.parameters and v is not None}
    return action.prepare(kept, execution_arn)


def result(action: Action, response: dict[str, Any], headers: list[tuple[str, str]]) -> Any:
    """The task's result from botocore's response (``headers`` as the service sent them)."""
    body = {
        k: from_botocore(v, None) for k, v in sorted(response.items()) if k != "ResponseMetadata"
    }
    if action.operation == "PutEvents" and body.get("FailedEntryCount"):
        raise FailedEntries(body)
    if not action.http_metadata:
        return body
    metadata = response.get("ResponseMetadata", {})
    request_id = metadata.get("RequestId", "")
    all_headers: dict[str, list[str]] = {}
    for name, value in headers:
        all_headers.setdefault(name, []).append(value)
    body["SdkHttpMetadata"] = {
        "AllHttpHeaders": all_headers,
        # Java's TreeMap with a case-insensitive order, as recorded.
        "HttpHeaders": {
            name: ",".join(values)
            for name, values in sorted(all_headers.items(), key=lambda kv: kv[0].lower())
        },
        "HttpStatusCode": metadata.get("HTTPStatusCode", 200),
    }
    body["SdkResponseMetadata"] = {"RequestId": request_id}
    return body
