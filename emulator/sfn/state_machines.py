"""State machines: CreateStateMachine, DescribeStateMachine, UpdateStateMachine,
DeleteStateMachine, ListStateMachines, DescribeStateMachineForExecution.

https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html
https://docs.aws.amazon.com/step-functions/latest/apireference/API_UpdateStateMachine.html
https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeStateMachine.html
https://docs.aws.amazon.com/step-functions/latest/apireference/API_DeleteStateMachine.html
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from emulator.sfn import arns, configuration, errors, pagination, tags, versions
from emulator.sfn.context import Caller, Services, aware
from emulator.sfn.validation import compile_definition
from emulator.store.schema import state_machine_aliases, state_machine_versions, state_machines

# AWS leaves revisionId out until the first update; PublishStateMachineVersion accepts
# "INITIAL" for that state (API_PublishStateMachineVersion.html, revisionId).
NO_REVISION = ""


@dataclass(frozen=True)
class Machine:
    arn: str
    name: str
    type: str
    status: str
    definition: str
    role_arn: str
    revision_id: str
    logging: dict[str, Any]
    tracing: dict[str, Any]
    encryption: dict[str, Any] | None
    creation_date: datetime
    update_date: datetime | None

    @classmethod
    def from_row(cls, row: Any) -> Machine:
        return cls(
            arn=row.arn,
            name=row.name,
            type=row.type,
            status=row.status,
            definition=row.definition,
            role_arn=row.role_arn,
            revision_id=row.revision_id,
            **configuration.stored(row),
            creation_date=aware(row.creation_date),
            update_date=aware(row.update_date),
        )


def load(conn: sa.Connection, arn: str) -> Machine | None:
    row = conn.execute(sa.select(state_machines).where(state_machines.c.arn == arn)).first()
    return Machine.from_row(row) if row is not None else None


def require(conn: sa.Connection, arn: str, shown: str | None = None) -> Machine:
    machine = load(conn, arn)
    if machine is None:
        raise errors.state_machine_does_not_exist(shown or arn)
    return machine


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, separators=(",", ":"))


# ----------------------------------------------------------------------------- create


def create_state_machine(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    name = p["name"]
    arns.check_name(name)
    machine_type = p.get("type", "STANDARD")
    logging = configuration.logging(p.get("loggingConfiguration"))
    tracing = configuration.tracing(p.get("tracingConfiguration"))
    encryption = configuration.encryption(p.get("encryptionConfiguration"))
    publish = bool(p.get("publish", False))
    description = p.get("versionDescription")
    if description is not None and not publish:
        raise errors.ValidationError("Version description can only be set when publish is true")
    tag_list = p.get("tags") or []
    tags.check(tag_list)
    compile_definition(p["definition"], machine_type)
    arn = arns.machine_arn(caller.region, caller.account, name)
    now = svc.now()
    with svc.db.begin() as conn:
        existing = load(conn, arn)
        if existing is not None:
            return _idempotent_create(conn, existing, p, machine_type, logging, tracing, encryption)
        conn.execute(
            state_machines.insert().values(
                arn=arn,
                name=name,
                type=machine_type,
                status="ACTIVE",
                definition=p["definition"],
                role_arn=p["roleArn"],
                revision_id=NO_REVISION,
                description=None,
                logging_configuration=_dumps(logging),
                tracing_configuration=_dumps(tracing),
                encryption_configuration=_dumps(encryption),
                creation_date=now,
                update_date=None,
                next_version=1,
            )
        )
        tags.replace_all(conn, arn, tag_list)
        out: dict[str, Any] = {"stateMachineArn": arn, "creationDate": now}
        if publish:
            machine = require(conn, arn)
            out["stateMachineVersionArn"] = versions.publish(conn, machine, description, now)[0]
    return out


def _idempotent_create(
    conn: sa.Connection,
    existing: Machine,
    p: dict[str, Any],
    machine_type: str,
    logging: dict[str, Any],
    tracing: dict[str, Any],
    encryption: dict[str, Any] | None,
) -> dict[str, Any]:
    """CreateStateMachine "is an idempotent API ... based on the state machine name,
    definition, type, LoggingConfiguration, TracingConfiguration, and
    EncryptionConfiguration ... also based on the publish and versionDescription
    parameters"; roleArn and tags are ignored (API_CreateStateMachine.html).  The definition
    is compared as text: AWS refuses the same definition formatted differently (recorded in
    LocalStack's test_create_duplicate_definition_format_sm)."""
    same = (
        existing.status == "ACTIVE"
        and existing.definition == p["definition"]
        and existing.type == machine_type
        and existing.logging == logging
        and existing.tracing == tracing
        and existing.encryption == encryption
    )
    if existing.status != "ACTIVE":
        raise errors.state_machine_deleting(existing.arn)
    if not same:
        raise errors.state_machine_already_exists(existing.arn)
    out: dict[str, Any] = {"stateMachineArn": existing.arn, "creationDate": existing.creation_date}
    if p.get("publish"):
        latest = versions.latest(conn, existing.arn)
        if (
            latest is None
            or latest.revision_id != existing.revision_id
            or latest.description != p.get("versionDescription")
        ):
            raise errors.state_machine_already_exists(existing.arn)
        out["stateMachineVersionArn"] = latest.arn
    return out


# ----------------------------------------------------------------------------- describe


def describe(machine: Machine) -> dict[str, Any]:
    out: dict[str, Any] = {
        "stateMachineArn": machine.arn,
        "name": machine.name,
        "status": machine.status,
        "definition": machine.definition,
        "roleArn": machine.role_arn,
        "type": machine.type,
        "creationDate": machine.creation_date,
        "loggingConfiguration": machine.logging,
        "tracingConfiguration": machine.tracing,
    }
    if machine.revision_id != NO_REVISION:
        out["revisionId"] = machine.revision_id
    if machine.encryption is not None:
        out["encryptionConfiguration"] = machine.encryption
    return out


def describe_state_machine(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    text = p["stateMachineArn"]
    ref = _parse_unlabelled(text)
    with svc.db.begin() as conn:
        if ref.version is not None:
            version = versions.load(conn, arns.version_arn(ref.arn, ref.version))
            machine = load(conn, ref.arn)
            if version is None or machine is None:
                raise errors.state_machine_does_not_exist(text)
            return versions.describe(version, machine)
        if ref.alias is not None:
            raise errors.state_machine_does_not_exist(text)
        return describe(require(conn, ref.arn, text))


def _parse_unlabelled(text: str) -> arns.MachineRef:
    ref = arns.parse_machine(text)
    if "/" in text.rsplit(":", 1)[-1]:
        raise errors.ValidationError(
            "This API does not support labeled ARNs.", reason="API_DOES_NOT_SUPPORT_LABELED_ARNS"
        )
    return ref


# ----------------------------------------------------------------------------- update


def update_state_machine(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    text = p["stateMachineArn"]
    ref = arns.parse_machine(text, allow_version=False, allow_alias=False)
    changes = [k for k in ("definition", "roleArn", "loggingConfiguration", "tracingConfiguration",
                           "encryptionConfiguration") if p.get(k) is not None]
    publish = bool(p.get("publish", False))
    description = p.get("versionDescription")
    if not changes and not publish:
        # Recorded from AWS in LocalStack's test_create_update_state_machine_base_update_none.
        raise errors.missing_required_parameter(
            "Either the definition, the role ARN, the LoggingConfiguration, "
            "or the TracingConfiguration must be specified"
        )
    if description is not None and not publish:
        raise errors.ValidationError("Version description can only be set when publish is true")
    now = svc.now()
    with svc.db.begin() as conn:
        machine = require(conn, ref.arn, text)
        if machine.status != "ACTIVE":
            raise errors.state_machine_deleting(machine.arn)
        definition = p.get("definition", machine.definition)
        if "definition" in p:
            compile_definition(definition, machine.type)
        values: dict[str, Any] = {
            "definition": definition,
            "role_arn": p.get("roleArn", machine.role_arn),
            "logging_configuration": _dumps(
                configuration.logging(p["loggingConfiguration"])
                if "loggingConfiguration" in p
                else machine.logging
            ),
            "tracing_configuration": _dumps(
                configuration.tracing(p["tracingConfiguration"])
                if "tracingConfiguration" in p
                else machine.tracing
            ),
            "encryption_configuration": _dumps(
                configuration.encryption(p["encryptionConfiguration"])
                if "encryptionConfiguration" in p
                else machine.encryption
            ),
        }
        current = {
            "definition": machine.definition,
            "role_arn": machine.role_arn,
            "logging_configuration": _dumps(machine.logging),
            "tracing_configuration": _dumps(machine.tracing),
            "encryption_configuration": _dumps(machine.encryption),
        }
        revision = machine.revision_id
        if values != current:
            # A new revision only when something changed: an update with the same
            # parameters keeps the revision (recorded in LocalStack's
            # test_create_update_state_machine_same_parameters).
            revision = str(uuid.uuid4())
            values["revision_id"] = revision
            values["update_date"] = now
            conn.execute(
                state_machines.update().where(state_machines.c.arn == machine.arn).values(**values)
            )
        out: dict[str, Any] = {"updateDate": now}
        if revision != NO_REVISION:
            out["revisionId"] = revision
        if publish:
            machine = require(conn, machine.arn)
            out["stateMachineVersionArn"] = versions.publish(conn, machine, description, now)[0]
    return out


# ----------------------------------------------------------------------------- delete


async def delete_state_machine(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """Deletes the machine with its versions, aliases and tags.  AWS terminates the
    machine's running executions "on the next state transition"; Stepline stops them now
    (ABORTED), so the machine is gone at once.  Deleting a missing machine succeeds
    (recorded in LocalStack's test_delete_nonexistent_sm)."""
    text = p["stateMachineArn"]
    ref = _parse_unlabelled(text)
    if ref.qualified:
        raise errors.ValidationError(
            f"Invalid Arn: 'Qualified state machine ARNs are not supported: {text}'"
        )
    with svc.db.begin() as conn:
        if load(conn, ref.arn) is None:
            return {}
        conn.execute(
            state_machines.update().where(state_machines.c.arn == ref.arn).values(status="DELETING")
        )
    for _, record in svc.executions.list(state_machine_arn=ref.arn, status="RUNNING", limit=100000):
        await svc.executions.stop_execution(record.arn, None, None)
    with svc.db.begin() as conn:
        version_arns = [
            r.arn
            for r in conn.execute(
                sa.select(state_machine_versions.c.arn).where(
                    state_machine_versions.c.state_machine_arn == ref.arn
                )
            )
        ]
        for arn in [ref.arn, *version_arns]:
            tags.replace_all(conn, arn, [])
        conn.execute(
            state_machine_aliases.delete().where(state_machine_aliases.c.state_machine_arn == ref.arn)
        )
        conn.execute(
            state_machine_versions.delete().where(
                state_machine_versions.c.state_machine_arn == ref.arn
            )
        )
        conn.execute(state_machines.delete().where(state_machines.c.arn == ref.arn))
    return {}


# ----------------------------------------------------------------------------- list


def list_state_machines(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """Sorted by name, as AWS lists them (UNVERIFIED: the order is not documented)."""
    scope = f"ListStateMachines:{caller.region}:{caller.account}"
    after = pagination.decode(scope, p.get("nextToken"))
    size = pagination.page_size(p.get("maxResults"))
    prefix = arns.machine_arn(caller.region, caller.account, "")
    query = (
        sa.select(
            state_machines.c.arn,
            state_machines.c.name,
            state_machines.c.type,
            state_machines.c.creation_date,
        )
        .where(state_machines.c.arn.startswith(prefix, autoescape=True))
        .order_by(state_machines.c.name)
        .limit(size + 1)
    )
    if after is not None:
        query = query.where(state_machines.c.name > str(after))
    with svc.db.begin() as conn:
        rows = conn.execute(query).all()
    out: dict[str, Any] = {
        "stateMachines": [
            {
                "stateMachineArn": r.arn,
                "name": r.name,
                "type": r.type,
                "creationDate": aware(r.creation_date),
            }
            for r in rows[:size]
        ]
    }
    if len(rows) > size:
        out["nextToken"] = pagination.encode(scope, rows[size - 1].name)
    return out


# ----------------------------------------------------------------------------- for execution


def describe_for_execution(
    svc: Services, definition: str, machine_arn: str, version_arn: str | None, role_arn: str
) -> dict[str, Any]:
    """DescribeStateMachineForExecution: the definition the execution runs, with the
    machine's configuration (the recorded AWS shape has no status, type or creationDate)."""
    with svc.db.begin() as conn:
        machine = load(conn, machine_arn)
        version = versions.load(conn, version_arn) if version_arn else None
    name = machine_arn.rsplit(":", 1)[-1]
    out: dict[str, Any] = {
        "stateMachineArn": machine_arn,
        "name": name,
        "definition": definition,
        "roleArn": role_arn,
    }
    if machine is not None:
        out["loggingConfiguration"] = machine.logging
        out["tracingConfiguration"] = machine.tracing
        out["updateDate"] = machine.update_date or machine.creation_date
        revision = version.revision_id if version is not None else machine.revision_id
        if revision != NO_REVISION:
            out["revisionId"] = revision
        if machine.encryption is not None:
            out["encryptionConfiguration"] = machine.encryption
    else:
        out["updateDate"] = None
    return {k: v for k, v in out.items() if v is not None}

