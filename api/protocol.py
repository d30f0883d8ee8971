"""The AWS JSON 1.0 protocol of Step Functions: reading a request, writing a response.

    POST /   X-Amz-Target: AWSStepFunctions.<Operation>
             Content-Type: application/x-amz-json-1.0 (1.1 accepted too)

Any signature, or none, is accepted; the region is read from the SigV4 credential scope of
the ``Authorization`` header when there is one.  Responses carry ``x-amzn-RequestId``;
timestamps are epoch seconds (a JSON number with milliseconds); errors are HTTP 400 with
``{"__type": "<namespace>#<Code>", "message": "..."}``
(https://docs.aws.amazon.com/step-functions/latest/apireference/CommonErrors.html,
https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from emulator.sfn.errors import CoralError, SfnError

TARGET_PREFIX = "AWSStepFunctions."
CONTENT_TYPE = "application/x-amz-json-1.0"
ACCEPTED_CONTENT_TYPES = (CONTENT_TYPE, "application/x-amz-json-1.1", "application/json")

_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/")


@dataclass(frozen=True)
class Request:
    operation: str
    params: dict[str, Any]
    region: str | None  # from the signature, when signed


def operation_of(target: str | None) -> str:
    """The operation named by ``X-Amz-Target``; Coral's UnknownOperationException else."""
    if not target or not target.startswith(TARGET_PREFIX):
        raise CoralError("UnknownOperationException", "")
    return target[len(TARGET_PREFIX):]


def region_of(authorization: str | None) -> str | None:
    if not authorization:
        return None
    found = _CREDENTIAL_SCOPE.search(authorization)
    return found.group(1) if found else None


def parse(target: str | None, authorization: str | None, body: bytes) -> Request:
    operation = operation_of(target)
    if body.strip():
        try:
            params = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise CoralError("SerializationException", "Request body is not valid JSON") from None
    else:
        params = {}
    if not isinstance(params, dict):
        raise CoralError("SerializationException", "Start of structure or map expected")
    return Request(operation, params, region_of(authorization))


def new_request_id() -> str:
    return str(uuid.uuid4())


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return round(value.timestamp(), 3)
    raise TypeError(f"cannot encode {type(value).__name__}")


def encode(result: dict[str, Any]) -> bytes:
    """A response body; datetimes become epoch seconds."""
    return orjson.dumps(result, default=_default, option=orjson.OPT_PASSTHROUGH_DATETIME)


def encode_error(error: SfnError) -> bytes:
    body: dict[str, Any] = {"__type": error.type_name, "message": error.message}
    if error.reason is not None:
        body["reason"] = error.reason
    if error.resource_name is not None:
        body["resourceName"] = error.resource_name
    return orjson.dumps(body)
