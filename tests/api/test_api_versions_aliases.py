"""Versions and aliases through boto3: publishing (on create, on update, explicitly),
listing newest first, deleting, revision conflicts, aliases and their routing."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from botocore.exceptions import ClientError
from serving import ROLE, error_of, pass_machine, unique


def test_publish_on_create_and_update(sfn: Any) -> None:
    created = sfn.create_state_machine(
        name=unique(), definition=pass_machine(1), roleArn=ROLE, publish=True, versionDescription="first"
    )
    arn = created["stateMachineArn"]
    assert created["stateMachineVersionArn"] == f"{arn}:1"
    version = sfn.describe_state_machine(stateMachineArn=f"{arn}:1")
    assert version["stateMachineArn"] == f"{arn}:1"
    assert version["description"] == "first"
    assert version["definition"] == pass_machine(1)
    updated = sfn.update_state_machine(stateMachineArn=arn, definition=pass_machine(2), publish=True)
    assert updated["stateMachineVersionArn"] == f"{arn}:2"
    v2 = sfn.describe_state_machine(stateMachineArn=f"{arn}:2")
    assert v2["revisionId"] == updated["revisionId"]
    assert v2["definition"] == pass_machine(2)
    listed = sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in listed] == [f"{arn}:2", f"{arn}:1"]
    with pytest.raises(ClientError) as excinfo:
        sfn.create_state_machine(name=unique(), definition=pass_machine(), roleArn=ROLE,
                                 versionDescription="no publish")
    assert error_of(excinfo) == (
        "ValidationException", "Version description can only be set when publish is true"
    )


def test_publish_is_idempotent_and_checks_the_revision(sfn: Any) -> None:
    arn = sfn.create_state_machine(name=unique(), definition=pass_machine(1), roleArn=ROLE)["stateMachineArn"]
    first = sfn.publish_state_machine_version(stateMachineArn=arn, revisionId="INITIAL")
    assert first["stateMachineVersionArn"] == f"{arn}:1"
    again = sfn.publish_state_machine_version(stateMachineArn=arn, description="ignored")
    assert again["stateMachineVersionArn"] == f"{arn}:1"
    old = sfn.update_state_machine(stateMachineArn=arn, definition=pass_machine(2))["revisionId"]
    new = sfn.update_state_machine(stateMachineArn=arn, definition=pass_machine(3))["revisionId"]
    with pytest.raises(ClientError) as excinfo:
        sfn.publish_state_machine_version(stateMachineArn=arn, revisionId=old)
    assert error_of(excinfo) == (
        "ConflictException",
        f"Failed to publish the State Machine version for revision {old}. "
        f"The current State Machine revision is {new}.",
    )
    published = sfn.publish_state_machine_version(stateMachineArn=arn, revisionId=new)
    assert published["stateMachineVersionArn"] == f"{arn}:2"


def test_version_numbers_are_never_reused(sfn: Any) -> None:
    arn = sfn.create_state_machine(name=unique(), definition=pass_machine(1), roleArn=ROLE,
                                   publish=True)["stateMachineArn"]
    sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:1")
    sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:1")  # again: still fine
    assert sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"] == []
    sfn.update_state_machine(stateMachineArn=arn, definition=pass_machine(2))
    assert sfn.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"] == f"{arn}:2"
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_state_machine(stateMachineArn=f"{arn}:1")
    assert error_of(excinfo) == ("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}:1'")


def test_list_versions_pages(sfn: Any) -> None:
    arn = sfn.create_state_machine(name=unique(), definition=pass_machine(0), roleArn=ROLE,
                                   publish=True)["stateMachineArn"]
    for n in range(1, 4):
        sfn.update_state_machine(stateMachineArn=arn, definition=pass_machine(n), publish=True)
    page = sfn.list_state_machine_versions(stateMachineArn=arn, maxResults=3)
    assert [v["stateMachineVersionArn"] for v in page["stateMachineVersions"]] == [
        f"{arn}:4", f"{arn}:3", f"{arn}:2"]
    rest = sfn.list_state_machine_versions(stateMachineArn=arn, maxResults=3, nextToken=page["nextToken"])
    assert [v["stateMachineVersionArn"] for v in rest["stateMachineVersions"]] == [f"{arn}:1"]


def _machine_with_versions(sfn: Any) -> str:
    arn: str = sfn.create_state_machine(name=unique(), definition=pass_machine("v1"), roleArn=ROLE,
                                        publish=True)["stateMachineArn"]
    sfn.update_state_machine(stateMachineArn=arn, definition=pass_machine("v2"), publish=True)
    return arn


def test_alias_lifecycle(sfn: Any) -> None:
    arn = _machine_with_versions(sfn)
    routing = [{"stateMachineVersionArn": f"{arn}:1", "weight": 100}]
    created = sfn.create_state_machine_alias(name="live", routingConfiguration=routing, description="d")
    alias = created["stateMachineAliasArn"]
    assert alias == f"{arn}:live"
    again = sfn.create_state_machine_alias(name="live", routingConfiguration=routing, description="d")
    assert again == {**again, "stateMachineAliasArn": alias, "creationDate": created["creationDate"]}
    with pytest.raises(ClientError) as excinfo:
        sfn.create_state_machine_alias(
            name="live", routingConfiguration=[{"stateMachineVersionArn": f"{arn}:2", "weight": 100}])
    assert error_of(excinfo) == (
        "ConflictException",
        "Failed to create alias because an alias with the same name and a different routing "
        "configuration already exists.",
    )
    described = sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert described["name"] == "live"
    assert described["description"] == "d"
    assert described["routingConfiguration"] == routing
    sfn.update_state_machine_alias(
        stateMachineAliasArn=alias,
        routingConfiguration=[{"stateMachineVersionArn": f"{arn}:1", "weight": 50},
                              {"stateMachineVersionArn": f"{arn}:2", "weight": 50}],
    )
    assert len(sfn.describe_state_machine_alias(stateMachineAliasArn=alias)["routingConfiguration"]) == 2
    with pytest.raises(ClientError) as excinfo:
        sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:2")
    assert error_of(excinfo) == (
        "ConflictException",
        "Version to be deleted must not be referenced by an alias. Current list of aliases "
        "referencing this version: [live]",
    )
    listed = sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"]
    assert [a["stateMachineAliasArn"] for a in listed] == [alias]
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)  # deleting again is fine
    assert sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"] == []
    with pytest.raises(ClientError) as excinfo:
        sfn.update_state_machine_alias(stateMachineAliasArn=alias, description="x")
    assert error_of(excinfo) == ("ResourceNotFound", "Request references a resource that does not exist.")
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert error_of(excinfo)[0] == "ResourceNotFound"


def test_alias_routing_errors(sfn: Any) -> None:
    arn = _machine_with_versions(sfn)
    cases = [
        ([{"stateMachineVersionArn": arn, "weight": 100}],
         f"Routing configuration must contain state machine version ARNs. Received: [{arn}]"),
        ([{"stateMachineVersionArn": f"{arn}:1", "weight": 50}, {"stateMachineVersionArn": f"{arn}:1", "weight": 50}],
         f"Routing configuration must contain distinct state machine version ARNs. Received: [{arn}:1, {arn}:1]"),
        ([{"stateMachineVersionArn": f"{arn}:1", "weight": 70}, {"stateMachineVersionArn": f"{arn}:2", "weight": 29}],
         "Sum of routing configuration weights must equal 100. Received: [70, 29]"),
        ([{"stateMachineVersionArn": f"{arn}:1", "weight": 101}],
         "1 validation error detected: Value '101' at 'routingConfiguration.1.member.weight' failed to "
         "satisfy constraint: Member must have value less than or equal to 100"),
    ]
    for routing, message in cases:
        with pytest.raises(ClientError) as excinfo:
            sfn.create_state_machine_alias(name="a", routingConfiguration=routing)
        assert error_of(excinfo) == ("ValidationException", message)
    three = [{"stateMachineVersionArn": f"{arn}:{n}", "weight": w} for n, w in ((1, 50), (2, 30), (3, 20))]
    with pytest.raises(ClientError) as excinfo:
        sfn.create_state_machine_alias(name="a", routingConfiguration=three)
    assert error_of(excinfo)[1] == (
        "1 validation error detected: Value '[RoutingConfigurationListItem(stateMachineVersionArn="
        f"{arn}:1, weight=50), RoutingConfigurationListItem(stateMachineVersionArn={arn}:2, weight=30), "
        f"RoutingConfigurationListItem(stateMachineVersionArn={arn}:3, weight=20)]' at "
        "'routingConfiguration' failed to satisfy constraint: Member must have length less than or equal to 2"
    )
    with pytest.raises(ClientError) as excinfo:
        sfn.create_state_machine_alias(name="123", routingConfiguration=cases[2][0][:1])
    assert error_of(excinfo)[1] == (
        "1 validation error detected: Value '123' at 'name' failed to satisfy constraint: Member must "
        "satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$"
    )


def test_starting_through_an_alias_follows_the_weights(sfn: Any) -> None:
    arn = _machine_with_versions(sfn)
    alias = sfn.create_state_machine_alias(
        name="split",
        routingConfiguration=[{"stateMachineVersionArn": f"{arn}:1", "weight": 80},
                              {"stateMachineVersionArn": f"{arn}:2", "weight": 20}],
    )["stateMachineAliasArn"]
    seen: Counter[str] = Counter()
    for _ in range(60):
        execution = sfn.start_execution(stateMachineArn=alias)["executionArn"]
        described = sfn.describe_execution(executionArn=execution)
        assert described["stateMachineAliasArn"] == alias
        assert described["stateMachineArn"] == arn
        seen[described["stateMachineVersionArn"]] += 1
        if described["status"] == "SUCCEEDED":
            expected = '"v1"' if described["stateMachineVersionArn"].endswith(":1") else '"v2"'
            assert described["output"] == expected
    assert set(seen) == {f"{arn}:1", f"{arn}:2"}
    assert seen[f"{arn}:1"] > seen[f"{arn}:2"]
    by_alias = sfn.list_executions(stateMachineArn=alias, maxResults=1000)["executions"]
    assert len(by_alias) == 60
    by_version = sfn.list_executions(stateMachineArn=f"{arn}:2", maxResults=1000)["executions"]
    assert len(by_version) == seen[f"{arn}:2"]
    assert all(e["stateMachineVersionArn"] == f"{arn}:2" for e in by_version)


def test_delete_state_machine_removes_versions_and_aliases(sfn: Any) -> None:
    arn = _machine_with_versions(sfn)
    alias = sfn.create_state_machine_alias(
        name="gone", routingConfiguration=[{"stateMachineVersionArn": f"{arn}:1", "weight": 100}]
    )["stateMachineAliasArn"]
    sfn.delete_state_machine(stateMachineArn=arn)
    for target in (f"{arn}:1", f"{arn}:2", arn):
        with pytest.raises(ClientError) as excinfo:
            sfn.describe_state_machine(stateMachineArn=target)
        assert error_of(excinfo)[0] == "StateMachineDoesNotExist"
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert error_of(excinfo)[0] == "ResourceNotFound"
