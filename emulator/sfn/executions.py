"""Executions: StartExecution, StartSyncExecution, DescribeExecution, ListExecutions,
StopExecution, GetExecutionHistory, DescribeStateMachineForExecution, RedriveExecution.

The runner (emulator/executions.py) runs them; this module decides what AWS decides before
and around it: which definition and version an ARN names, names and idempotency, input
checks, the response shapes.
https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartSyncExecution.html
https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html
https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetExecutionHistory.html
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from typing import Any

from asl import jsontext
from asl.validation.json_syntax import describe as jackson_error
from emulator.executions import ExecutionAlreadyExists, ExecutionNotFound, ExecutionRequest
from emulator.mocks import TestCase
from emulator.sfn import aliases, arns, errors, pagination, redrive, state_machines, versions
from emulator.sfn.context import Caller, Services

FINISHED = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


@dataclass(frozen=True)
class Target:
    """What a StartExecution ARN resolves to."""

    machine: state_machines.Machine
    definition: str
    role_arn: str
    version_arn: str | None
    alias_arn: str | None


def resolve(svc: Services, text: str) -> Target:
    ref = arns.parse_machine(text)
    with svc.db.begin() as conn:
        machine = state_machines.require(conn, ref.arn, text)
        if machine.status != "ACTIVE":
            raise errors.state_machine_deleting(machine.arn)
        if ref.version is not None:
            version = versions.load(conn, arns.version_arn(ref.arn, ref.version))
            if version is None:
                raise errors.state_machine_does_not_exist(text)
            return Target(machine, version.definition, version.role_arn, version.arn, None)
        if ref.alias is not None:
            version_arn, _ = aliases.route(conn, text)
            version = versions.load(conn, version_arn)
            if version is None:
                raise errors.state_machine_does_not_exist(text)
            return Target(machine, version.definition, version.role_arn, version.arn, text)
    return Target(machine, machine.definition, machine.role_arn, None, None)


def check_input(text: str | None) -> str:
    """The execution input as text; AWS's InvalidExecutionInput for what is not JSON
    (messages recorded in LocalStack's test_invalid_start_execution_input: Jackson's text
    without its location, and "Invalid execution input." for an empty string)."""
    if text is None:
        return "{}"
    if not text.strip(" \t\r\n"):
        raise errors.invalid_execution_input("Invalid execution input.")
    try:
        jsontext.loads(text)
    except ValueError:
        found = jackson_error(text)
        detail = found[0].split("\n at ", 1)[0] if found else "Invalid execution input."
        raise errors.invalid_execution_input(detail) from None
    return text


_starting: set[str] = set()


def mock_test_case(svc: Services, target: Target, case: str | None) -> TestCase | None:
    """The mock file's test case that ``ARN#TestCase`` names (None: no suffix)."""
    if case is None:
        return None
    config = svc.executions.mocks
    found = config.test_case(target.machine.name, case) if config is not None else None
    if found is None:
        # Step Functions Local's answer is not recorded; a clear ValidationException.
        where = "the mock file" if config is not None else "no mock file (SFN_MOCK_CONFIG)"
        raise errors.ValidationError(
            f"Test case '{case}' for state machine '{target.machine.name}' not found in {where}"
        )
    return found


