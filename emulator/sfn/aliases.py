"""State machine aliases: Create/Describe/Update/Delete/ListStateMachineAliases, and the
routing that picks a version when an execution starts through an alias.

https://docs.aws.amazon.com/step-functions/latest/dg/concepts-state-machine-alias.html
https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachineAlias.html
An alias routes to one or two versions of its state machine, with weights summing to 100;
at most 100 aliases a state machine.  Messages are AWS's, as recorded in LocalStack's
test_sfn_api_aliasing.snapshot.json.
"""

from __future__ import annotations

import json
import random
from typing import Any

import sqlalchemy as sa

from emulator.sfn import arns, errors, pagination, versions
from emulator.sfn.context import Caller, Services, aware
from emulator.store.schema import state_machine_aliases, state_machines

MAX_ALIASES = 100


def _check_routing(conn: sa.Connection, machine_arn: str, routes: list[dict[str, Any]]) -> None:
    listed = [r["stateMachineVersionArn"] for r in routes]
    received = f"[{', '.join(listed)}]"
    refs = []
    for text in listed:
        try:
            ref = arns.parse_machine(text, allow_alias=False)
        except errors.SfnError:
            ref = None
        if ref is None or ref.version is None:
            raise errors.ValidationError(
                f"Routing configuration must contain state machine version ARNs. Received: {received}",
                reason="INVALID_ROUTING_CONFIGURATION",
            )
        refs.append(ref)
    if len(set(listed)) != len(listed):
        raise errors.ValidationError(
            f"Routing configuration must contain distinct state machine version ARNs. Received: {received}",
            reason="INVALID_ROUTING_CONFIGURATION",
        )
    if any(ref.arn != machine_arn for ref in refs):
        # UNVERIFIED wording.
        raise errors.ValidationError(
            "Routing configuration must contain state machine version ARNs of the same state "
            f"machine. Received: {received}",
            reason="INVALID_ROUTING_CONFIGURATION",
        )
    weights = [int(r["weight"]) for r in routes]
    if sum(weights) != 100:
        raise errors.ValidationError(
            "Sum of routing configuration weights must equal 100. "
            f"Received: [{', '.join(str(w) for w in weights)}]",
            reason="INVALID_ROUTING_CONFIGURATION",
        )
    for text in listed:
        if versions.load(conn, text) is None:
            raise errors.resource_does_not_exist()


def _routes(routes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"stateMachineVersionArn": r["stateMachineVersionArn"], "weight": int(r["weight"])}
            for r in routes]


def _alias_ref(text: str) -> arns.MachineRef:
    ref = arns.parse_machine(text, allow_version=False)
    if ref.alias is None:
        raise errors.invalid_arn(f"Invalid ARN format: {text}")
    return ref


def load(conn: sa.Connection, arn: str) -> Any:
    return conn.execute(
        sa.select(state_machine_aliases).where(state_machine_aliases.c.arn == arn)
    ).first()


