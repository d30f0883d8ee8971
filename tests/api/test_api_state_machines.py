"""State machines through boto3 against ``stepline serve``: create (idempotency, names,
definitions, configuration), describe, update (revisions), delete, list, validate."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from serving import ROLE, error_of, pass_machine, unique


def test_create_describe_delete(sfn: Any) -> None:
    name = unique("sm")
    created = sfn.create_state_machine(name=name, definition=pass_machine(), roleArn=ROLE)
    arn = created["stateMachineArn"]
    assert arn == f"arn:aws:states:us-east-1:123456789012:stateMachine:{name}"
    assert "stateMachineVersionArn" not in created
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["name"] == name
    assert described["status"] == "ACTIVE"
    assert described["type"] == "STANDARD"
    assert described["definition"] == pass_machine()
    assert described["roleArn"] == ROLE
    assert described["loggingConfiguration"] == {"level": "OFF", "includeExecutionData": False}
    assert described["tracingConfiguration"] == {"enabled": False}
    assert described["creationDate"] == created["creationDate"]
    assert "revisionId" not in described  # AWS shows one only after an update
    sfn.delete_state_machine(stateMachineArn=arn)
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_state_machine(stateMachineArn=arn)
    assert error_of(excinfo) == ("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
    sfn.delete_state_machine(stateMachineArn=arn)  # deleting again succeeds, as on AWS


def test_create_is_idempotent_for_the_same_configuration(sfn: Any) -> None:
    name = unique("sm")
    first = sfn.create_state_machine(name=name, definition=pass_machine(), roleArn=ROLE)
    again = sfn.create_state_machine(
        name=name, definition=pass_machine(), roleArn=ROLE + "-other"  # roleArn is ignored
    )
    assert again["stateMachineArn"] == first["stateMachineArn"]
    assert again["creationDate"] == first["creationDate"]
    # The same definition formatted differently is a different definition to AWS.
    with pytest.raises(ClientError) as excinfo:
        sfn.create_state_machine(
            name=name, definition=json.dumps(json.loads(pass_machine()), indent=2), roleArn=ROLE
        )
    assert error_of(excinfo) == (
        "StateMachineAlreadyExists",
        f"State Machine Already Exists: '{first['stateMachineArn']}'",
    )
    with pytest.raises(ClientError) as excinfo:
        sfn.create_state_machine(
            name=name, definition=pass_machine(), roleArn=ROLE, tracingConfiguration={"enabled": True}
        )
    assert error_of(excinfo)[0] == "StateMachineAlreadyExists"


@pytest.mark.parametrize("name", ["with space", "a#b", "a/b", "tab\there", "a:b", "q?"])
def test_invalid_names(sfn: Any, name: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sfn.create_state_machine(name=name, definition=pass_machine(), roleArn=ROLE)
    assert error_of(excinfo) == ("InvalidName", f"Invalid Name: '{name}'")


def test_name_longer_than_80_is_a_validation_error(sfn: Any) -> None:
    name = "n" * 81
    with pytest.raises(ClientError) as excinfo:
        sfn.create_state_machine(name=name, definition=pass_machine(), roleArn=ROLE)
    assert error_of(excinfo) == (
        "ValidationException",
        f"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: "
        "Member must have length less than or equal to 80",
    )


def test_invalid_definition_message(sfn: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        sfn.create_state_machine(name=unique(), definition='{"StartAt": "A"}', roleArn=ROLE)
    assert error_of(excinfo) == (
        "InvalidDefinition",
        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'",
    )
    missing = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})
    with pytest.raises(ClientError) as excinfo:
        sfn.create_state_machine(name=unique(), definition=missing, roleArn=ROLE)
    code, message = error_of(excinfo)
    assert code == "InvalidDefinition"
    assert message.startswith("Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: ")
    assert "at /States/A/Next" in message


def test_express_refuses_callbacks_and_activities(sfn: Any) -> None:
    definition = json.dumps(
        {"StartAt": "T", "States": {"T": {"Type": "Task", "End": True,
         "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken"}}}
    )
    with pytest.raises(ClientError) as excinfo:
        sfn.create_state_machine(name=unique(), definition=definition, roleArn=ROLE, type="EXPRESS")
    assert error_of(excinfo) == (
        "InvalidDefinition",
        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine does "
        "not support '.waitForTaskToken' service integration  at /States/T/Resource'",
    )
    activity = json.dumps(
        {"StartAt": "T", "States": {"T": {"Type": "Task", "End": True,
         "Resource": "arn:aws:states:us-east-1:123456789012:activity:a"}}}
    )
    with pytest.raises(ClientError) as excinfo:
        sfn.create_state_machine(name=unique(), definition=activity, roleArn=ROLE, type="EXPRESS")
    assert "Express state machine does not support Activity ARN at /States/T/Resource" in error_of(excinfo)[1]
    # The same definitions are fine for a STANDARD machine.
    sfn.create_state_machine(name=unique(), definition=definition, roleArn=ROLE)


def test_configuration_is_stored_and_returned(sfn: Any) -> None:
    logging = {
        "level": "ERROR",
        "includeExecutionData": True,
        "destinations": [{"cloudWatchLogsLogGroup": {
            "logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:sfn:*"}}],
    }
    encryption = {"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "alias/key",
                  "kmsDataKeyReusePeriodSeconds": 120}
    arn = sfn.create_state_machine(
        name=unique(), definition=pass_machine(), roleArn=ROLE, type="EXPRESS",
        loggingConfiguration=logging, tracingConfiguration={"enabled": True},
        encryptionConfiguration=encryption,
    )["stateMachineArn"]
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["type"] == "EXPRESS"
    assert described["loggingConfiguration"] == logging
    assert described["tracingConfiguration"] == {"enabled": True}
    assert described["encryptionConfiguration"] == encryption
    with pytest.raises(ClientError) as excinfo:
        sfn.create_state_machine(name=unique(), definition=pass_machine(), roleArn=ROLE,
                                 loggingConfiguration={"level": "ALL"})
    assert error_of(excinfo)[0] == "InvalidLoggingConfiguration"
    with pytest.raises(ClientError) as excinfo:
        sfn.create_state_machine(name=unique(), definition=pass_machine(), roleArn=ROLE,
                                 encryptionConfiguration={"type": "CUSTOMER_MANAGED_KMS_KEY"})
    assert error_of(excinfo)[0] == "InvalidEncryptionConfiguration"


def test_update_makes_revisions(sfn: Any) -> None:
    arn = sfn.create_state_machine(name=unique(), definition=pass_machine(1), roleArn=ROLE)["stateMachineArn"]
    with pytest.raises(ClientError) as excinfo:
        sfn.update_state_machine(stateMachineArn=arn)
    assert error_of(excinfo) == (
        "MissingRequiredParameter",
        "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified",
    )
    first = sfn.update_state_machine(stateMachineArn=arn, definition=pass_machine(2))
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["definition"] == pass_machine(2)
    assert described["revisionId"] == first["revisionId"]
    same = sfn.update_state_machine(stateMachineArn=arn, definition=pass_machine(2))
    assert same["revisionId"] == first["revisionId"]  # nothing changed: same revision
    role = sfn.update_state_machine(stateMachineArn=arn, roleArn=ROLE + "2")
    assert role["revisionId"] != first["revisionId"]
    assert sfn.describe_state_machine(stateMachineArn=arn)["roleArn"] == ROLE + "2"
    with pytest.raises(ClientError) as excinfo:
        sfn.update_state_machine(stateMachineArn=arn, definition='{"StartAt": "A"}')
    assert error_of(excinfo)[0] == "InvalidDefinition"
    with pytest.raises(ClientError) as excinfo:
        sfn.update_state_machine(stateMachineArn=arn + "-missing", roleArn=ROLE)
    assert error_of(excinfo) == (
        "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}-missing'"
    )


def test_invalid_arns(sfn: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_state_machine(stateMachineArn="not_a_valid_arn")
    assert error_of(excinfo) == ("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'")
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_state_machine(stateMachineArn="arn:aws:states:us-east-1:123456789012:activity:x")
    assert error_of(excinfo) == ("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: activity'")


def test_list_state_machines_pages(sfn: Any, server: Any) -> None:
    from serving import client

    # A region of its own, so other tests' machines do not show.
    west = client(server.endpoint, region="eu-west-3")
    names = sorted(unique("page") for _ in range(5))
    for name in names:
        west.create_state_machine(name=name, definition=pass_machine(), roleArn=ROLE)
    first = west.list_state_machines(maxResults=3)
    assert [m["name"] for m in first["stateMachines"]] == names[:3]
    assert all(m["stateMachineArn"].startswith("arn:aws:states:eu-west-3:") for m in first["stateMachines"])
    second = west.list_state_machines(maxResults=3, nextToken=first["nextToken"])
    assert [m["name"] for m in second["stateMachines"]] == names[3:]
    assert "nextToken" not in second
    assert {m["type"] for m in second["stateMachines"]} == {"STANDARD"}
    with pytest.raises(ClientError) as excinfo:
        west.list_state_machines(nextToken="not-a-token")
    assert error_of(excinfo)[0] == "InvalidToken"
    with pytest.raises(ClientError) as excinfo:
        west.list_state_machines(maxResults=1001)
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 1000",
    )
    # us-east-1 does not see them.
    listed = {m["name"] for m in sfn.list_state_machines(maxResults=1000)["stateMachines"]}
    assert not listed & set(names)


def test_validate_state_machine_definition(sfn: Any) -> None:
    ok = sfn.validate_state_machine_definition(definition=pass_machine())
    assert (ok["result"], ok["diagnostics"], ok["truncated"]) == ("OK", [], False)
    bad = sfn.validate_state_machine_definition(definition="{}")
    assert bad["result"] == "FAIL"
    assert bad["diagnostics"] == [{"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED",
                                   "message": "These fields are required: [States, StartAt]",
                                   "location": "/"}]
    two = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "X"},
                                                 "B": {"Type": "Pass", "Next": "Y"}}})
    full = sfn.validate_state_machine_definition(definition=two)
    assert len(full["diagnostics"]) >= 2
    one = sfn.validate_state_machine_definition(definition=two, maxResults=1)
    assert len(one["diagnostics"]) == 1 and one["truncated"] is True
    express = json.dumps({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": True}}})
    result = sfn.validate_state_machine_definition(definition=express, type="EXPRESS")
    assert result["diagnostics"] == [{
        "severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED",
        "message": "Express state machine does not support '.waitForTaskToken' service integration ",
        "location": "/States/T/Resource"}]
    assert sfn.validate_state_machine_definition(definition=express)["result"] == "OK"
