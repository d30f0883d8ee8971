"""Carrying on an execution from its last committed step: after a restart, a claim of an
execution another process left, or a commit that failed.  The row's cursor, timers, pending
tasks and requests are what the execution was waiting for: timers are queued again, requests
(a stop from another process) applied, unanswered tasks dispatched again, and callbacks and
activity tasks keep waiting for their tokens and workers."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import asl
from asl import jsontext
from emulator.live import LiveExecution
from emulator.mocks import resume as resume_mock
from emulator.store import work_rows
from emulator.store.messages import invoke_task_from_json, outcome_from_json
from emulator.timers import from_epoch

if TYPE_CHECKING:
    from emulator.runner import Runner

log = logging.getLogger("stepline.runner")


def recover(runner: Runner, arn: str) -> bool:
        """Carry on a running execution this process holds, from its last committed step."""
        with runner.db.begin() as connection:
            row = work_rows.load_running(connection, arn)
            requests = work_rows.requests_for(connection, arn) if row is not None else []
        if row is None or row.lease_owner != runner.leases.owner:
            return False
        try:
            cursor = asl.Cursor.from_json(jsontext.loads(row.cursor))
            machine = runner.machine(row.definition)
        except Exception:
            log.exception("cannot load %s", arn)
            runner._broken.add(arn)
            return False
        live = LiveExecution(arn, machine, cursor)
        if runner.mocks is not None:
            pending = [
                invoke_task_from_json(t.effect).state_name for t in row.tasks if not t.callback
            ]
            with runner.db.begin() as connection:
                live.mock = resume_mock(connection, arn, runner.mocks, pending)
        runner.live[arn] = live
        if runner.nested is not None:
            runner.nested.track(arn)
        for timer in row.timers:
            live.timers.add(timer.timer_id)
            runner._timers.add_timer(arn, timer.timer_id, from_epoch(timer.due_epoch))
        for task in row.tasks:
            live.tasks.add(task.task_id)
            if task.callback:
                live.callbacks.add(task.task_id)
                runner._callbacks += 1
        for request in requests:
            runner.deliver(arn, outcome_from_json(request.outcome), request_id=request.id)
        if arn in runner.live:
            for task in row.tasks:
                if not task.callback:
                    runner.dispatch.dispatch(arn, invoke_task_from_json(task.effect))
                elif task.task_id != task.task_token:  # an activity task (its id is not its token)
                    runner.dispatch.offer_activity(arn, invoke_task_from_json(task.effect))
        runner._wake.set()
        return True
