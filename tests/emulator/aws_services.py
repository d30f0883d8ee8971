"""Helpers for the AWS integration tests: boto3 clients on a moto server, one-Task machines."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
from botocore.config import Config

import asl
from emulator.driver import ExecutionResult, default_info, run_local

REGION = "us-east-1"
INFO = default_info("Machine", "run-1")


def aws(service: str, url: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(s3={"addressing_style": "path"}),
    )


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def table(url: str) -> str:
    name = unique("table")
    aws("dynamodb", url).create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def queue(url: str) -> str:
    return str(aws("sqs", url).create_queue(QueueName=unique("queue"))["QueueUrl"])


def task(resource: str, parameters: Any, **fields: Any) -> dict[str, Any]:
    state = {"Type": "Task", "Resource": resource, "Parameters": parameters, "End": True}
    return {"StartAt": "T", "States": {"T": {**state, **fields}}}


def run(definition: dict[str, Any], task_input: Any = None) -> ExecutionResult:
    return run_local(asl.load(definition), {} if task_input is None else task_input, {}, INFO)
