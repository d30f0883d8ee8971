"""Tags on state machines and activities: TagResource, UntagResource, ListTagsForResource.

https://docs.aws.amazon.com/step-functions/latest/apireference/API_TagResource.html
https://docs.aws.amazon.com/step-functions/latest/dg/sfn-best-practices.html#sfn-tagging
At most 50 tags a resource (TooManyTags).  Versions and aliases cannot be tagged: AWS answers
ResourceNotFound for a version ARN (recorded in LocalStack's test_tag_state_machine_version).
Tags are listed in the order they were first set.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from emulator.sfn import arns, errors
from emulator.sfn.context import Caller, Services
from emulator.store.schema import activities, state_machines, tags

MAX_TAGS = 50


def check(tag_list: list[dict[str, Any]], arn: str = "") -> None:
    if len({t["key"] for t in tag_list}) > MAX_TAGS:
        raise errors.too_many_tags(arn, MAX_TAGS)


def _current(conn: sa.Connection, arn: str) -> dict[str, str]:
    rows = conn.execute(
        sa.select(tags.c.key, tags.c.value).where(tags.c.resource_arn == arn).order_by(tags.c.seq)
    )
    return {r.key: r.value for r in rows}


def replace_all(conn: sa.Connection, arn: str, tag_list: list[dict[str, Any]]) -> None:
    conn.execute(tags.delete().where(tags.c.resource_arn == arn))
    merged: dict[str, str] = {}
    for tag in tag_list:
        merged[tag["key"]] = tag.get("value", "")
    _insert(conn, arn, merged, 0)


def _insert(conn: sa.Connection, arn: str, values: dict[str, str], start: int) -> None:
    if values:
        conn.execute(
            tags.insert(),
            [
                {"resource_arn": arn, "key": k, "value": v, "seq": start + i}
                for i, (k, v) in enumerate(values.items())
            ],
        )


def _require_taggable(conn: sa.Connection, arn: str) -> None:
    parsed = arns.parse(arn)
    if parsed.resource_type == "stateMachine" and len(parsed.parts) == 1:
        found = conn.execute(sa.select(state_machines.c.arn).where(state_machines.c.arn == arn))
    elif parsed.resource_type == "activity" and len(parsed.parts) == 1:
        found = conn.execute(sa.select(activities.c.arn).where(activities.c.arn == arn))
    elif parsed.resource_type in ("stateMachine", "activity"):
        raise errors.resource_not_found(arn)
    else:
        raise errors.invalid_resource_type(parsed.resource_type)
    if found.first() is None:
        raise errors.resource_not_found(arn)


def tag_resource(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    arn = p["resourceArn"]
    with svc.db.begin() as conn:
        _require_taggable(conn, arn)
        current = _current(conn, arn)
        new = {t["key"]: t.get("value", "") for t in p["tags"]}
        if len(current.keys() | new.keys()) > MAX_TAGS:
            raise errors.too_many_tags(arn, MAX_TAGS)
        for key, value in new.items():
            if key in current:
                conn.execute(
                    tags.update()
                    .where(tags.c.resource_arn == arn, tags.c.key == key)
                    .values(value=value)
                )
        added = {k: v for k, v in new.items() if k not in current}
        start = conn.execute(
            sa.select(sa.func.coalesce(sa.func.max(tags.c.seq), -1)).where(tags.c.resource_arn == arn)
        ).scalar_one()
        _insert(conn, arn, added, int(start) + 1)
    return {}


def untag_resource(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    arn = p["resourceArn"]
    with svc.db.begin() as conn:
        _require_taggable(conn, arn)
        if p["tagKeys"]:
            conn.execute(
                tags.delete().where(tags.c.resource_arn == arn, tags.c.key.in_(p["tagKeys"]))
            )
    return {}


def list_tags_for_resource(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    arn = p["resourceArn"]
    with svc.db.begin() as conn:
        _require_taggable(conn, arn)
        current = _current(conn, arn)
    return {"tags": [{"key": k, "value": v} for k, v in current.items()]}
