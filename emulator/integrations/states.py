"""Nested executions: ``arn:aws:states:::states:startExecution`` against Stepline itself.

https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html

* request-response: the task's result is StartExecution's response as Step Functions renders
  it (``ExecutionArn``, ``StartDate`` and the SDK's HTTP metadata);
* ``.sync``: ``TaskSubmitted`` with that response, then the child's DescribeExecution (its
  ``Input`` and ``Output`` as JSON text) when it succeeds; ``.sync:2`` the same with ``Input``
  and ``Output`` parsed;
* ``.waitForTaskToken``: the child gets the token in its input and answers with
  SendTaskSuccess/Failure (the task waits as any callback task does).

A child that ends FAILED, TIMED_OUT or ABORTED fails a ``.sync`` task with
``States.TaskFailed`` and the child's DescribeExecution as the cause; an error of
StartExecution itself fails the task with ``StepFunctions.<Code>Exception``.  Aborting a
parent, or a ``.sync`` task that ends without its child (a timeout), stops the child.
Recorded AWS behaviour: LocalStack's
tests/aws/services/stepfunctions/v2/callback/test_callback.snapshot.json
(test_start_execution_sync, _sync2, _sync_delegate_failure, _sync_delegate_timeout) and
services/test_sfn_task_service.snapshot.json (test_start_execution).

The child runs on the same emulator.  Each start writes a link (parent, task, child) first:
a start re-dispatched after a restart finds its child instead of starting another, and the
end of a ``.sync`` child reaches its parent as a durable request, also when the child ended
while Stepline was down (:meth:`NestedExecutions.recover`).  Tasks here are answered on the
event loop, not in a worker thread: they need the runner (``emulator.dispatch``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import asl
from asl import jsontext
from emulator.integrations.states_shapes import (
    child_name,
    finish_outcome,
    sdk_error,
    start_response,
)
from emulator.store import link_rows, work_rows
from emulator.store.execution_rows import ExecutionRecord, read_record
from emulator.store.messages import outcome_to_json

if TYPE_CHECKING:
    from emulator.executions import Executions
    from emulator.runner import Runner

log = logging.getLogger("stepline.runner")

PREFIX = "arn:aws:states:::states:startExecution"
_PATTERNS = {"": "request", ".sync": "sync", ".sync:2": "sync2", ".waitForTaskToken": "token"}
_WAITING = ("sync", "sync2")
# The parameters of the optimized StartExecution integration (connect-stepfunctions.html).
_PARAMETERS = frozenset({"StateMachineArn", "Input", "Name"})
_UNSUCCESSFUL = ("FAILED", "TIMED_OUT", "ABORTED")


def pattern_of(resource: str) -> str | None:
    """``request``, ``sync``, ``sync2`` or ``token`` for a startExecution resource; None for
    any other resource (``aws-sdk:sfn:startExecution`` is the generic SDK integration's)."""
    if not resource.startswith(PREFIX):
        return None
    return _PATTERNS.get(resource[len(PREFIX) :], "unknown")


class NestedExecutions:
    """Starts children for a runner's executions and brings their ends back to the parents."""

    def __init__(self, executions: Executions, runner: Runner) -> None:
        self.executions = executions
        self.runner = runner
        self.children: dict[str, tuple[str, str, str]] = {}  # child -> (parent, task, pattern)
        self.parents: dict[str, set[str]] = {}  # parent -> its running .sync children
        self.tasks: set[asyncio.Task[Any]] = set()

    # ------------------------------------------------------------------ starting

    async def start(self, parent_arn: str, effect: asl.InvokeTask) -> None:
        """Carry out one startExecution task of ``parent_arn`` (re-dispatches included)."""
        from emulator.lambdas import request_id
        from emulator.sfn import arns
        from emulator.sfn import executions as sfn_executions
        from emulator.sfn.context import Caller, Services
        from emulator.sfn.errors import SfnError

        live = self.runner.live.get(parent_arn)
        if live is None or effect.id not in live.cursor.waiting:
            return  # the task ended meanwhile (a start re-dispatched after its answer)
        pattern = pattern_of(effect.resource) or "unknown"
        now = self.runner.clock.now()
        rid = request_id(effect.id, now)
        params = effect.input if isinstance(effect.input, dict) else {}
        unknown = sorted(set(params) - _PARAMETERS)
        if pattern == "unknown" or unknown:
            # AWS refuses both when the definition is created; a definition that got here
            # fails the task with a clear States.Runtime instead (UNVERIFIED wording).
            problem = (
                f"The field '{unknown[0]}' is not supported by Step Functions"
                if unknown
                else f"Unsupported integration pattern of resource '{effect.resource}'"
            )
            self._deliver(parent_arn, asl.TaskFailed(effect.id, "States.Runtime", problem))
            return
        machine_text = params.get("StateMachineArn")
        if not isinstance(machine_text, str):
            code, cause = sdk_error(
                "ValidationException", "The StateMachineArn parameter is required", rid
            )  # UNVERIFIED: no recorded answer for a missing StateMachineArn
            self._deliver(parent_arn, asl.TaskFailed(effect.id, code, cause))
            return
        with self.executions.db.begin() as connection:
            link = link_rows.find(connection, parent_arn, effect.id)
        if link is not None and link.delivered:
            return  # the child's end was already recorded for the parent
        child: ExecutionRecord | None = None
        if link is not None and link.child_arn is not None:
            child = self.executions.get(link.child_arn)
        if child is None:
            parts = parent_arn.split(":")
            region = parts[3] if len(parts) > 4 and parts[3] else "us-east-1"
            account = parts[4] if len(parts) > 4 and parts[4] else "123456789012"
            svc = Services(self.executions.db, self.executions, account, region)
            name = params.get("Name")
            if not isinstance(name, str):
                name = child_name(parent_arn, effect.id)
            raw_input = params.get("Input")
            # "If you don't include any JSON input data, you still must include the two
            # braces" (API_StartExecution.html): a null Input starts the child with {}
            # (recorded: test_start_execution_sync2, the child's Input is {}).
            input_text = (
                raw_input
                if isinstance(raw_input, str)
                else jsontext.dumps({} if raw_input is None else raw_input)
            )
            request = {"stateMachineArn": machine_text, "name": name, "input": input_text}
            try:
                target = sfn_executions.resolve(svc, arns.split_test_case(machine_text)[0])
                expected = (
                    arns.execution_arn(target.machine.arn, name)
                    if target.machine.type == "STANDARD"
                    else None
                )
                with self.executions.db.begin() as connection:
                    link_rows.save(connection, parent_arn, effect.id, expected, pattern, now)
                answer = await sfn_executions.start_execution(svc, Caller(region, account), request)
            except SfnError as exc:
                with self.executions.db.begin() as connection:
                    link_rows.drop(connection, parent_arn, effect.id)
                self._deliver(
                    parent_arn, asl.TaskFailed(effect.id, *sdk_error(exc.code, exc.message, rid))
                )
                return
            child_arn = str(answer["executionArn"])
            if child_arn != expected:
                with self.executions.db.begin() as connection:
                    link_rows.set_child(connection, parent_arn, effect.id, child_arn)
            child = self.executions.get(child_arn)
            if child is None:  # pragma: no cover - the start committed the row
                return
        response = start_response(child, rid, now)
        if pattern not in _WAITING:
            self._deliver(parent_arn, asl.TaskSucceeded(effect.id, response))
            return
        # The child's first step ran inside the start: it may have ended already.  The
        # parent records TaskSubmitted first, then the end.
        self._deliver(parent_arn, asl.TaskSubmitted(effect.id, response))
        self._watch(child.arn, parent_arn, effect.id, pattern)
        if child.status != "RUNNING":
            self.child_finished(child.arn)

    def _deliver(self, arn: str, outcome: asl.Outcome) -> None:
        self.runner.deliver(arn, outcome)

    def _watch(self, child: str, parent: str, task_id: str, pattern: str) -> None:
        self.children[child] = (parent, task_id, pattern)
        self.parents.setdefault(parent, set()).add(child)

    def _forget(self, child: str) -> None:
        found = self.children.pop(child, None)
        if found is not None:
            kids = self.parents.get(found[0])
            if kids is not None:
                kids.discard(child)
                if not kids:
                    del self.parents[found[0]]

    # ------------------------------------------------------------------ ends

    def finished(self, arn: str, status: str) -> None:
        """An execution this process advanced has ended (the runner calls this)."""
        if arn in self.children:
            self.child_finished(arn)
        kids = self.parents.pop(arn, None)
        if kids:  # its tasks are over: their jobs too
            self._stop_children(arn, kids)

    def parent_moved(self, parent_arn: str, waiting: Mapping[str, object]) -> None:
        """A step of a parent with running ``.sync`` children was committed: a child whose
        task no longer waits (it timed out, or its branch was aborted) is stopped, as AWS
        stops the job of a Run-a-Job task that ended without it."""
        kids = self.parents.get(parent_arn)
        if not kids:
            return
        gone = {
            kid for kid in kids if kid not in self.children or self.children[kid][1] not in waiting
        }
        if gone:
            kids.difference_update(gone)
            if not kids:
                del self.parents[parent_arn]
            self._stop_children(parent_arn, gone)

    def child_finished(self, child_arn: str) -> None:
        """Record the child's end for its parent (a request, durable) and deliver it."""
        record = self.executions.get(child_arn)
        if record is None or record.status == "RUNNING":
            return
        with self.executions.db.begin() as connection:
            row = link_rows.waiting_parent(connection, child_arn, _WAITING)
            if row is None:
                self._forget(child_arn)
                return
            parent = read_record(connection, row.parent_arn)
            link_rows.mark_delivered(connection, row.parent_arn, row.task_id)
            held = self.runner.live.get(row.parent_arn)
            in_memory = parent is None and held is not None and not held.durable
            if not in_memory and (parent is None or parent.status != "RUNNING"):
                self._forget(child_arn)
                return
            outcome = finish_outcome(row.task_id, record, row.pattern)
            request_id = None
            if not in_memory:  # a durable parent gets it durably
                request_id = work_rows.add_request(
                    connection, row.parent_arn, outcome_to_json(outcome), self.runner.clock.now()
                )
        self._forget(child_arn)
        self.runner.deliver(row.parent_arn, outcome, request_id=request_id)

    def _stop_children(self, parent_arn: str, kids: set[str]) -> None:
        """Stop the ``.sync`` children still running for a parent whose tasks no longer wait
        for them (AWS stops the job of a Run-a-Job task that ends without it: observed for
        Batch jobs, whose status reason names the aborted Task)."""
        for child in kids:
            self.children.pop(child, None)
            task = asyncio.get_running_loop().create_task(self._stop(parent_arn, child))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _stop(self, parent_arn: str, child: str) -> None:
        """Stop the child, then close its link (a restart in between stops it again)."""
        try:
            await self.executions.stop_execution(child, None, None)
            with self.executions.db.begin() as connection:
                link_rows.close(connection, parent_arn, child)
        except Exception:
            log.exception("could not stop %s, whose parent ended", child)

    # ------------------------------------------------------------------ restarts

    def track(self, arn: str) -> None:
        """An execution this process now carries on (loaded or claimed): watch its links."""
        with self.executions.db.begin() as connection:
            rows = link_rows.open_links(connection, _WAITING, arn)
        for row in rows:
            if row.child_arn is not None:
                self._watch(row.child_arn, row.parent_arn, row.task_id, row.pattern)

    def recover(self) -> None:
        """At start-up: deliver the ends of children that finished while Stepline was down,
        and stop the children of parents that ended meanwhile."""
        with self.executions.db.begin() as connection:
            rows = link_rows.open_links(connection, _WAITING)
        for row in rows:
            if row.child_arn is None:
                continue
            parent = self.executions.get(row.parent_arn)
            child = self.executions.get(row.child_arn)
            if parent is None or child is None:
                continue
            self._watch(row.child_arn, row.parent_arn, row.task_id, row.pattern)
            if parent.status != "RUNNING":
                self.parents.pop(row.parent_arn, None)
                self._stop_children(row.parent_arn, {row.child_arn})
            elif child.status != "RUNNING":
                self.child_finished(row.child_arn)
