"""Stepflow workflows that are stepIQ pipelines: a workflow id that names no state machine
may name one of the caller's pipelines (by id, or by name among the active ones)."""

from __future__ import annotations

import uuid
from typing import Any

from emulator.pipelines.service import Pipelines
from emulator.pipelines.service_errors import InputValidationFailed, ServiceError
from emulator.stepflow import StepflowError, StepflowRuns, Triggered
from emulator.stepflow.runs import RUN_PREFIX


def find(pipelines: Pipelines, user_id: str, workflow_id: str) -> Any | None:
    try:
        return pipelines.pipeline_row(user_id, workflow_id)
    except ServiceError:
        pass
    listed = pipelines.list_pipelines(user_id, status="active", limit=100)
    while True:
        for item in listed["pipelines"]:
            if item.get("name") == workflow_id:
                return pipelines.pipeline_row(user_id, item["id"])
        cursor = listed.get("next_cursor")
        if not cursor:
            return None
        listed = pipelines.list_pipelines(user_id, status="active", limit=100, cursor=cursor)


async def trigger(
    pipelines: Pipelines, runs: StepflowRuns, user_id: str, workflow_id: str, input_data: Any
) -> Triggered | None:
    """Run the caller's pipeline named ``workflow_id``; None if there is none."""
    row = find(pipelines, user_id, workflow_id)
    if row is None:
        return None
    try:
        run = await pipelines.trigger_run(user_id, row.id, input_data, "api")
    except InputValidationFailed as exc:
        issues = "; ".join(f"{i.get('field')}: {i.get('message')}" for i in exc.issues or [])
        raise StepflowError("INVALID_INPUT", f"Input validation failed: {issues}") from None
    except ServiceError as exc:
        if exc.kind == "not_found":
            return None
        raise StepflowError("INVALID_INPUT", exc.message) from None
    return runs.record(
        RUN_PREFIX + uuid.uuid4().hex, str(run["execution_arn"]), workflow_id, user_id
    )


def step_names(pipelines: Pipelines, execution_arn: str) -> list[str] | None:
    """The pipeline's step ids, if the execution is a pipeline run."""
    row = pipelines.queries.by_execution(execution_arn)
    if row is None:
        return None
    return pipelines.queries.step_ids(row.pipeline_id, row.pipeline_version)
