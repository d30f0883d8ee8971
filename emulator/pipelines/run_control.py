"""Runs that change: trigger, start, cancel, retry (rerun or redrive), human review.

A run is written first (status ``pending``), then its execution is started in the background
with StartExecution on the pinned version ARN and the run id (or the Idempotency-Key) as the
execution name.  A run written but never started (the process stopped in between) is started
when the service starts again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from emulator.pipelines import run_steps
from emulator.pipelines.service_errors import (
    BadRequest,
    Conflict,
    InputValidationFailed,
    NotFound,
    pipeline_not_active,
)
from emulator.sfn import SfnError, arns
from emulator.store.execution_rows import next_seq
from emulator.store.schema import executions
from emulator.store.schema_pipelines import runs

if TYPE_CHECKING:
    from emulator.pipelines.service import Pipelines

log = logging.getLogger("stepline.pipelines")

TRIGGER_TYPES = ("manual", "api", "cron", "webhook", "retry")
CANCEL_ERROR = "Cancelled"
REJECT_ERROR = "Rejected"


class RunControl:
    def __init__(self, pipelines: Pipelines) -> None:
        self.p = pipelines
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Start the executions of runs written but never started."""
        with self.p.services.db.begin() as conn:
            waiting = conn.execute(
                sa.select(runs.c.id)
                .select_from(runs.outerjoin(executions, executions.c.arn == runs.c.execution_arn))
                .where(executions.c.arn.is_(None))
                .where(runs.c.start_error.is_(None))
                .where(runs.c.cancelled_early.is_(False))
            ).all()
        for row in waiting:
            self._schedule(row.id)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def settle(self) -> None:
        """Wait for the starts already scheduled."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # ------------------------------------------------------------------ trigger

    async def trigger(
        self,
        user_id: str,
        pipeline_id: str,
        input_data: Any,
        trigger_type: str,
        *,
        idempotency_key: str | None = None,
        version: int | None = None,
        retry_of: str | None = None,
        validate: bool = True,
    ) -> dict[str, Any]:
        if trigger_type not in TRIGGER_TYPES:
            raise BadRequest(
                f"trigger_type must be one of {', '.join(TRIGGER_TYPES)}", "INVALID_TRIGGER_TYPE"
            )
        row = self.p.pipeline_row(user_id, pipeline_id)
        if row.status != "active":
            raise pipeline_not_active()
        version = row.version if version is None else version
        version_row = self.p.version_row(pipeline_id, version)
        if input_data is None:
            input_data = {}
        if not isinstance(input_data, dict):
            raise InputValidationFailed(
                [{"field": "input", "message": "input_data must be a JSON object"}]
            )
        if validate:
            input_data = self._checked(pipeline_id, version, input_data)
        input_text = json.dumps(input_data, separators=(",", ":"))
        run_id = str(uuid.uuid4())
        name = run_id
        if idempotency_key is not None:
            if not arns.valid_name(idempotency_key):
                raise BadRequest(
                    "Idempotency-Key must be 1 to 80 letters, digits, '-' or '_'",
                    "INVALID_IDEMPOTENCY_KEY",
                )
            name = idempotency_key
            existing = self._by_key(user_id, pipeline_id, idempotency_key)
            if existing is not None:
                if existing.input_data != input_text:
                    raise Conflict(
                        "Idempotency-Key was already used with a different input",
                        "IDEMPOTENCY_KEY_REUSED",
                        details={"run_id": existing.id},
                    )
                return self.p.queries.detail(user_id, existing.id, steps=False)
        if self.p.plan_gate is not None:  # a replayed Idempotency-Key is no new run
            self.p.plan_gate.new_run(user_id, trigger_type)
        execution_arn = arns.execution_arn(row.state_machine_arn, name)
        with self.p.services.db.begin() as conn:
            taken = conn.execute(
                sa.select(runs.c.id).where(runs.c.execution_arn == execution_arn)
            ).first()
            if taken is not None:
                raise Conflict(
                    "Idempotency-Key was already used", "IDEMPOTENCY_KEY_REUSED",
                    details={"run_id": taken.id},
                )  # fmt: skip
            conn.execute(
                runs.insert().values(
                    id=run_id,
                    seq=next_seq(conn, self.p.services.db.dialect),
                    user_id=user_id,
                    pipeline_id=pipeline_id,
                    pipeline_version=version_row.version,
                    trigger_type=trigger_type,
                    execution_arn=execution_arn,
                    input_data=input_text,
                    idempotency_key=idempotency_key,
                    retry_of=retry_of,
                    created_at=self.p.now(),
                    cancelled_early=False,
                    usage_final=False,
                    total_tokens=0,
                    total_cost_cents=0.0,
                )
            )
        self._schedule(run_id)
        return self.p.queries.detail(user_id, run_id, steps=False)

    def _checked(self, pipeline_id: str, version: int, input_data: dict[str, Any]) -> Any:
        from emulator.pipelines import PipelineInvalid, check_input

        pipeline = self.p.pipeline_model(pipeline_id, version)
        try:
            return check_input(pipeline, input_data)
        except PipelineInvalid as invalid:
            raise InputValidationFailed(list(invalid.issues)) from None

    def _by_key(self, user_id: str, pipeline_id: str, key: str) -> Any:
        with self.p.services.db.begin() as conn:
            return conn.execute(
                sa.select(runs).where(
                    runs.c.user_id == user_id,
                    runs.c.pipeline_id == pipeline_id,
                    runs.c.idempotency_key == key,
                )
            ).first()

    def _schedule(self, run_id: str) -> None:
        task = asyncio.get_running_loop().create_task(self._start(run_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _start(self, run_id: str) -> None:
        with self.p.services.db.begin() as conn:
            run = conn.execute(sa.select(runs).where(runs.c.id == run_id)).first()
        if run is None or run.cancelled_early or run.start_error is not None:
            return
        version = self.p.version_row(run.pipeline_id, run.pipeline_version)
        try:
            await self.p.call(
                "StartExecution",
                {
                    "stateMachineArn": version.state_machine_version_arn,
                    "name": run.execution_arn.rsplit(":", 1)[1],
                    "input": run.input_data,
                },
            )
        except SfnError as error:
            if error.code == "ExecutionAlreadyExists":
                return  # started already (by another process, or before a restart)
            log.warning("run %s could not start: %s", run_id, error)
            with self.p.services.db.begin() as conn:
                conn.execute(
                    runs.update()
                    .where(runs.c.id == run_id)
                    .values(start_error=f"{error.code}: {error.message}")
                )
        except Exception as error:  # recorded on the run rather than lost in a task
            log.exception("run %s could not start", run_id)
            with self.p.services.db.begin() as conn:
                conn.execute(
                    runs.update().where(runs.c.id == run_id).values(start_error=str(error))
                )

    # ------------------------------------------------------------------ cancel

    async def cancel(self, user_id: str, run_id: str) -> dict[str, Any]:
        """StopExecution(error "Cancelled"): the execution is ABORTED and its task in flight
        abandoned.  A pending run is cancelled before it starts.  A finished run cannot be
        cancelled: 409 RUN_NOT_CANCELLABLE (the choice §3b of the reference leaves open)."""
        run = self.p.queries.row(user_id, run_id)
        status = self.p.queries.detail(user_id, run_id, steps=False)["status"]
        if status not in ("pending", "running"):
            raise Conflict(
                f"Run is {status} and cannot be cancelled",
                "RUN_NOT_CANCELLABLE",
                details={"status": status},
            )
        if status == "pending":
            with self.p.services.db.begin() as conn:
                conn.execute(runs.update().where(runs.c.id == run_id).values(cancelled_early=True))
        record = self.p.services.executions.get(run.execution_arn)
        if record is not None and record.status == "RUNNING":
            await self.p.call(
                "StopExecution",
                {
                    "executionArn": run.execution_arn,
                    "error": CANCEL_ERROR,
                    "cause": "The run was cancelled through the stepIQ API",
                },
            )
        return {"cancelled": True, "run": self.p.queries.detail(user_id, run_id, steps=False)}

    # ------------------------------------------------------------------ retry

    async def retry(self, user_id: str, run_id: str, mode: str = "rerun") -> dict[str, Any]:
        """``rerun``: a new run (trigger ``retry``) with the same input and version.
        ``redrive``: RedriveExecution, which resumes the failed execution from the state that
        failed (https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html)."""
        run = self.p.queries.row(user_id, run_id)
        if mode == "rerun":
            return await self.trigger(
                user_id,
                run.pipeline_id,
                json.loads(run.input_data),
                "retry",
                version=run.pipeline_version,
                retry_of=run.id,
                validate=False,
            )
        if mode != "redrive":
            raise BadRequest("mode must be rerun or redrive", "INVALID_RETRY_MODE")
        pipeline = self.p.pipeline_row(user_id, run.pipeline_id)
        if pipeline.status != "active":
            raise pipeline_not_active()
        if self.p.plan_gate is not None:
            self.p.plan_gate.resumed_run(user_id)
        try:
            await self.p.call("RedriveExecution", {"executionArn": run.execution_arn})
        except SfnError as error:
            raise Conflict(
                error.message, "RUN_NOT_REDRIVABLE", details={"aws_error": error.code}
            ) from None
        with self.p.services.db.begin() as conn:
            conn.execute(runs.update().where(runs.c.id == run_id).values(usage_final=False))
        return self.p.queries.detail(user_id, run_id, steps=False)

    # ------------------------------------------------------------------ human review

    async def review(
        self, user_id: str, run_id: str, step_id: str, approve: bool, payload: Any
    ) -> dict[str, Any]:
        """Answer a waiting ``human_review`` step: SendTaskSuccess with ``payload`` as the
        step's result, or SendTaskFailure with error ``Rejected`` and the reason as cause."""
        run = self.p.queries.row(user_id, run_id)
        events = self.p.queries.history(run.execution_arn)
        if step_id not in self.p.queries.step_ids(run.pipeline_id, run.pipeline_version):
            raise NotFound("Step not found", "STEP_NOT_FOUND")
        token = run_steps.pending_token(events, step_id)
        if token is None:
            raise Conflict("Step is not waiting for a review", "STEP_NOT_WAITING")
        try:
            if approve:
                await self.p.call(
                    "SendTaskSuccess", {"taskToken": token, "output": json.dumps(payload)}
                )
            else:
                reason = payload if isinstance(payload, str) else None
                await self.p.call(
                    "SendTaskFailure",
                    {
                        "taskToken": token,
                        "error": REJECT_ERROR,
                        "cause": reason or "Rejected by the reviewer",
                    },
                )
        except SfnError as error:
            raise Conflict(
                error.message, "STEP_NOT_WAITING", details={"aws_error": error.code}
            ) from None
        return self.p.queries.detail(user_id, run_id)