async def start_execution(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    machine_arn, case = arns.split_test_case(p["stateMachineArn"])
    target = resolve(svc, machine_arn)
    test_case = mock_test_case(svc, target, case)
    name = p.get("name") or str(uuid.uuid4())
    arns.check_name(name)
    input_text = check_input(p.get("input"))
    kwargs: dict[str, Any] = {
        "state_machine_arn": target.machine.arn,
        "name": name,
        "definition": target.definition,
        "role_arn": target.role_arn,
        "input_text": input_text,
        "type": target.machine.type,
        "version_arn": target.version_arn,
        "alias_arn": target.alias_arn,
        "trace_header": p.get("traceHeader"),
        "mock_test_case": test_case,
    }
    if target.machine.type == "EXPRESS":
        # Express executions are not idempotent and carry a unique suffix.
        arn = arns.express_execution_arn(target.machine.arn, name, str(uuid.uuid4()))
        record = await svc.executions.start_execution(ExecutionRequest(arn=arn, **kwargs))
        return {"executionArn": record.arn, "startDate": record.start_date}
    arn = arns.execution_arn(target.machine.arn, name)
    # "If StartExecution is called with the same name and input as a running execution,
    # the call succeeds and return the same response as the original request. If the
    # execution is closed or if the input is different, it returns a 400
    # ExecutionAlreadyExists error." (API_StartExecution.html)
    if arn in _starting:
        raise errors.execution_already_exists(arn)
    existing = svc.executions.get(arn)
    if existing is not None:
        if existing.status == "RUNNING" and existing.input == input_text:
            return {"executionArn": existing.arn, "startDate": existing.start_date}
        raise errors.execution_already_exists(arn)
    _starting.add(arn)
    try:
        record = await svc.executions.start_execution(ExecutionRequest(arn=arn, **kwargs))
    except ExecutionAlreadyExists:  # started meanwhile by another process
        raise errors.execution_already_exists(arn) from None
    finally:
        _starting.discard(arn)
    return {"executionArn": record.arn, "startDate": record.start_date}


async def start_sync_execution(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    machine_arn, case = arns.split_test_case(p["stateMachineArn"])
    target = resolve(svc, machine_arn)
    test_case = mock_test_case(svc, target, case)
    if target.machine.type != "EXPRESS":
        raise errors.type_not_supported()
    name = p.get("name") or str(uuid.uuid4())
    arns.check_name(name)
    input_text = check_input(p.get("input"))
    arn = arns.express_execution_arn(target.machine.arn, name, str(uuid.uuid4()))
    record = await svc.executions.run_express_sync(
        ExecutionRequest(
            arn=arn,
            state_machine_arn=target.machine.arn,
            name=name,
            definition=target.definition,
            role_arn=target.role_arn,
            input_text=input_text,
            type="EXPRESS",
            version_arn=target.version_arn,
            alias_arn=target.alias_arn,
            trace_header=p.get("traceHeader"),
            mock_test_case=test_case,
        )
    )
    out = _payloads(record, p.get("includedData"))
    out.update(
        {
            "executionArn": record.arn,
            "stateMachineArn": record.state_machine_arn,
            "name": record.name,
            "startDate": record.start_date,
            "stopDate": record.stop_date,
            "status": record.status,
        }
    )
    if record.error is not None:
        out["error"] = record.error
    if record.cause is not None:
        out["cause"] = record.cause
    if record.trace_header is not None:
        out["traceHeader"] = record.trace_header
    # Express executions are billed by 100 ms at 64 MB (the recorded AWS response shows
    # {"billedDurationInMilliseconds": 100, "billedMemoryUsedInMB": 64} for a Pass machine).
    elapsed = (record.stop_date - record.start_date).total_seconds() * 1000 if record.stop_date else 0
    out["billingDetails"] = {
        "billedMemoryUsedInMB": 64,
        "billedDurationInMilliseconds": max(100, math.ceil(elapsed / 100) * 100),
    }
    return out


def _payloads(record: Any, included: str | None) -> dict[str, Any]:
    if included == "METADATA_ONLY":
        return {"inputDetails": {"included": False}, "outputDetails": {"included": False}}
    out: dict[str, Any] = {"input": record.input, "inputDetails": {"included": True}}
    if record.output is not None:
        out["output"] = record.output
        out["outputDetails"] = {"included": True}
    return out


def _record(svc: Services, text: str) -> Any:
    ref = arns.parse_execution(text)
    record = svc.executions.get(ref.arn)
    if record is None:
        raise errors.execution_does_not_exist(text)
    return record


def _redrive_status(svc: Services, record: Any) -> tuple[str, str | None]:
    reason = redrive.refusal(svc, record)
    return ("NOT_REDRIVABLE", reason) if reason is not None else ("REDRIVABLE", None)


def describe_execution(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    record = _record(svc, p["executionArn"])
    out: dict[str, Any] = {
        "executionArn": record.arn,
        "stateMachineArn": record.state_machine_arn,
        "name": record.name,
        "status": record.status,
        "startDate": record.start_date,
    }
    if record.stop_date is not None:
        out["stopDate"] = record.stop_date
    out.update(_payloads(record, p.get("includedData")))
    if record.status != "SUCCEEDED":
        out.pop("output", None)
        if p.get("includedData") != "METADATA_ONLY":
            out.pop("outputDetails", None)
    if record.trace_header is not None:
        out["traceHeader"] = record.trace_header
    if record.error is not None:
        out["error"] = record.error
    if record.cause is not None:
        out["cause"] = record.cause
    if record.version_arn is not None:
        out["stateMachineVersionArn"] = record.version_arn
    if record.alias_arn is not None:
        out["stateMachineAliasArn"] = record.alias_arn
    out["redriveCount"] = record.redrive_count
    if record.redrive_date is not None:
        out["redriveDate"] = record.redrive_date
    status, reason = _redrive_status(svc, record)
    out["redriveStatus"] = status
    if reason is not None:
        out["redriveStatusReason"] = reason
    return out


def list_executions(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    machine_text = p.get("stateMachineArn")
    map_run = p.get("mapRunArn")
    if (machine_text is None) == (map_run is None):
        # UNVERIFIED wording.
        raise errors.ValidationError("Must provide a StateMachine ARN or MapRun ARN")
    if map_run is not None:
        parsed = arns.parse(map_run)
        if parsed.resource_type != "mapRun":
            raise errors.invalid_resource_type(parsed.resource_type)
        raise errors.resource_not_found(map_run)
    assert machine_text is not None
    ref = arns.parse_machine(machine_text)
    with svc.db.begin() as conn:
        machine = state_machines.require(conn, ref.arn, machine_text)
    if machine.type == "EXPRESS":
        raise errors.type_not_supported()
    status = p.get("statusFilter")
    if status == "PENDING_REDRIVE":
        return {"executions": []}
    scope = f"ListExecutions:{machine_text}:{status}:{p.get('redriveFilter')}"
    after = pagination.decode(scope, p.get("nextToken"))
    size = pagination.page_size(p.get("maxResults"))
    rows = svc.executions.list(
        state_machine_arn=ref.arn,
        version_arn=arns.version_arn(ref.arn, ref.version) if ref.version is not None else None,
        alias_arn=machine_text if ref.alias is not None else None,
        status=status,
        after_seq=int(after) if after is not None else None,
        limit=size + 1,
    )
    more = len(rows) > size
    rows = rows[:size]
    redrive = p.get("redriveFilter")
    items = []
    for _, record in rows:
        if redrive == "REDRIVEN" and record.redrive_count == 0:
            continue
        if redrive == "NOT_REDRIVEN" and record.redrive_count > 0:
            continue
        items.append(_list_item(record))
    out: dict[str, Any] = {"executions": items}
    if more:
        out["nextToken"] = pagination.encode(scope, rows[-1][0])
    return out


def _list_item(record: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "executionArn": record.arn,
        "stateMachineArn": record.state_machine_arn,
        "name": record.name,
        "status": record.status,
        "startDate": record.start_date,
    }
    if record.stop_date is not None:
        item["stopDate"] = record.stop_date
    if record.version_arn is not None:
        item["stateMachineVersionArn"] = record.version_arn
    if record.alias_arn is not None:
        item["stateMachineAliasArn"] = record.alias_arn
    item["redriveCount"] = record.redrive_count
    if record.redrive_date is not None:
        item["redriveDate"] = record.redrive_date
    return item


async def stop_execution(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """RUNNING becomes ABORTED; stopping a closed execution changes nothing."""
    record = _record(svc, p["executionArn"])
    if record.status == "RUNNING":
        try:
            record = await svc.executions.stop_execution(record.arn, p.get("error"), p.get("cause"))
        except ExecutionNotFound:
            raise errors.execution_does_not_exist(p["executionArn"]) from None
    return {"stopDate": record.stop_date}


def get_execution_history(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    record = _record(svc, p["executionArn"])
    reverse = bool(p.get("reverseOrder", False))
    include = p.get("includeExecutionData")
    scope = f"GetExecutionHistory:{record.arn}:{reverse}"
    # The position is the id of the last event returned (the runner reads after it, or
    # before it in reverse order); 0 starts from the first (or the last) event.
    after = int(pagination.decode(scope, p.get("nextToken")) or 0)
    size = pagination.page_size(p.get("maxResults"))
    events = svc.executions.history(
        record.arn,
        reverse=reverse,
        include_data=True if include is None else bool(include),
        start=after,
        limit=size + 1,
    )
    out: dict[str, Any] = {"events": events[:size]}
    if len(events) > size:
        out["nextToken"] = pagination.encode(scope, events[size - 1]["id"])
    return out


def describe_state_machine_for_execution(
    svc: Services, caller: Caller, p: dict[str, Any]
) -> dict[str, Any]:
    record = _record(svc, p["executionArn"])
    return state_machines.describe_for_execution(
        svc, record.definition, record.state_machine_arn, record.version_arn, record.role_arn
    )


async def redrive_execution(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    """RedriveExecution with AWS's rules (emulator.sfn.redrive)."""
    record = _record(svc, p["executionArn"])
    return await redrive.redrive_execution(svc, record, p.get("clientToken"))
