"""What the ``states:startExecution`` integration answers: StartExecution's response and the
child's DescribeExecution as Step Functions renders them, and its service errors.

Recorded AWS behaviour: LocalStack's tests/aws/services/stepfunctions/v2/callback/
test_callback.snapshot.json (test_start_execution_sync, _sync2, _sync_delegate_failure) and
services/test_sfn_task_service.snapshot.json (test_start_execution).
https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import asl
from asl import jsontext
from emulator.store.execution_rows import ExecutionRecord


def millis(value: datetime) -> int:
    """A date as the integration renders it: epoch milliseconds, the form of the service's
    Java SDK models.  UNVERIFIED: the recorded snapshots mask StartDate/StopDate."""
    return round(value.timestamp() * 1000)


def start_response(record: ExecutionRecord, rid: str, now: datetime) -> dict[str, Any]:
    """StartExecution's response as the integration returns it: the API's fields capitalised,
    with the SDK's HTTP metadata (recorded: test_sfn_task_service, test_start_execution).
    Content-Length is that of the JSON 1.0 response body."""
    body = json.dumps(
        {"executionArn": record.arn, "startDate": record.start_date.timestamp()},
        separators=(",", ":"),
    )
    length = str(len(body.encode()))
    date = format_datetime(now.astimezone(UTC), usegmt=True)
    kind = "application/x-amz-json-1.0"
    return {
        "ExecutionArn": record.arn,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "x-amzn-RequestId": [rid],
                "connection": ["keep-alive"],
                "Content-Length": [length],
                "Date": [date],
                "Content-Type": [kind],
            },
            "HttpHeaders": {
                "connection": "keep-alive",
                "Content-Length": length,
                "Content-Type": kind,
                "Date": date,
                "x-amzn-RequestId": rid,
            },
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": rid},
        "StartDate": millis(record.start_date),
    }


def describe(record: ExecutionRecord, parsed: bool) -> dict[str, Any]:
    """The child's DescribeExecution as ``.sync`` (``parsed``: ``.sync:2``) returns it:
    capitalised fields in alphabetical order, as recorded."""
    out: dict[str, Any] = {
        "ExecutionArn": record.arn,
        "Input": jsontext.loads(record.input) if parsed else record.input,
        "InputDetails": {"Included": True},
        "Name": record.name,
        "StartDate": millis(record.start_date),
        "StateMachineArn": record.state_machine_arn,
        "Status": record.status,
    }
    if record.stop_date is not None:
        out["StopDate"] = millis(record.stop_date)
    if record.status == "SUCCEEDED" and record.output is not None:
        out["Output"] = jsontext.loads(record.output) if parsed else record.output
        out["OutputDetails"] = {"Included": True}
    # Since redrive, DescribeExecution carries the redrive fields (AWS's example of child
    # execution results, input-output-resultwriter.html; the 2023 recordings predate them).
    out["RedriveCount"] = record.redrive_count
    if record.status == "SUCCEEDED":
        out["RedriveStatus"] = "NOT_REDRIVABLE"
        out["RedriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven"
    else:
        out["RedriveStatus"] = "REDRIVABLE" if record.type == "STANDARD" else "NOT_REDRIVABLE"
    if record.error is not None:
        out["Error"] = record.error
    if record.cause is not None:
        out["Cause"] = record.cause
    if record.version_arn is not None:
        out["StateMachineVersionArn"] = record.version_arn
    if record.alias_arn is not None:
        out["StateMachineAliasArn"] = record.alias_arn
    if record.trace_header is not None:
        out["TraceHeader"] = record.trace_header
    return dict(sorted(out.items()))


def finish_outcome(task_id: str, record: ExecutionRecord, pattern: str) -> asl.Outcome:
    """What a ``.sync`` task gets when its child has ended."""
    result = describe(record, pattern == "sync2")
    if record.status == "SUCCEEDED":
        return asl.TaskSucceeded(task_id, result)
    # Recorded (test_start_execution_sync_delegate_failure): the cause is the child's
    # DescribeExecution as JSON text.
    return asl.TaskFailed(task_id, "States.TaskFailed", jsontext.dumps(result))


def sdk_error(code: str, message: str, rid: str) -> tuple[str, str]:
    """A StartExecution error as the integration reports it: ``StepFunctions.<Code>Exception``
    and the message with the SDK's service details (AWS's form for service errors)."""
    details = f"Service: AWSStepFunctions; Status Code: 400; Error Code: {code}; "
    return f"StepFunctions.{code}Exception", f"{message} ({details}Request ID: {rid}; Proxy: null)"


def child_name(parent_arn: str, task_id: str) -> str:
    """A Name for a child the Task did not name: a UUID fixed by the parent's task, so a start
    re-dispatched after a restart names the same child."""
    digest = hashlib.blake2b(f"{parent_arn}/{task_id}".encode(), digest_size=16).digest()
    return str(uuid.UUID(bytes=digest, version=4))
