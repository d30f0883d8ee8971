"""The protocol helpers and the model-driven request checks, without a server."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from api import protocol
from api.constraints import RequestChecker
from emulator.sfn.errors import CoralError, SfnError, ValidationError

CHECKER = RequestChecker()


def test_region_from_the_credential_scope() -> None:
    header = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240115/eu-west-2/states/aws4_request, "
              "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=abc")
    assert protocol.region_of(header) == "eu-west-2"
    assert protocol.region_of(None) is None
    assert protocol.region_of("Bearer xyz") is None


def test_operation_from_the_target() -> None:
    assert protocol.operation_of("AWSStepFunctions.StartExecution") == "StartExecution"
    for target in (None, "", "AmazonSQS.SendMessage"):
        with pytest.raises(CoralError) as excinfo:
            protocol.operation_of(target)
        assert excinfo.value.type_name == "com.amazon.coral.service#UnknownOperationException"


def test_timestamps_are_epoch_seconds_with_milliseconds() -> None:
    body = protocol.encode({"creationDate": datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), "n": [1]})
    assert orjson.loads(body) == {"creationDate": 1704164645.679, "n": [1]}


def test_error_bodies() -> None:
    error = SfnError("ResourceNotFound", "Resource not found: 'x'", resource_name="x")
    assert orjson.loads(protocol.encode_error(error)) == {
        "__type": "com.amazonaws.swf.service.v2.model#ResourceNotFound",
        "message": "Resource not found: 'x'",
        "resourceName": "x",
    }
    validation = ValidationError("bad", reason="INVALID_ROUTING_CONFIGURATION")
    assert orjson.loads(protocol.encode_error(validation)) == {
        "__type": "com.amazon.coral.validate#ValidationException",
        "message": "bad",
        "reason": "INVALID_ROUTING_CONFIGURATION",
    }


def _message(operation: str, params: object) -> str:
    with pytest.raises(ValidationError) as excinfo:
        CHECKER.check(operation, params)
    return excinfo.value.message


def test_every_kind_of_constraint() -> None:
    assert _message("ListExecutions", {"stateMachineArn": "a" * 257}).endswith(
        "at 'stateMachineArn' failed to satisfy constraint: Member must have length less than or equal to 256"
    )
    assert _message("ListExecutions", {"stateMachineArn": "x", "maxResults": -1}) == (
        "1 validation error detected: Value '-1' at 'maxResults' failed to satisfy constraint: "
        "Member must have value greater than or equal to 0"
    )
    assert _message("RedriveExecution", {"executionArn": "x", "clientToken": "has space"}) == (
        "1 validation error detected: Value 'has space' at 'clientToken' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [!-~]+"
    )
    assert _message("CreateStateMachine", {"name": "n", "definition": "{}", "roleArn": "r", "type": "BIG"}) == (
        "1 validation error detected: Value 'BIG' at 'type' failed to satisfy constraint: "
        "Member must satisfy enum value set: [STANDARD, EXPRESS]"
    )
    # Sensitive members are not echoed.
    assert _message("StartExecution", {"stateMachineArn": "x", "input": "a" * 262145}) == (
        "1 validation error detected: Value at 'input' failed to satisfy constraint: "
        "Member must have length less than or equal to 262144"
    )
    two = _message("ListStateMachines", {"maxResults": 5000, "nextToken": ""})
    assert two.startswith("2 validation errors detected: Value '5000' at 'maxResults'")
    assert "; Value '' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1" in two


def test_nested_paths_and_java_rendering() -> None:
    message = _message("CreateStateMachine", {
        "name": "n", "definition": "{}", "roleArn": "r",
        "loggingConfiguration": {"level": "LOUD"},
        "tags": [{"key": "ok", "value": "v"}, {"key": "", "value": "v"}],
    })
    assert "Value 'LOUD' at 'loggingConfiguration.level' failed" in message
    assert "Value '' at 'tags.2.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1" in message


def test_wrong_types_cannot_be_read() -> None:
    for params in ({"maxResults": "5"}, {"maxResults": True}, {"maxResults": 1.5}, {"nextToken": 5}):
        with pytest.raises(CoralError) as excinfo:
            CHECKER.check("ListStateMachines", params)
        assert excinfo.value.code == "SerializationException"
    CHECKER.check("ListStateMachines", {"maxResults": 5, "unknownMember": "ignored"})


def test_every_operation_of_the_model_is_served() -> None:
    from emulator.sfn import OPERATIONS

    assert set(OPERATIONS) == CHECKER.operations
    assert len(OPERATIONS) == 37
