"""Activities: CreateActivity, DescribeActivity, DeleteActivity, ListActivities,
GetActivityTask.

https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateActivity.html
CreateActivity is idempotent by name (recorded in LocalStack's
test_create_describe_delete_activity: the same ARN and creation date come back); deleting a
missing activity succeeds.  GetActivityTask long-polls the task queue
(``emulator.activities``): with no task to hand out it answers without a taskToken after the
poll time (AWS: 60 seconds).
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from emulator.sfn import arns, configuration, errors, pagination, tags
from emulator.sfn.context import Caller, Services, aware
from emulator.store.schema import activities

MAX_ACTIVITY_WORKERS = 1000
_pollers: dict[str, int] = {}


def create_activity(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    name = p["name"]
    arns.check_name(name)
    tag_list = p.get("tags") or []
    tags.check(tag_list)
    encryption = configuration.encryption(p.get("encryptionConfiguration"))
    arn = arns.activity_arn(caller.region, caller.account, name)
    now = svc.now()
    with svc.db.begin() as conn:
        row = conn.execute(sa.select(activities).where(activities.c.arn == arn)).first()
        if row is not None:
            stored = json.loads(row.encryption_configuration) if row.encryption_configuration else None
            if stored != encryption:
                raise errors.activity_already_exists(arn)
            return {"activityArn": arn, "creationDate": aware(row.creation_date)}
        conn.execute(
            activities.insert().values(
                arn=arn,
                name=name,
                creation_date=now,
                encryption_configuration=json.dumps(encryption) if encryption else None,
            )
        )
        tags.replace_all(conn, arn, tag_list)
    return {"activityArn": arn, "creationDate": now}


def _require(svc: Services, arn: str) -> Any:
    arns.parse_activity(arn)
    with svc.db.begin() as conn:
        row = conn.execute(sa.select(activities).where(activities.c.arn == arn)).first()
    if row is None:
        raise errors.activity_does_not_exist(arn)
    return row


def describe_activity(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    row = _require(svc, p["activityArn"])
    out: dict[str, Any] = {
        "activityArn": row.arn,
        "name": row.name,
        "creationDate": aware(row.creation_date),
    }
    if row.encryption_configuration:
        out["encryptionConfiguration"] = json.loads(row.encryption_configuration)
    return out


def delete_activity(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    arn = p["activityArn"]
    arns.parse_activity(arn)
    with svc.db.begin() as conn:
        conn.execute(activities.delete().where(activities.c.arn == arn))
        tags.replace_all(conn, arn, [])
    return {}


def list_activities(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    scope = f"ListActivities:{caller.region}:{caller.account}"
    after = pagination.decode(scope, p.get("nextToken"))
    size = pagination.page_size(p.get("maxResults"))
    prefix = arns.activity_arn(caller.region, caller.account, "")
    query = (
        sa.select(activities)
        .where(activities.c.arn.startswith(prefix, autoescape=True))
        .order_by(activities.c.name)
        .limit(size + 1)
    )
    if after is not None:
        query = query.where(activities.c.name > str(after))
    with svc.db.begin() as conn:
        rows = conn.execute(query).all()
    out: dict[str, Any] = {
        "activities": [
            {"activityArn": r.arn, "name": r.name, "creationDate": aware(r.creation_date)}
            for r in rows[:size]
        ]
    }
    if len(rows) > size:
        out["nextToken"] = pagination.encode(scope, rows[size - 1].name)
    return out


async def get_activity_task(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """The oldest task scheduled on the activity, taken for this worker (the execution
    records ``ActivityStarted`` with ``workerName``), or ``{}`` (no taskToken) when none came
    within the poll time (AWS: 60 seconds).
    https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetActivityTask.html"""
    arn = p["activityArn"]
    _require(svc, arn)
    if _pollers.get(arn, 0) >= MAX_ACTIVITY_WORKERS:
        raise errors.SfnError(
            "ActivityWorkerLimitExceeded",
            f"The maximum number of workers concurrently polling for activity tasks "
            f"({MAX_ACTIVITY_WORKERS}) has been reached for '{arn}'",
        )
    _pollers[arn] = _pollers.get(arn, 0) + 1
    try:
        task = await svc.executions.get_activity_task(
            arn, p.get("workerName"), svc.activity_poll_seconds
        )
    finally:
        _pollers[arn] -= 1
    if task is None:
        return {}
    return {"taskToken": task[0], "input": task[1]}
