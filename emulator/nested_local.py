"""Nested executions under ``stepline run``: ``arn:aws:states:::states:startExecution`` tasks
answered by running the child with :func:`emulator.driver.run_local` itself, synchronously
and in-process, with the same results and parent history as ``stepline serve``
(:mod:`emulator.integrations.states`, whose shapes :mod:`emulator.integrations.states_shapes`
are reused here).

https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html

* request-response: the task succeeds with StartExecution's response;
* ``.sync`` / ``.sync:2``: ``TaskSubmitted`` with that response, then the child's
  DescribeExecution when it ends (a failed child fails the task with ``States.TaskFailed``
  and the DescribeExecution as cause).  The child runs first, on its own virtual clock from
  the parent's ``now``; its end reaches the parent at the child's stop time;
* ``.waitForTaskToken``: the child gets the token in its input.  A Task of the child (or of
  its own children) on ``arn:aws:states:::aws-sdk:sfn:sendTaskSuccess`` or
  ``sendTaskFailure`` with that token completes the parent's task, as SendTaskSuccess would
  (its own result is SendTaskSuccess's empty response).  A token that only something
  outside the run could send leaves the parent waiting, and the run says so.

The state machines a run can start are registered by ARN or by name (``--machine`` and the
configuration file's ``[machines]``); any other is ``StateMachineDoesNotExist``, as the
server answers.  Child executions are STANDARD; a name used twice in one run is
``ExecutionAlreadyExists`` (the first child has ended by then, as it runs to its end).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import asl
from asl import jsontext
from emulator.integrations.states import pattern_of
from emulator.integrations.states_shapes import (
    child_name,
    finish_outcome,
    sdk_error,
    start_response,
)
from emulator.store.execution_rows import ExecutionRecord

SEND_SUCCESS = "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess"
SEND_FAILURE = "arn:aws:states:::aws-sdk:sfn:sendTaskFailure"
# The parameters of the optimized StartExecution integration (connect-stepfunctions.html),
# and the patterns that wait for the child, as emulator.integrations.states.
_PARAMETERS = frozenset({"StateMachineArn", "Input", "Name"})
_WAITING = ("sync", "sync2")
MAX_DEPTH = 50  # Stepline's guard against a machine that starts itself without end
Answer = list[tuple[datetime, asl.Outcome]]


class LocalNesting:
    """The children of one ``stepline run``: the machines it can start, the executions it
    started, and the task tokens its children may send back."""

    def __init__(
        self,
        machines: Mapping[str, asl.StateMachine],
        handlers: Mapping[str, Callable[[Any], Any]],
        seed: int = 0,
    ) -> None:
        self.machines = machines
        self.handlers = handlers
        self.seed = seed
        self.depth = 0
        self.started: set[str] = set()
        self.open_tokens: set[str] = set()
        self.mailbox: dict[str, Answer] = {}
        self.notes: list[str] = []  # why a parent waits on a child that cannot answer

    # ------------------------------------------------------------------ dispatch

    def answer(
        self, effect: asl.InvokeTask, now: datetime, parent: asl.ExecutionInfo
    ) -> Answer | None:
        """The outcomes of a startExecution task or of a child's callback (None: neither)."""
        if effect.resource in self.handlers:
            return None  # a local handler registered for the resource wins, as everywhere
        if pattern_of(effect.resource) is not None:
            return self._start(effect, now, parent)
        if effect.resource in (SEND_SUCCESS, SEND_FAILURE):
            return self._send(effect, now)
        return None

    def _start(self, effect: asl.InvokeTask, now: datetime, parent: asl.ExecutionInfo) -> Answer:
        from emulator.lambdas import request_id
        from emulator.sfn import arns
        from emulator.sfn import executions as sfn_executions
        from emulator.sfn.errors import SfnError

        pattern = pattern_of(effect.resource) or "unknown"
        rid = request_id(effect.id, now)
        params = effect.input if isinstance(effect.input, dict) else {}
        unknown = sorted(set(params) - _PARAMETERS)
        if pattern == "unknown" or unknown:  # as the server (UNVERIFIED wording)
            problem = (
                f"The field '{unknown[0]}' is not supported by Step Functions"
                if unknown
                else f"Unsupported integration pattern of resource '{effect.resource}'"
            )
            return [(now, asl.TaskFailed(effect.id, "States.Runtime", problem))]
        machine_text = params.get("StateMachineArn")
        if not isinstance(machine_text, str):
            code, cause = sdk_error(
                "ValidationException", "The StateMachineArn parameter is required", rid
            )  # UNVERIFIED, as the server
            return [(now, asl.TaskFailed(effect.id, code, cause))]
        if self.depth >= MAX_DEPTH:
            cause = f"Child executions nest deeper than {MAX_DEPTH} levels in this run"
            return [(now, asl.TaskFailed(effect.id, "States.Runtime", cause))]
        name = params.get("Name")
        if not isinstance(name, str):
            name = child_name(parent.execution_arn, effect.id)
        raw_input = params.get("Input")
        # A null Input starts the child with {} (recorded: test_start_execution_sync2).
        input_text = (
            raw_input
            if isinstance(raw_input, str)
            else jsontext.dumps({} if raw_input is None else raw_input)
        )
        try:
            machine_arn, machine = self._resolve(machine_text, parent)
            arns.check_name(name)
            input_text = sfn_executions.check_input(input_text)
            child_arn = arns.execution_arn(machine_arn, name)
            if child_arn in self.started:
                from emulator.sfn.errors import execution_already_exists

                raise execution_already_exists(child_arn)
        except SfnError as exc:
            return [(now, asl.TaskFailed(effect.id, *sdk_error(exc.code, exc.message, rid)))]
        self.started.add(child_arn)
        token = effect.task_token if pattern == "token" else None
        record = self._run_child(machine, machine_arn, name, input_text, now, parent, token)
        answer: Answer = []
        response = start_response(record, rid, now)
        if pattern not in _WAITING:
            answer.append((now, asl.TaskSucceeded(effect.id, response)))
            callbacks = self.mailbox.pop(token, []) if token is not None else []
            answer.extend(callbacks)
            if token is not None and not callbacks:
                self.notes.append(
                    f"the task '{effect.state_name}' waits for its child execution "
                    f"{record.arn} to send its task token back (SendTaskSuccess); "
                    "nothing in this run did"
                )
            return answer
        answer.append((now, asl.TaskSubmitted(effect.id, response)))
        if record.status == "RUNNING":
            self.notes.append(
                f"the task '{effect.state_name}' waits for its child execution {record.arn}, "
                "which did not end"
            )
            return answer
        at = record.stop_date or now
        answer.append((at, finish_outcome(effect.id, record, pattern)))
        return answer

    def _resolve(self, text: str, parent: asl.ExecutionInfo) -> tuple[str, asl.StateMachine]:
        """(the unqualified state machine ARN, its definition) for a StateMachineArn."""
        from emulator.sfn import arns, errors

        ref = arns.parse_machine(text)  # InvalidArn as the server answers it
        region, account = _region_account(parent.execution_arn)
        for key, machine in self.machines.items():
            if key.startswith("arn:"):
                if key == text or (key == ref.arn and ref.version is None and ref.alias is None):
                    return ref.arn, machine
            elif (
                ref.version is None
                and ref.alias is None
                and ref.arn == f"arn:aws:states:{region}:{account}:stateMachine:{key}"
            ):  # a name: the machine of that name in the parent's region and account
                return ref.arn, machine
        raise errors.state_machine_does_not_exist(text)

    def _run_child(
        self,
        machine: asl.StateMachine,
        machine_arn: str,
        name: str,
        input_text: str,
        now: datetime,
        parent: asl.ExecutionInfo,
        token: str | None,
    ) -> ExecutionRecord:
        from emulator.driver import run_local
        from emulator.sfn import arns

        arn = arns.execution_arn(machine_arn, name)
        info = asl.ExecutionInfo(
            execution_arn=arn,
            execution_name=name,
            state_machine_arn=machine_arn,
            state_machine_name=machine_arn.rsplit(":", 1)[1],
            role_arn=parent.role_arn,
            start_time=now,
        )
        # A seed of its own, so the child's task tokens are not its parent's.
        seed = int.from_bytes(
            hashlib.blake2b(f"{self.seed}/{arn}".encode(), digest_size=8).digest()
        )
        if token is not None:
            self.open_tokens.add(token)
        self.depth += 1
        try:
            result = run_local(
                machine,
                jsontext.loads(input_text),
                self.handlers,
                info,
                seed=seed,
                input_text=input_text,
                nesting=self,
            )
        finally:
            self.depth -= 1
            if token is not None:
                self.open_tokens.discard(token)
        stop = result.events[-1].timestamp if result.status != "RUNNING" and result.events else None
        output = jsontext.dumps(result.output) if result.status == "SUCCEEDED" else None
        return ExecutionRecord(
            arn=arn,
            state_machine_arn=machine_arn,
            version_arn=None,
            alias_arn=None,
            name=name,
            type="STANDARD",
            status=result.status,
            input=input_text,
            output=output,
            error=result.error,
            cause=result.cause,
            start_date=now,
            stop_date=stop,
            trace_header=None,
            redrive_count=0,
            redrive_date=None,
            definition="",
            role_arn=parent.role_arn,
        )

    # ------------------------------------------------------------------ callbacks

    def _send(self, effect: asl.InvokeTask, now: datetime) -> Answer | None:
        """A child's SendTaskSuccess/Failure through the AWS SDK integration, for a token of
        a task of this run that waits on that child; other tokens go the usual way."""
        params = effect.input if isinstance(effect.input, dict) else {}
        token = params.get("TaskToken")
        if not isinstance(token, str) or token not in self.open_tokens:
            return None
        if effect.resource == SEND_SUCCESS:
            output = params.get("Output")
            try:
                value = jsontext.loads(output) if isinstance(output, str) else None
            except ValueError:
                value = None
            if value is None and output != "null":
                # SendTaskSuccess's Output is JSON text
                # (https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html);
                # an SDK integration's error is ServiceName.ErrorName
                # (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html;
                # UNVERIFIED: the rendering "Sfn" of the service name).
                cause = "The Output parameter of SendTaskSuccess must be JSON text"
                return [(now, asl.TaskFailed(effect.id, "Sfn.InvalidOutputException", cause))]
            callback: asl.Outcome = asl.CallbackSucceeded(token, value)
        else:
            error, reason = params.get("Error"), params.get("Cause")
            callback = asl.CallbackFailed(
                token,
                error if isinstance(error, str) else "",
                reason if isinstance(reason, str) else "",
            )
        self.open_tokens.discard(token)  # a token answers once
        self.mailbox.setdefault(token, []).append((now, callback))
        # SendTaskSuccess and SendTaskFailure answer with an empty object: their outputs are
        # empty structures (SendTaskSuccessOutput in the SDKs' service model;
        # https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html).
        return [(now, asl.TaskSucceeded(effect.id, {}))]


def _region_account(execution_arn: str) -> tuple[str, str]:
    parts = execution_arn.split(":")
    region = parts[3] if len(parts) > 4 and parts[3] else "us-east-1"
    account = parts[4] if len(parts) > 4 and parts[4] else "123456789012"
    return region, account