def create_state_machine_alias(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    name = p["name"]
    routes = _routes(p["routingConfiguration"])
    first = routes[0]["stateMachineVersionArn"]
    try:
        machine_arn = arns.parse_machine(first, allow_alias=False).arn
    except errors.SfnError:
        machine_arn = ""
    now = svc.now()
    with svc.db.begin() as conn:
        _check_routing(conn, machine_arn, routes)
        machine = conn.execute(
            sa.select(state_machines.c.status).where(state_machines.c.arn == machine_arn)
        ).first()
        if machine is None:
            raise errors.resource_does_not_exist()
        if machine.status != "ACTIVE":
            raise errors.state_machine_deleting(machine_arn)
        arn = arns.alias_arn(machine_arn, name)
        existing = load(conn, arn)
        if existing is not None:
            if (
                json.loads(existing.routing_configuration) == routes
                and existing.description == p.get("description")
            ):
                return {"stateMachineAliasArn": arn, "creationDate": aware(existing.creation_date)}
            raise errors.conflict(
                "Failed to create alias because an alias with the same name and a different "
                "routing configuration already exists."
            )
        count = conn.execute(
            sa.select(sa.func.count())
            .select_from(state_machine_aliases)
            .where(state_machine_aliases.c.state_machine_arn == machine_arn)
        ).scalar_one()
        if count >= MAX_ALIASES:
            raise errors.SfnError(
                "ServiceQuotaExceededException",
                f"The maximum number of aliases ({MAX_ALIASES}) for the state machine "
                f"'{machine_arn}' has been reached.",
            )
        conn.execute(
            state_machine_aliases.insert().values(
                arn=arn,
                state_machine_arn=machine_arn,
                name=name,
                description=p.get("description"),
                routing_configuration=json.dumps(routes),
                creation_date=now,
                update_date=now,
            )
        )
    return {"stateMachineAliasArn": arn, "creationDate": now}


def describe_state_machine_alias(
    svc: Services, caller: Caller, p: dict[str, Any]
) -> dict[str, Any]:
    arn = p["stateMachineAliasArn"]
    _alias_ref(arn)
    with svc.db.begin() as conn:
        row = load(conn, arn)
    if row is None:
        raise errors.resource_does_not_exist()
    out: dict[str, Any] = {
        "stateMachineAliasArn": row.arn,
        "name": row.name,
        "routingConfiguration": json.loads(row.routing_configuration),
        "creationDate": aware(row.creation_date),
        "updateDate": aware(row.update_date or row.creation_date),
    }
    if row.description is not None:
        out["description"] = row.description
    return out


def update_state_machine_alias(
    svc: Services, caller: Caller, p: dict[str, Any]
) -> dict[str, Any]:
    arn = p["stateMachineAliasArn"]
    ref = _alias_ref(arn)
    if p.get("description") is None and not p.get("routingConfiguration"):
        # UNVERIFIED wording.
        raise errors.ValidationError(
            "Either the description or the RoutingConfiguration must be specified",
            reason="MISSING_REQUIRED_PARAMETER",
        )
    now = svc.now()
    with svc.db.begin() as conn:
        row = load(conn, arn)
        if row is None:
            raise errors.resource_does_not_exist()
        values: dict[str, Any] = {"update_date": now}
        if p.get("routingConfiguration"):
            routes = _routes(p["routingConfiguration"])
            _check_routing(conn, ref.arn, routes)
            values["routing_configuration"] = json.dumps(routes)
        if p.get("description") is not None:
            values["description"] = p["description"]
        conn.execute(
            state_machine_aliases.update().where(state_machine_aliases.c.arn == arn).values(**values)
        )
    return {"updateDate": now}


def delete_state_machine_alias(
    svc: Services, caller: Caller, p: dict[str, Any]
) -> dict[str, Any]:
    arn = p["stateMachineAliasArn"]
    _alias_ref(arn)
    with svc.db.begin() as conn:
        conn.execute(state_machine_aliases.delete().where(state_machine_aliases.c.arn == arn))
    return {}


def list_state_machine_aliases(
    svc: Services, caller: Caller, p: dict[str, Any]
) -> dict[str, Any]:
    """In creation order (recorded in LocalStack's test_base_lifecycle_create_delete_list)."""
    text = p["stateMachineArn"]
    ref = arns.parse_machine(text, allow_alias=False)
    scope = f"ListStateMachineAliases:{ref.arn}"
    offset = int(pagination.decode(scope, p.get("nextToken")) or 0)
    size = pagination.page_size(p.get("maxResults"))
    with svc.db.begin() as conn:
        machine = conn.execute(
            sa.select(state_machines.c.status).where(state_machines.c.arn == ref.arn)
        ).first()
        if machine is None:
            raise errors.state_machine_does_not_exist(text)
        if machine.status != "ACTIVE":
            raise errors.state_machine_deleting(ref.arn)
        rows = conn.execute(
            sa.select(state_machine_aliases)
            .where(state_machine_aliases.c.state_machine_arn == ref.arn)
            .order_by(state_machine_aliases.c.creation_date, state_machine_aliases.c.name)
            .offset(offset)
            .limit(size + 1)
        ).all()
    if ref.version is not None:
        version = f"{ref.arn}:{ref.version}"
        rows = [
            r for r in rows
            if any(x["stateMachineVersionArn"] == version
                   for x in json.loads(r.routing_configuration))
        ]
    out: dict[str, Any] = {
        "stateMachineAliases": [
            {"stateMachineAliasArn": r.arn, "creationDate": aware(r.creation_date)}
            for r in rows[:size]
        ]
    }
    if len(rows) > size:
        out["nextToken"] = pagination.encode(scope, offset + size)
    return out


def route(conn: sa.Connection, alias_arn: str) -> tuple[str, Any]:
    """(version ARN, alias row) for an execution started through the alias: a version
    drawn by the routing weights."""
    row = load(conn, alias_arn)
    if row is None:
        raise errors.state_machine_does_not_exist(alias_arn)
    routes = json.loads(row.routing_configuration)
    draw = random.random() * 100
    for item in routes:
        draw -= item["weight"]
        if draw < 0:
            return item["stateMachineVersionArn"], row
    return routes[-1]["stateMachineVersionArn"], row
