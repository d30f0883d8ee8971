"""AWS service integrations run in-process against the default target, Stepline's own moto
server: optimized SQS, SNS, DynamoDB and EventBridge calls, aws-sdk calls, and AWS's error
names caught by Catch."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import boto3
import pytest
from aws_services import INFO, aws, queue, run, table, task, unique

import asl
from emulator.driver import default_info, run_local
from emulator.integrations import endpoints

pytestmark = pytest.mark.usefixtures("no_endpoints")
ISO_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6})?Z$")
V1_CAUSE = re.compile(
    r"^(?P<message>.*) \(Service: (?P<service>\w+); Status Code: (?P<status>\d+); "
    r"Error Code: (?P<code>[\w.]+); Request ID: (?P<rid>\S+); Proxy: null\)$"
)
V2_CAUSE = re.compile(
    r"^(?P<message>.*) \(Service: (?P<service>\w+), Status Code: (?P<status>\d+), "
    r"Request ID: (?P<rid>[^,)]+)(, Extended Request ID: [^)]+)?\)$"
)


@pytest.fixture
def no_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SQS_ENDPOINT", "SNS_ENDPOINT", "DYNAMODB_ENDPOINT", "EVENTBRIDGE_ENDPOINT",
                 "S3_ENDPOINT", "LAMBDA_ENDPOINT", "STEPLINE_AWS_ENDPOINT"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def moto() -> str:
    return endpoints.moto_url()


def test_dynamodb_put_then_get_returns_the_item_with_sdk_metadata(moto: str) -> None:
    name = table(moto)
    item = {"id": {"S": "a"}, "ok": {"BOOL": True}, "n": {"N": "12"}, "tags": {"SS": ["x"]}}
    definition = {
        "StartAt": "Put",
        "States": {
            "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                    "Parameters": {"TableName": name, "Item": item}, "ResultPath": "$.put",
                    "Next": "Get"},
            "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                    "Parameters": {"TableName": name, "Key": {"id": {"S": "a"}}},
                    "ResultPath": "$.get", "End": True},
        },
    }  # fmt: skip
    result = run(definition)
    assert result.status == "SUCCEEDED", result.cause
    got = result.output["get"]
    assert got["Item"] == item
    metadata = got["SdkHttpMetadata"]
    assert metadata["HttpStatusCode"] == 200
    assert got["SdkResponseMetadata"]["RequestId"]
    assert metadata["HttpHeaders"]["Content-Type"] == "application/x-amz-json-1.0"
    assert metadata["AllHttpHeaders"]["Content-Type"] == ["application/x-amz-json-1.0"]
    assert set(result.output["put"]) == {"SdkHttpMetadata", "SdkResponseMetadata"}
    stored = aws("dynamodb", moto).get_item(TableName=name, Key={"id": {"S": "a"}})
    assert stored["Item"] == item


def test_dynamodb_update_and_delete_item(moto: str) -> None:
    name = table(moto)
    aws("dynamodb", moto).put_item(TableName=name, Item={"id": {"S": "k"}, "v": {"N": "1"}})
    update = task("arn:aws:states:::dynamodb:updateItem", {
        "TableName": name, "Key": {"id": {"S": "k"}}, "UpdateExpression": "SET v = v + :one",
        "ExpressionAttributeValues": {":one": {"N": "1"}}, "ReturnValues": "UPDATED_NEW"})  # fmt: skip
    result = run(update)
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["Attributes"] == {"v": {"N": "2"}}
    delete = task("arn:aws:states:::dynamodb:deleteItem", {
        "TableName": name, "Key": {"id": {"S": "k"}}, "ReturnValues": "ALL_OLD"})  # fmt: skip
    result = run(delete)
    assert result.output["Attributes"] == {"id": {"S": "k"}, "v": {"N": "2"}}
    assert "Item" not in aws("dynamodb", moto).get_item(TableName=name, Key={"id": {"S": "k"}})


def test_sqs_send_then_sdk_receive_uses_java_sdk_names(moto: str) -> None:
    url = queue(moto)
    definition = {
        "StartAt": "Send",
        "States": {
            "Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                     "Parameters": {"QueueUrl": url, "MessageBody": {"order": 7, "name": "é"}},
                     "ResultPath": "$.sent", "Next": "Receive"},
            "Receive": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:receiveMessage",
                        "Parameters": {"QueueUrl": url, "MaxNumberOfMessages": 1},
                        "ResultPath": "$.received", "End": True},
        },
    }  # fmt: skip
    result = run(definition)
    assert result.status == "SUCCEEDED", result.cause
    sent, received = result.output["sent"], result.output["received"]
    body = '{"order":7,"name":"é"}'  # a JSON body is sent as its compact JSON text
    assert sent["MD5OfMessageBody"] == hashlib.md5(body.encode()).hexdigest()
    assert set(sent) == {"MD5OfMessageBody", "MessageId", "SdkHttpMetadata", "SdkResponseMetadata"}
    [message] = received["Messages"]
    assert message["Body"] == body
    assert message["MessageId"] == sent["MessageId"]
    # The SDK integration answers with the Java 2.x names: Md5OfBody, not MD5OfBody.
    assert message["Md5OfBody"] == sent["MD5OfMessageBody"]
    assert "MD5OfBody" not in message and "ResponseMetadata" not in received


def test_sqs_unsupported_parameters_are_left_out(moto: str) -> None:
    url = queue(moto)
    result = run(task("arn:aws:states:::sqs:sendMessage", {
        "QueueUrl": url, "MessageBody": "x", "MessageSystemAttributes": {"a": 1}}))  # fmt: skip
    assert result.status == "SUCCEEDED", result.cause
    [message] = aws("sqs", moto).receive_message(QueueUrl=url)["Messages"]
    assert message["Body"] == "x"


def test_sns_publish_reaches_a_subscribed_queue(moto: str) -> None:
    sns, sqs = aws("sns", moto), aws("sqs", moto)
    topic = sns.create_topic(Name=unique("topic"))["TopicArn"]
    url = queue(moto)
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                  Attributes={"RawMessageDelivery": "true"})  # fmt: skip
    result = run(task("arn:aws:states:::sns:publish",
                      {"TopicArn": topic, "Message": {"hello": "world"}}))  # fmt: skip
    assert result.status == "SUCCEEDED", result.cause
    assert set(result.output) == {"MessageId", "SdkHttpMetadata", "SdkResponseMetadata"}
    [message] = sqs.receive_message(QueueUrl=url)["Messages"]
    assert message["Body"] == '{"hello":"world"}'


def test_eventbridge_put_events_adds_the_execution_to_resources(moto: str) -> None:
    events, sqs = aws("events", moto), aws("sqs", moto)
    url = queue(moto)
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    source = unique("stepline.test")
    events.put_rule(Name=unique("rule"), EventPattern=json.dumps({"source": [source]}))
    rule = events.list_rules(NamePrefix="rule")["Rules"]
    for found in rule:
        events.put_targets(Rule=found["Name"], Targets=[{"Id": "q", "Arn": arn}])
    result = run(task("arn:aws:states:::events:putEvents", {"Entries": [
        {"Source": source, "DetailType": "kind", "Detail": {"n": 1}}]}))  # fmt: skip
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["FailedEntryCount"] == 0
    assert list(result.output) == ["Entries", "FailedEntryCount"]  # no SdkHttpMetadata
    [entry] = result.output["Entries"]
    [message] = sqs.receive_message(QueueUrl=url)["Messages"]
    event = json.loads(message["Body"])
    assert event["id"] == entry["EventId"]
    assert event["detail"] == {"n": 1}
    assert event["resources"] == [INFO.state_machine_arn, INFO.execution_arn]


def test_eventbridge_failed_entries_fail_the_task(moto: str) -> None:
    result = run(task("arn:aws:states:::events:putEvents",
                      {"Entries": [{"DetailType": "kind", "Detail": {"n": 1}}]}))  # fmt: skip
    assert result.status == "FAILED"
    assert result.error == "EventBridge.FailedEntry"
    cause = json.loads(result.cause or "")
    assert cause["FailedEntryCount"] == 1
    assert cause["Entries"][0]["ErrorCode"] == "InvalidArgument"


def test_s3_put_then_get_object(moto: str) -> None:
    bucket = unique("bucket")
    aws("s3", moto).create_bucket(Bucket=bucket)
    definition = {
        "StartAt": "Put",
        "States": {
            "Put": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
                    "Parameters": {"Bucket": bucket, "Key": "k.txt", "Body": "text data"},
                    "ResultPath": "$.put", "Next": "Get"},
            "Get": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                    "Parameters": {"Bucket": bucket, "Key": "k.txt"}, "ResultPath": "$.get",
                    "End": True},
        },
    }  # fmt: skip
    result = run(definition)
    assert result.status == "SUCCEEDED", result.cause
    got = result.output["get"]
    assert got["Body"] == "text data"
    assert got["ContentLength"] == 9
    assert got["ETag"] == '"332eec544317a6d340b8e77da7fe54ad"'  # as recorded on AWS
    assert result.output["put"]["ETag"] == got["ETag"]
    assert ISO_INSTANT.match(got["LastModified"]), got["LastModified"]
    assert got["Metadata"] == {}
    body = aws("s3", moto).get_object(Bucket=bucket, Key="k.txt")["Body"].read()
    assert body == b"text data"


def test_sdk_dynamodb_uses_java_names_for_attribute_values(moto: str) -> None:
    name = table(moto)
    put = task("arn:aws:states:::aws-sdk:dynamodb:putItem", {
        "TableName": name, "Item": {"id": {"S": "b"}, "ok": {"Bool": False}, "none": {"Nul": True},
                                    "set": {"Ss": ["p", "q"]}}})  # fmt: skip
    assert run(put).status == "SUCCEEDED"
    stored = aws("dynamodb", moto).get_item(TableName=name, Key={"id": {"S": "b"}})["Item"]
    assert stored["ok"] == {"BOOL": False} and stored["none"] == {"NULL": True}
    get = run(task("arn:aws:states:::aws-sdk:dynamodb:getItem",
                   {"TableName": name, "Key": {"id": {"S": "b"}}}))  # fmt: skip
    assert get.output == {"Item": {"id": {"S": "b"}, "ok": {"Bool": False}, "none": {"Nul": True},
                                   "set": {"Ss": ["p", "q"]}}}  # fmt: skip


def test_sdk_field_named_as_the_api_does_is_refused(moto: str) -> None:
    result = run(task("arn:aws:states:::aws-sdk:dynamodb:putItem",
                      {"TableName": table(moto), "Item": {"id": {"S": "c"}, "x": {"BOOL": True}}}))  # fmt: skip
    assert result.status == "FAILED"
    assert result.error == "States.Runtime"
    assert result.cause == "The field 'BOOL' is not supported by Step Functions at '/Item/x/BOOL'"


def catching(resource: str, parameters: Any, error: str) -> dict[str, Any]:
    return {
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": resource, "Parameters": parameters,
                  "Catch": [{"ErrorEquals": [error], "ResultPath": "$.caught", "Next": "Caught"}],
                  "End": True},
            "Caught": {"Type": "Pass", "End": True},
        },
    }  # fmt: skip


@pytest.mark.parametrize(
    ("resource", "error", "service"),
    [
        ("arn:aws:states:::dynamodb:putItem", "DynamoDB.ConditionalCheckFailedException",
         "AmazonDynamoDBv2"),
        ("arn:aws:states:::aws-sdk:dynamodb:putItem", "DynamoDb.ConditionalCheckFailedException",
         "DynamoDb"),
    ],
)  # fmt: skip
def test_conditional_check_failure_is_caught_by_its_aws_name(
    moto: str, resource: str, error: str, service: str
) -> None:
    name = table(moto)
    aws("dynamodb", moto).put_item(TableName=name, Item={"id": {"S": "taken"}})
    parameters = {"TableName": name, "Item": {"id": {"S": "taken"}},
                  "ConditionExpression": "attribute_not_exists(id)"}  # fmt: skip
    result = run(catching(resource, parameters, error))
    assert result.status == "SUCCEEDED", f"{result.error}: {result.cause}"
    caught = result.output["caught"]
    assert caught["Error"] == error
    cause = (V1_CAUSE if service.startswith("Amazon") else V2_CAUSE).match(caught["Cause"])
    assert cause, caught["Cause"]
    assert cause["service"] == service and cause["status"] == "400"
    assert cause["message"] == "The conditional request failed"


def test_no_such_key_is_named_with_the_exception_suffix(moto: str) -> None:
    bucket = unique("bucket")
    aws("s3", moto).create_bucket(Bucket=bucket)
    result = run(catching("arn:aws:states:::aws-sdk:s3:getObject",
                          {"Bucket": bucket, "Key": "missing"}, "S3.NoSuchKeyException"))  # fmt: skip
    assert result.status == "SUCCEEDED", f"{result.error}: {result.cause}"
    cause = V2_CAUSE.match(result.output["caught"]["Cause"])
    assert cause and cause["service"] == "S3" and cause["status"] == "404"
    assert cause["message"] == "The specified key does not exist."


def test_missing_queue_is_named_as_java_sdk_1_names_it(moto: str) -> None:
    url = queue(moto).rsplit("/", 1)[0] + "/" + unique("gone")
    result = run(task("arn:aws:states:::sqs:sendMessage", {"QueueUrl": url, "MessageBody": "x"}))
    assert result.error == "SQS.QueueDoesNotExistException"
    cause = V1_CAUSE.match(result.cause or "")
    assert cause and cause["service"] == "AmazonSQS"
    assert cause["code"] == "AWS.SimpleQueueService.NonExistentQueue"
    sdk = run(task("arn:aws:states:::aws-sdk:sqs:sendMessage", {"QueueUrl": url, "MessageBody": "x"}))
    assert sdk.error == "Sqs.QueueDoesNotExistException"
    assert V2_CAUSE.match(sdk.cause or "")


def test_unmodeled_error_is_the_generic_exception(moto: str) -> None:
    result = run(task("arn:aws:states:::dynamodb:updateItem", {
        "TableName": table(moto), "Key": {"id": {"S": "a"}}, "UpdateExpression": "SET = nonsense"}))  # fmt: skip
    assert result.error == "DynamoDB.AmazonDynamoDBException"
    cause = V1_CAUSE.match(result.cause or "")
    assert cause and cause["code"] == "ValidationException"


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:states:::sqs:sendMessage.sync",
        "arn:aws:states:::dynamodb:query",
        "arn:aws:states:::aws-sdk:s3:getObject.sync",
        "arn:aws:states:::aws-sdk:nosuchservice:doThing",
        "arn:aws:states:::aws-sdk:s3:noSuchAction",
        "arn:aws:states:::aws-sdk:s3:GetObject",
    ],
)
def test_resources_aws_does_not_have_fail_the_task(resource: str) -> None:
    result = run(task(resource, {"QueueUrl": "q", "MessageBody": "x"}))
    assert result.status == "FAILED"
    assert result.error == "States.Runtime"
    assert result.cause == (
        f"The resource provided {resource} is not recognized. The value is not a valid resource "
        f"ARN, or the resource is not available in this region."
    )


def test_wait_for_task_token_sends_the_token_and_waits(moto: str) -> None:
    url = queue(moto)
    result = run(task("arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                      {"QueueUrl": url, "MessageBody": {"token.$": "$$.Task.Token"}}))  # fmt: skip
    assert result.status == "RUNNING"  # nothing here answers the token
    assert [e.type for e in result.events][-1] == "TaskSubmitted"
    [message] = aws("sqs", moto).receive_message(QueueUrl=url)["Messages"]
    assert json.loads(message["Body"])["token"]


def test_calls_are_made_in_the_execution_region(moto: str) -> None:
    sqs = boto3.client("sqs", endpoint_url=moto, region_name="eu-west-1",
                       aws_access_key_id="test", aws_secret_access_key="test")  # fmt: skip
    url = sqs.create_queue(QueueName=unique("irish"))["QueueUrl"]
    machine = asl.load(task("arn:aws:states:::sqs:sendMessage", {"QueueUrl": url, "MessageBody": "x"}))
    there = run_local(machine, {}, {}, default_info(region="eu-west-1"))
    assert there.status == "SUCCEEDED", there.cause
    assert len(sqs.receive_message(QueueUrl=url)["Messages"]) == 1
    elsewhere = run_local(machine, {}, {}, default_info(region="us-east-1"))
    assert elsewhere.error == "SQS.QueueDoesNotExistException"
