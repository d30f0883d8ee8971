"""Map runs: DescribeMapRun, ListMapRuns, UpdateMapRun.

Map runs exist only for Distributed Map states
(https://docs.aws.amazon.com/step-functions/latest/dg/concepts-examine-map-run.html), which
Stepline refuses at CreateStateMachine for now; so no map run exists: DescribeMapRun and
UpdateMapRun answer ResourceNotFound, and ListMapRuns an empty list for an execution that
exists.
"""

from __future__ import annotations

from typing import Any

from emulator.sfn import arns, errors, pagination
from emulator.sfn.context import Caller, Services


def _map_run(text: str) -> str:
    parsed = arns.parse(text)
    if parsed.resource_type != "mapRun":
        raise errors.invalid_resource_type(parsed.resource_type)
    return text


def describe_map_run(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    raise errors.resource_not_found(_map_run(p["mapRunArn"]))


def update_map_run(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    raise errors.resource_not_found(_map_run(p["mapRunArn"]))


def list_map_runs(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    text = p["executionArn"]
    ref = arns.parse_execution(text)
    if svc.executions.get(ref.arn) is None:
        raise errors.execution_does_not_exist(text)
    pagination.decode(f"ListMapRuns:{ref.arn}", p.get("nextToken"))
    return {"mapRuns": []}
