"""Stepflow runs: ``POST /trigger/{workflowId}`` starts an execution and hands back a run id
and a public access token (``pat_…``) that reads that run only.

A run is an execution named after the run (``run_<32 hex>``) of the state machine the
workflow id names in the caller's account and region (or given by ARN), or of a stepIQ
pipeline (by id or name) when the caller is a user and has one by that name.  The token is
stored as its SHA-256 and expires after ``PAT_TTL`` on the emulator's clock.
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from asl import jsontext
from emulator.sfn import OPERATIONS, Caller, Services, SfnError
from emulator.sfn.context import aware
from emulator.stepflow.errors import StepflowError
from emulator.store.schema_stepflow import stepflow_runs as R

PAT_TTL = timedelta(hours=24)
PAT_PREFIX = "pat_"
RUN_PREFIX = "run_"
# StartExecution's errors that mean the workflow id names no state machine.
_NOT_FOUND = frozenset(
    {"StateMachineDoesNotExist", "StateMachineDeleting", "InvalidArn", "ValidationException"}
)


@dataclass(frozen=True)
class StepflowRun:
    run_id: str
    execution_arn: str
    workflow_id: str
    user_id: str | None
    token_hash: str
    token_expires: datetime
    created: datetime


@dataclass(frozen=True)
class Triggered:
    run_id: str
    public_access_token: str
    execution_arn: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class StepflowRuns:
    def __init__(self, services: Services, *, pat_ttl: timedelta = PAT_TTL) -> None:
        self.services = services
        self.pat_ttl = pat_ttl

    def state_machine_arn(self, workflow_id: str, caller: Caller) -> str:
        if workflow_id.startswith("arn:"):
            return workflow_id
        return f"arn:aws:states:{caller.region}:{caller.account}:stateMachine:{workflow_id}"

    async def trigger(
        self,
        workflow_id: str,
        input_data: Any,
        *,
        user_id: str | None = None,
        caller: Caller | None = None,
    ) -> Triggered:
        """Start a run of ``workflow_id``.  Raises WORKFLOW_NOT_FOUND, INVALID_INPUT."""
        if not isinstance(input_data, dict):
            raise StepflowError("INVALID_INPUT", "The request body must be a JSON object")
        input_text = jsontext.dumps(input_data)
        if len(input_text.encode()) > jsontext.PAYLOAD_LIMIT:
            # https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
            # ("Maximum input or output size for a task, state, or execution: 256 KiB").
            raise StepflowError(
                "INVALID_INPUT", f"The input is larger than {jsontext.PAYLOAD_LIMIT} bytes"
            )
        svc = self.services
        caller = caller or Caller(svc.default_region, svc.account)
        run_id = RUN_PREFIX + uuid.uuid4().hex
        params = {
            "stateMachineArn": self.state_machine_arn(workflow_id, caller),
            "name": run_id,
            "input": input_text,
        }
        try:
            result: Any = OPERATIONS["StartExecution"](svc, caller, params)
            if inspect.isawaitable(result):
                result = await result
        except SfnError as error:
            if error.code == "InvalidExecutionInput":
                raise StepflowError("INVALID_INPUT", error.message) from None
            if error.code in _NOT_FOUND:
                raise StepflowError(
                    "WORKFLOW_NOT_FOUND", f"Workflow {workflow_id!r} not found"
                ) from None
            raise
        return self.record(run_id, str(result["executionArn"]), workflow_id, user_id)

    def record(
        self, run_id: str, execution_arn: str, workflow_id: str, user_id: str | None
    ) -> Triggered:
        """Keep a started execution as a Stepflow run, with a fresh public access token."""
        token = PAT_PREFIX + secrets.token_urlsafe(24)
        now = self.services.now()
        with self.services.db.begin() as connection:
            connection.execute(
                insert(R).values(
                    run_id=run_id,
                    execution_arn=execution_arn,
                    workflow_id=workflow_id,
                    user_id=user_id,
                    token_hash=_hash(token),
                    token_expires=now + self.pat_ttl,
                    created=now,
                )
            )
        return Triggered(run_id, token, execution_arn)

    def get(self, run_id: str) -> StepflowRun | None:
        with self.services.db.begin() as connection:
            row = connection.execute(select(R).where(R.c.run_id == run_id)).first()
        if row is None:
            return None
        return StepflowRun(
            run_id=row.run_id,
            execution_arn=row.execution_arn,
            workflow_id=row.workflow_id,
            user_id=row.user_id,
            token_hash=row.token_hash,
            token_expires=aware(row.token_expires),
            created=aware(row.created),
        )

    def require(self, run_id: str) -> StepflowRun:
        run = self.get(run_id)
        if run is None:
            raise StepflowError("RUN_NOT_FOUND", f"Run {run_id!r} not found")
        return run

    def token_allows(self, run: StepflowRun, token: str) -> bool:
        """Is ``token`` this run's public access token, and not expired?"""
        if not token.startswith(PAT_PREFIX):
            return False
        if not hmac.compare_digest(_hash(token), run.token_hash):
            return False
        return bool(self.services.now() < run.token_expires)
