"""The names and values of AWS SDK integrations (the AWS SDK for Java 2.x's spelling) and the
error names and causes of both integration families, without a service."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

import botocore.session
import pytest
from botocore.exceptions import ClientError

from emulator.integrations import aws_errors as errors
from emulator.integrations import sdk_shapes as shapes
from emulator.integrations.aws import SDK_SERVICES, parse

SESSION = botocore.session.get_session()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("SQS", "Sqs"), ("DynamoDB", "DynamoDb"), ("SFN", "Sfn"), ("S3", "S3"),
        ("Secrets Manager", "SecretsManager"), ("ACM PCA", "AcmPca"), ("EC2", "Ec2"),
        ("MD5OfBody", "Md5OfBody"), ("ETag", "ETag"), ("SSEKMSKeyId", "SsekmsKeyId"),
        ("BOOL", "Bool"), ("SS", "Ss"), ("S", "S"), ("NULL", "Nul"), ("Equals", "EqualsValue"),
        ("ContentMD5", "ContentMd5"), ("MessageId", "MessageId"),
    ],
)  # fmt: skip
def test_member_names_as_the_java_sdk_spells_them(name: str, expected: str) -> None:
    assert shapes.member_name(name) == expected


def test_timestamps_are_written_as_java_instants() -> None:
    assert shapes.instant(datetime(2024, 5, 23, 19, 11, 31, tzinfo=UTC)) == "2024-05-23T19:11:31Z"
    moment = datetime(2024, 5, 23, 21, 11, 31, 123000, tzinfo=timezone(timedelta(hours=2)))
    assert shapes.instant(moment) == "2024-05-23T19:11:31.123Z"
    assert shapes.instant(datetime(2024, 1, 1, 0, 0, 0, 5, tzinfo=UTC)) == "2024-01-01T00:00:00.000005Z"


def test_parameters_are_converted_to_botocore_names_through_the_shapes() -> None:
    model = SESSION.get_service_model("dynamodb").operation_model("PutItem")
    converted = shapes.to_botocore(
        {"TableName": "t", "Item": {"a": {"Bool": True}, "b": {"Nul": True}, "c": {"Ns": ["1"]},
                                    "d": {"B": base64.b64encode(b"\x00\x01").decode()}},
         "ReturnValues": None},
        model.input_shape,
    )  # fmt: skip
    assert converted == {"TableName": "t", "Item": {"a": {"BOOL": True}, "b": {"NULL": True},
                                                    "c": {"NS": ["1"]}, "d": {"B": b"\x00\x01"}}}  # fmt: skip


def test_results_are_converted_to_step_functions_names() -> None:
    model = SESSION.get_service_model("s3").operation_model("ListObjectsV2")
    response = {
        "ResponseMetadata": {"RequestId": "r"},
        "Contents": [{"Key": "k", "ETag": '"e"', "LastModified": datetime(2024, 1, 2, tzinfo=UTC),
                      "Size": 3}],
        "KeyCount": 1,
    }  # fmt: skip
    assert shapes.from_botocore(response, model.output_shape) == {
        "Contents": [{"Key": "k", "ETag": '"e"', "LastModified": "2024-01-02T00:00:00Z", "Size": 3}],
        "KeyCount": 1,
    }
    blob = SESSION.get_service_model("kms").operation_model("Encrypt").output_shape
    assert shapes.from_botocore({"CiphertextBlob": b"\xff"}, blob) == {"CiphertextBlob": "/w=="}


def test_unknown_and_api_named_fields_are_refused() -> None:
    model = SESSION.get_service_model("sqs").operation_model("SendMessage")
    with pytest.raises(shapes.ParameterError, match="'queueUrl' is not supported"):
        shapes.to_botocore({"queueUrl": "q"}, model.input_shape)


def test_sdk_service_names_are_the_java_clients() -> None:
    assert SDK_SERVICES.find("sfn") == ("stepfunctions", "Sfn")
    assert SDK_SERVICES.find("eventbridge") == ("events", "EventBridge")
    assert SDK_SERVICES.find("dynamodb") == ("dynamodb", "DynamoDb")
    assert SDK_SERVICES.find("cloudwatchlogs") == ("logs", "CloudWatchLogs")
    assert SDK_SERVICES.find("nosuchservice") is None


def test_resources_are_taken_apart() -> None:
    sdk = parse("arn:aws:states:::aws-sdk:s3:getObject.waitForTaskToken")
    assert sdk is not None and (sdk.service, sdk.action, sdk.pattern, sdk.sdk) == (
        "s3", "getObject", "waitForTaskToken", True)  # fmt: skip
    sync = parse("arn:aws:states:::sqs:sendMessage.sync:2")
    assert sync is not None and (sync.service, sync.action, sync.pattern) == (
        "sqs", "sendMessage", "sync:2")  # fmt: skip
    assert parse("arn:aws:lambda:us-east-1:123456789012:function:F") is None


def client_error(code: str, message: str, status: int = 400, **extra: str) -> ClientError:
    metadata = {"RequestId": "rid", "HTTPStatusCode": status, **extra}
    return ClientError({"Error": {"Code": code, "Message": message},
                        "ResponseMetadata": metadata}, "Op")  # fmt: skip


def test_error_names_and_causes_of_both_families() -> None:
    s3 = SESSION.create_client("s3", region_name="us-east-1", aws_access_key_id="a",
                               aws_secret_access_key="b")  # fmt: skip
    assert errors.client_error(
        client_error("NoSuchBucket", "The specified bucket does not exist", 404, HostId="h"),
        s3, errors.sdk_flavor("S3"),
    ) == ("S3.NoSuchBucketException", "The specified bucket does not exist (Service: S3, "
          "Status Code: 404, Request ID: rid, Extended Request ID: h)")  # fmt: skip
    ddb = SESSION.create_client("dynamodb", region_name="us-east-1", aws_access_key_id="a",
                                aws_secret_access_key="b")  # fmt: skip
    assert errors.client_error(
        client_error("ValidationException", "1 validation error detected"),
        ddb, errors.OPTIMIZED["dynamodb"],
    ) == ("DynamoDB.AmazonDynamoDBException", "1 validation error detected (Service: "
          "AmazonDynamoDBv2; Status Code: 400; Error Code: ValidationException; Request ID: rid; "
          "Proxy: null)")  # fmt: skip
    assert errors.client_error(
        client_error("ValidationException", "bad"), ddb, errors.sdk_flavor("DynamoDb")
    )[0] == "DynamoDb.DynamoDbException"
