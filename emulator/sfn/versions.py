"""State machine versions: PublishStateMachineVersion, ListStateMachineVersions,
DeleteStateMachineVersion, and publishing on create/update.

https://docs.aws.amazon.com/step-functions/latest/dg/concepts-state-machine-version.html
https://docs.aws.amazon.com/step-functions/latest/apireference/API_PublishStateMachineVersion.html
Versions are numbered 1, 2, ... and a number is never reused, even after a deletion; publishing
is idempotent per revision; at most 1,000 versions a state machine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from emulator.sfn import arns, configuration, errors, pagination
from emulator.sfn.context import Caller, Services, aware
from emulator.store.schema import state_machine_aliases, state_machine_versions, state_machines

if TYPE_CHECKING:
    from emulator.sfn.state_machines import Machine

MAX_VERSIONS = 1000


@dataclass(frozen=True)
class Version:
    arn: str
    machine_arn: str
    number: int
    definition: str
    role_arn: str
    revision_id: str
    description: str | None
    logging: dict[str, Any]
    tracing: dict[str, Any]
    encryption: dict[str, Any] | None
    creation_date: datetime

    @classmethod
    def from_row(cls, row: Any) -> Version:
        return cls(
            arn=row.arn,
            machine_arn=row.state_machine_arn,
            number=row.number,
            definition=row.definition,
            role_arn=row.role_arn,
            revision_id=row.revision_id,
            description=row.description,
            **configuration.stored(row),
            creation_date=aware(row.creation_date),
        )


def load(conn: sa.Connection, arn: str) -> Version | None:
    row = conn.execute(
        sa.select(state_machine_versions).where(state_machine_versions.c.arn == arn)
    ).first()
    return Version.from_row(row) if row is not None else None


def latest(conn: sa.Connection, machine_arn: str) -> Version | None:
    row = conn.execute(
        sa.select(state_machine_versions)
        .where(state_machine_versions.c.state_machine_arn == machine_arn)
        .order_by(state_machine_versions.c.number.desc())
        .limit(1)
    ).first()
    return Version.from_row(row) if row is not None else None


def publish(
    conn: sa.Connection, machine: Machine, description: str | None, now: datetime
) -> tuple[str, datetime]:
    """(version ARN, creation date): the existing version of the current revision, or a
    new one.  "PublishStateMachineVersion is an idempotent API ... If you don't specify a
    revisionId, Step Functions checks for a previously published version of the state
    machine's current revision" (API_PublishStateMachineVersion.html)."""
    same = conn.execute(
        sa.select(state_machine_versions)
        .where(
            state_machine_versions.c.state_machine_arn == machine.arn,
            state_machine_versions.c.revision_id == machine.revision_id,
            state_machine_versions.c.definition == machine.definition,
        )
        .order_by(state_machine_versions.c.number.desc())
        .limit(1)
    ).first()
    if same is not None:
        return same.arn, aware(same.creation_date)
    count = conn.execute(
        sa.select(sa.func.count())
        .select_from(state_machine_versions)
        .where(state_machine_versions.c.state_machine_arn == machine.arn)
    ).scalar_one()
    if count >= MAX_VERSIONS:
        raise errors.SfnError(
            "ServiceQuotaExceededException",
            f"The maximum number of versions ({MAX_VERSIONS}) for the state machine "
            f"'{machine.arn}' has been reached.",
        )
    number = conn.execute(
        sa.select(state_machines.c.next_version).where(state_machines.c.arn == machine.arn)
    ).scalar_one()
    arn = arns.version_arn(machine.arn, number)
    conn.execute(
        state_machine_versions.insert().values(
            arn=arn,
            state_machine_arn=machine.arn,
            number=number,
            definition=machine.definition,
            role_arn=machine.role_arn,
            revision_id=machine.revision_id,
            description=description,
            logging_configuration=json.dumps(machine.logging, sort_keys=True),
            tracing_configuration=json.dumps(machine.tracing, sort_keys=True),
            encryption_configuration=json.dumps(machine.encryption, sort_keys=True)
            if machine.encryption is not None
            else None,
            creation_date=now,
        )
    )
    conn.execute(
        state_machines.update()
        .where(state_machines.c.arn == machine.arn)
        .values(next_version=number + 1)
    )
    return arn, now


