"""The execution facts an interpreter needs, and the context object (``$$``) built from them.

https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from asl.timestamps import format_timestamp


@dataclass(frozen=True, slots=True)
class ExecutionInfo:
    execution_arn: str
    execution_name: str
    state_machine_arn: str
    state_machine_name: str
    role_arn: str
    start_time: datetime
    redrive_count: int = 0
    # TestState only: a context object given whole, used for ``$$`` as it is, and the
    # workflow variables the tested state starts with.
    # https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
    context: Any = field(default=None, hash=False)
    variables: Any = field(default=None, hash=False)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["start_time"] = format_timestamp(self.start_time)
        for name in ("context", "variables"):
            if out[name] is None:
                del out[name]
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ExecutionInfo:
        from asl.timestamps import parse_timestamp

        start = parse_timestamp(raw["start_time"])
        assert start is not None
        return cls(**{**raw, "start_time": start})


def context_object(
    info: ExecutionInfo,
    execution_input: Any,
    state_name: str,
    entered_time: datetime,
    retry_count: int | None,
    task_token: str | None = None,
    map_item: tuple[int, Any, str | None] | None = None,
) -> dict[str, Any]:
    """``$$`` for one state entry (``retry_count`` None where the state cannot retry)."""
    if info.context is not None:
        given: dict[str, Any] = copy.deepcopy(info.context)
        if map_item is not None:  # a Map's ItemSelector still sees its item
            given["Map"] = {"Item": {"Index": map_item[0], "Value": map_item[1]}}
            if map_item[2] is not None:
                given["Map"]["Item"]["Key"] = map_item[2]
        return given
    ctx: dict[str, Any] = {
        "Execution": {
            "Id": info.execution_arn,
            "Input": execution_input,
            "StartTime": format_timestamp(info.start_time),
            "Name": info.execution_name,
            "RoleArn": info.role_arn,
            "RedriveCount": info.redrive_count,
        },
        "StateMachine": {"Id": info.state_machine_arn, "Name": info.state_machine_name},
        "State": {"Name": state_name, "EnteredTime": format_timestamp(entered_time)},
    }
    if retry_count is not None:
        # Recorded AWS behaviour: $$.State of a Pass state has only Name and EnteredTime;
        # RetryCount belongs to the states that can retry.
        ctx["State"]["RetryCount"] = retry_count
    if task_token is not None:
        ctx["Task"] = {"Token": task_token}
    if map_item is not None:
        index, value, key = map_item
        item: dict[str, Any] = {"Index": index, "Value": value}
        if key is not None:
            item["Key"] = key
        ctx["Map"] = {"Item": item}
    return ctx
