"""What starts an execution, and its first step: the interpreter's ``start`` for a request,
with the live state the runner carries on and the record the API answers with."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import asl
from asl import jsontext
from emulator.live import LiveExecution
from emulator.mocks import MockSession, TestCase
from emulator.store.execution_rows import ExecutionRecord

if TYPE_CHECKING:
    from emulator.runner import Runner

RUNNING = "RUNNING"


def execution_seed(arn: str) -> int:
    """The execution's random seed: fixed by its ARN, so a replay draws the same values."""
    return int.from_bytes(hashlib.blake2b(arn.encode(), digest_size=8).digest(), "big")


@dataclass(frozen=True, kw_only=True, slots=True)
class ExecutionRequest:
    """What starts an execution (StartExecution and StartSyncExecution alike)."""

    arn: str
    state_machine_arn: str
    name: str
    definition: str
    role_arn: str
    input_text: str
    type: str  # STANDARD | EXPRESS
    version_arn: str | None = None
    alias_arn: str | None = None
    trace_header: str | None = None
    mock_test_case: TestCase | None = None  # the mock file's test case answering its states


def first_step(
    runner: Runner, request: ExecutionRequest, durable: bool
) -> tuple[ExecutionRecord, LiveExecution, asl.Step]:
    machine = runner.machine(request.definition)
    now = runner.clock.now()
    parts = request.state_machine_arn.split(":")
    info = asl.ExecutionInfo(
        execution_arn=request.arn,
        execution_name=request.name,
        state_machine_arn=request.state_machine_arn,
        state_machine_name=parts[6] if len(parts) > 6 else request.state_machine_arn,
        role_arn=request.role_arn,
        start_time=now,
    )
    step = asl.start(
        machine,
        jsontext.loads(request.input_text),
        info,
        now,
        execution_seed(request.arn),
        request.input_text,
        missing_activities=runner.missing_activities(machine),
        keep_cursor=durable,  # an unsuccessful end keeps its cursor, for redrive
    )
    cursor = step.cursor if step.cursor is not None else asl.Cursor(info, None, 0)
    live = LiveExecution(request.arn, machine, cursor, durable=durable)
    if request.mock_test_case is not None:
        live.mock = MockSession(request.mock_test_case)
    record = ExecutionRecord(
        arn=request.arn, state_machine_arn=request.state_machine_arn,
        version_arn=request.version_arn, alias_arn=request.alias_arn, name=request.name,
        type=request.type, status=RUNNING, input=request.input_text, output=None,
        error=None, cause=None, start_date=now, stop_date=None,
        trace_header=request.trace_header, redrive_count=0, redrive_date=None,
        definition=request.definition, role_arn=request.role_arn,
    )  # fmt: skip
    return record, live, step