def describe(version: Version, machine: Machine) -> dict[str, Any]:
    """DescribeStateMachine for a version ARN: the version's own definition, role,
    description and revision (recorded in LocalStack's test_sfn_api_versioning)."""
    out: dict[str, Any] = {
        "stateMachineArn": version.arn,
        "name": machine.name,
        "status": machine.status,
        "definition": version.definition,
        "roleArn": version.role_arn,
        "type": machine.type,
        "creationDate": version.creation_date,
        "loggingConfiguration": version.logging,
        "tracingConfiguration": version.tracing,
    }
    if version.description is not None:
        out["description"] = version.description
    if version.revision_id:
        out["revisionId"] = version.revision_id
    if version.encryption is not None:
        out["encryptionConfiguration"] = version.encryption
    return out


def publish_state_machine_version(
    svc: Services, caller: Caller, p: dict[str, Any]
) -> dict[str, Any]:
    from emulator.sfn.state_machines import NO_REVISION, require

    text = p["stateMachineArn"]
    ref = arns.parse_machine(text, allow_version=False, allow_alias=False)
    with svc.db.begin() as conn:
        machine = require(conn, ref.arn, text)
        if machine.status != "ACTIVE":
            raise errors.state_machine_deleting(machine.arn)
        wanted = p.get("revisionId")
        current = machine.revision_id or "INITIAL"
        if wanted is not None and wanted != current and not (
            wanted == "INITIAL" and machine.revision_id == NO_REVISION
        ):
            # Recorded from AWS in LocalStack's test_publish_state_machine_version.
            raise errors.conflict(
                f"Failed to publish the State Machine version for revision {wanted}. "
                f"The current State Machine revision is {current}."
            )
        arn, created = publish(conn, machine, p.get("description"), svc.now())
    return {"stateMachineVersionArn": arn, "creationDate": created}


def list_state_machine_versions(
    svc: Services, caller: Caller, p: dict[str, Any]
) -> dict[str, Any]:
    """Newest first (ListStateMachineVersions: "sorted in descending order of the version
    creation time")."""
    text = p["stateMachineArn"]
    ref = arns.parse_machine(text, allow_version=False, allow_alias=False)
    scope = f"ListStateMachineVersions:{ref.arn}"
    before = pagination.decode(scope, p.get("nextToken"))
    size = pagination.page_size(p.get("maxResults"))
    query = (
        sa.select(state_machine_versions.c.arn, state_machine_versions.c.number,
                  state_machine_versions.c.creation_date)
        .where(state_machine_versions.c.state_machine_arn == ref.arn)
        .order_by(state_machine_versions.c.number.desc())
        .limit(size + 1)
    )
    if before is not None:
        query = query.where(state_machine_versions.c.number < int(before))
    with svc.db.begin() as conn:
        rows = conn.execute(query).all()
    out: dict[str, Any] = {
        "stateMachineVersions": [
            {"stateMachineVersionArn": r.arn, "creationDate": aware(r.creation_date)}
            for r in rows[:size]
        ]
    }
    if len(rows) > size:
        out["nextToken"] = pagination.encode(scope, rows[size - 1].number)
    return out


def delete_state_machine_version(
    svc: Services, caller: Caller, p: dict[str, Any]
) -> dict[str, Any]:
    """Deleting a version an alias routes to is a ConflictException; deleting a missing
    version succeeds (both recorded in LocalStack's aliasing and versioning snapshots).
    Running executions of the version are not affected."""
    text = p["stateMachineVersionArn"]
    ref = arns.parse_machine(text, allow_alias=False)
    if ref.version is None:
        raise errors.ValidationError(
            f"Invalid Arn: 'The state machine ARN is not a version ARN: {text}'"
        )
    with svc.db.begin() as conn:
        referencing = []
        for row in conn.execute(
            sa.select(state_machine_aliases.c.name, state_machine_aliases.c.routing_configuration)
            .where(state_machine_aliases.c.state_machine_arn == ref.arn)
            .order_by(state_machine_aliases.c.creation_date)
        ):
            routes = json.loads(row.routing_configuration)
            if any(r["stateMachineVersionArn"] == text for r in routes):
                referencing.append(row.name)
        if referencing:
            raise errors.conflict(
                "Version to be deleted must not be referenced by an alias. Current list of "
                f"aliases referencing this version: [{', '.join(referencing)}]"
            )
        conn.execute(state_machine_versions.delete().where(state_machine_versions.c.arn == text))
    return {}
