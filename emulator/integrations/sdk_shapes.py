"""AWS SDK integrations' names and values: how Step Functions spells a service's fields.

Step Functions calls ``arn:aws:states:::aws-sdk:SERVICE:ACTION`` through the AWS SDK for Java
2.x, so parameters and results carry that SDK's names in PascalCase: a member's name is split
into words (``SSEKMSKeyId`` is SSEKMS, Key, Id), each word capitalised
(``SsekmsKeyId``, ``Md5OfBody``, ``ETag``); DynamoDB's ``BOOL`` and ``NULL`` are ``Bool`` and
``Nul``; a field named ``Equals`` is ``EqualsValue``.  This module converts a Task's parameters
to botocore's names and a botocore response back, walking the operation's shapes.

Timestamps are written as Java's ``Instant`` prints them (``2024-05-23T19:11:31.123Z``), binary
values in base64, and a streaming body (S3 ``GetObject``'s ``Body``) as its UTF-8 text, as
recorded on AWS (LocalStack tests/aws/services/stepfunctions/v2/services/
test_aws_sdk_task_service.snapshot.json, test_s3_get_object).

https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape  # type: ignore[import-untyped]

# Java SDK v2 renames (its customization files): reserved words and DynamoDB's type names.
_RENAMED = {"NULL": "Nul", "Equals": "EqualsValue"}


class ParameterError(ValueError):
    """A parameter Step Functions would not accept for the operation."""


def words(name: str) -> list[str]:
    """A name split at word boundaries as the AWS SDK for Java 2.x splits it."""
    text = re.sub(r"[^A-Za-z0-9]+", " ", name)
    text = re.sub(r"([^a-z]{2,})v([0-9]+)", r"\1 v\2 ", text)
    text = re.sub(r"([^A-Z]{2,})V([0-9]+)", r"\1 V\2 ", text)
    text = " ".join(re.split(r"(?<=[a-z])(?=[A-Z]([a-zA-Z]|[0-9]))", text)[::2])
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", text)
    text = re.sub(r"([0-9])([a-zA-Z])", r"\1 \2", text)
    return text.split()


def pascal(name: str) -> str:
    """``SQS`` -> ``Sqs``, ``DynamoDB`` -> ``DynamoDb``, ``MD5OfBody`` -> ``Md5OfBody``."""
    return "".join(word[:1].upper() + word[1:].lower() for word in words(name))


def member_name(name: str) -> str:
    """A botocore member's name as Step Functions writes it."""
    return _RENAMED.get(name) or pascal(name)


def instant(value: datetime) -> str:
    """A timestamp as Java's ``Instant.toString`` prints it (UTC, 0, 3 or 6 fraction digits)."""
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    micros = value.microsecond
    if micros:
        text += f".{micros // 1000:03d}" if micros % 1000 == 0 else f".{micros:06d}"
    return text + "Z"


@lru_cache(maxsize=4096)
def _members(shape: StructureShape) -> dict[str, str]:
    """Step Functions' name -> botocore's name, for one structure."""
    return {member_name(name): name for name in shape.members}


def to_botocore(value: Any, shape: Shape | None, path: str = "") -> Any:
    """Task parameters (Step Functions' names) as botocore's input for ``shape``."""
    if shape is None:
        return value
    if isinstance(shape, StructureShape):
        if not isinstance(value, dict):
            raise ParameterError(f"The value at '{path or '/'}' must be an object")
        names = _members(shape)
        converted: dict[str, Any] = {}
        for key, item in value.items():
            original = names.get(key)
            if original is None:
                raise ParameterError(
                    f"The field '{key}' is not supported by Step Functions at '{path}/{key}'"
                )
            if item is None:  # the SDK leaves an unset member out
                continue
            converted[original] = to_botocore(item, shape.members[original], f"{path}/{key}")
        return converted
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            raise ParameterError(f"The value at '{path}' must be an array")
        return [to_botocore(item, shape.member, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(shape, MapShape):
        if not isinstance(value, dict):
            raise ParameterError(f"The value at '{path}' must be an object")
        return {k: to_botocore(v, shape.value, f"{path}/{k}") for k, v in value.items()}
    if shape.type_name == "blob" and isinstance(value, str):
        if shape.serialization.get("streaming") or shape.metadata.get("requiresLength"):
            return value.encode()
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:
            raise ParameterError(f"The value at '{path}' must be base64 text") from None
    return value


def from_botocore(value: Any, shape: Shape | None) -> Any:
    """A botocore response (or part of one) as Step Functions renders it."""
    if isinstance(value, datetime):
        return instant(value)
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if hasattr(value, "read"):  # a streaming body
        data = value.read()
        return data.decode("utf-8", errors="replace") if isinstance(data, bytes) else str(data)
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        members = shape.members
        return {
            member_name(key): from_botocore(item, members.get(key))
            for key, item in value.items()
            if key != "ResponseMetadata"
        }
    if isinstance(value, dict):
        inner = shape.value if isinstance(shape, MapShape) else None
        return {key: from_botocore(item, inner) for key, item in value.items()}
    if isinstance(value, list):
        inner = shape.member if isinstance(shape, ListShape) else None
        return [from_botocore(item, inner) for item in value]
    return plain(value)


def plain(value: Any) -> Any:
    """A JSON value for scalars botocore may hand back (Decimal, sets...)."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set | frozenset | tuple):
        return [plain(item) for item in value]
    return value
