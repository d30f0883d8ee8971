"""Runs as they are read: one run with its steps, listings with filters and cursors, usage.

A run's status is its execution's: no execution yet -> ``pending``, RUNNING -> ``running``,
SUCCEEDED -> ``completed``, FAILED and TIMED_OUT -> ``failed``, ABORTED -> ``cancelled``
(a run whose start failed is ``failed``; one cancelled before it started, ``cancelled``).
Token and cost totals come from the history and are cached on the run once it has finished.
"""

from __future__ import annotations

import json
from datetime import datetime, time
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from emulator.accounts import plans
from emulator.pipelines import cursor as cursors
from emulator.pipelines import run_steps
from emulator.pipelines.records import iso
from emulator.pipelines.service_errors import BadRequest, run_not_found
from emulator.sfn.context import aware
from emulator.store.schema import executions
from emulator.store.schema_pipelines import pipeline_versions, runs

if TYPE_CHECKING:
    from emulator.pipelines.service import Pipelines

RUN_STATUSES = ("pending", "running", "completed", "failed", "cancelled")
_STATUS = {
    "RUNNING": "running",
    "SUCCEEDED": "completed",
    "FAILED": "failed",
    "TIMED_OUT": "failed",
    "ABORTED": "cancelled",
}

def status_of(run: Any, execution_status: str | None) -> str:
    if execution_status is not None:
        return _STATUS.get(execution_status, "running")
    if run.start_error is not None:
        return "failed"
    if run.cancelled_early:
        return "cancelled"
    return "pending"


def _status_clause(status: str) -> Any:
    exec_status = executions.c.status
    missing = executions.c.arn.is_(None)
    if status == "pending":
        return sa.and_(missing, runs.c.start_error.is_(None), runs.c.cancelled_early.is_(False))
    if status == "running":
        return exec_status == "RUNNING"
    if status == "completed":
        return exec_status == "SUCCEEDED"
    if status == "failed":
        return sa.or_(
            exec_status.in_(("FAILED", "TIMED_OUT")),
            sa.and_(missing, runs.c.start_error.is_not(None)),
        )
    return sa.or_(exec_status == "ABORTED", sa.and_(missing, runs.c.cancelled_early.is_(True)))


_COLUMNS = (
    runs,
    executions.c.status.label("x_status"),
    executions.c.output.label("x_output"),
    executions.c.error.label("x_error"),
    executions.c.cause.label("x_cause"),
    executions.c.start_date.label("x_start"),
    executions.c.stop_date.label("x_stop"),
    executions.c.redrive_count.label("x_redrives"),
)


class RunQueries:
    def __init__(self, pipelines: Pipelines) -> None:
        self.p = pipelines

    def _joined(self) -> Any:
        return sa.select(*_COLUMNS).select_from(
            runs.outerjoin(executions, executions.c.arn == runs.c.execution_arn)
        )

    def row(self, user_id: str, run_id: str) -> Any:
        with self.p.services.db.begin() as conn:
            row = conn.execute(
                self._joined().where(runs.c.id == run_id, runs.c.user_id == user_id)
            ).first()
        if row is None:
            raise run_not_found()
        return row

    def by_execution(self, execution_arn: str) -> Any:
        with self.p.services.db.begin() as conn:
            return conn.execute(self._joined().where(runs.c.execution_arn == execution_arn)).first()

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        """Every event of the execution (none when it has not started)."""
        if self.p.services.executions.get(execution_arn) is None:
            return []
        events: list[dict[str, Any]] = []
        start = 0
        while True:
            page = self.p.services.executions.history(execution_arn, start=start, limit=1000)
            events.extend(page)
            if len(page) < 1000:
                return events
            start = page[-1]["id"]

    def step_meta(self, pipeline_id: str, version: int) -> dict[str, dict[str, Any]]:
        """The version's steps by id: ``{name, type, model}``."""
        with self.p.services.db.begin() as conn:
            document = conn.execute(
                sa.select(pipeline_versions.c.definition).where(
                    pipeline_versions.c.pipeline_id == pipeline_id,
                    pipeline_versions.c.version == version,
                )
            ).scalar()
        return run_steps.steps_of(json.loads(document)) if document else {}

    def step_ids(self, pipeline_id: str, version: int) -> list[str]:
        return list(self.step_meta(pipeline_id, version))

    def steps(self, row: Any) -> list[dict[str, Any]]:
        meta = self.step_meta(row.pipeline_id, row.pipeline_version)
        describe: dict[str, Any] = {}
        if row.x_status is not None:  # what DescribeExecution says, from the same row
            describe = {
                "executionArn": row.execution_arn,
                "status": row.x_status,
                "startDate": row.x_start,
                "input": row.input_data,
            }
            for key, value in (("stopDate", row.x_stop), ("output", row.x_output),
                               ("error", row.x_error), ("cause", row.x_cause)):  # fmt: skip
                if value is not None:
                    describe[key] = value
        return run_steps.project(self.history(row.execution_arn), meta, describe)

    def totals(self, row: Any, steps: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """``{total_tokens, total_cost_cents, by_model}``, cached once the run has finished."""
        if row.usage_final:
            return {
                "total_tokens": row.total_tokens,
                "total_cost_cents": row.total_cost_cents,
                "by_model": json.loads(row.usage_by_model or "{}"),
            }
        if steps is None:
            steps = self.steps(row)
        by_model: dict[str, dict[str, Any]] = {}
        tokens = 0
        cost = 0.0
        for step in steps:
            used = step["input_tokens"] + step["output_tokens"]
            tokens += used
            cost += step["cost_cents"]
            if step["model"]:
                entry = by_model.setdefault(
                    step["model"],
                    {"steps": 0, "input_tokens": 0, "output_tokens": 0, "cost_cents": 0.0},
                )
                entry["steps"] += 1
                entry["input_tokens"] += step["input_tokens"]
                entry["output_tokens"] += step["output_tokens"]
                entry["cost_cents"] += step["cost_cents"]
        cost = round(cost, 6)
        if row.x_status is not None and row.x_status != "RUNNING":
            with self.p.services.db.begin() as conn:
                conn.execute(
                    runs.update()
                    .where(runs.c.id == row.id)
                    .values(
                        usage_final=True,
                        total_tokens=tokens,
                        total_cost_cents=cost,
                        usage_by_model=json.dumps(by_model),
                    )
                )
        return {"total_tokens": tokens, "total_cost_cents": cost, "by_model": by_model}

    def render(self, row: Any, steps: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        status = status_of(row, row.x_status)
        totals = self.totals(row, steps)
        error = None
        if row.start_error is not None:
            error = row.start_error
        elif row.x_status in ("FAILED", "TIMED_OUT", "ABORTED"):
            error = row.x_cause or row.x_error
        out: dict[str, Any] = {
            "id": row.id,
            "pipeline_id": row.pipeline_id,
            "pipeline_version": row.pipeline_version,
            "user_id": row.user_id,
            "trigger_type": row.trigger_type,
            "status": status,
            "input_data": json.loads(row.input_data),
            "output_data": json.loads(row.x_output)
            if row.x_status == "SUCCEEDED" and row.x_output
            else None,
            "error": error,
            "error_type": row.x_error if row.x_status not in (None, "SUCCEEDED") else None,
            "total_tokens": totals["total_tokens"],
            "total_cost_cents": totals["total_cost_cents"],
            "execution_arn": row.execution_arn,
            "retry_of": row.retry_of,
            "idempotency_key": row.idempotency_key,
            "redrive_count": row.x_redrives or 0,
            "started_at": iso(row.x_start),
            "completed_at": iso(row.x_stop) if row.x_status not in (None, "RUNNING") else None,
            "created_at": iso(row.created_at),
        }
        if steps is not None:
            out["steps"] = steps
        return out

    def detail(self, user_id: str, run_id: str, *, steps: bool = True) -> dict[str, Any]:
        row = self.row(user_id, run_id)
        return self.render(row, self.steps(row) if steps else None)

    def list(
        self,
        user_id: str,
        *,
        pipeline_id: str | None = None,
        status: str | None = None,
        trigger_type: str | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        """Newest first; ``next_cursor`` continues the listing (None on the last page)."""
        size = cursors.limit_of(limit)
        query = self._joined().where(runs.c.user_id == user_id)
        if pipeline_id is not None:
            query = query.where(runs.c.pipeline_id == pipeline_id)
        if status is not None:
            if status not in RUN_STATUSES:
                raise BadRequest(
                    f"status must be one of {', '.join(RUN_STATUSES)}", "INVALID_STATUS_FILTER"
                )
            query = query.where(_status_clause(status))
        if trigger_type is not None:
            query = query.where(runs.c.trigger_type == trigger_type)
        if created_after is not None:
            query = query.where(runs.c.created_at > created_after)
        if created_before is not None:
            query = query.where(runs.c.created_at < created_before)
        query = (
            query.where(cursors.after(runs.c.seq, cursor))
            .order_by(runs.c.seq.desc())
            .limit(size + 1)
        )
        with self.p.services.db.begin() as conn:
            rows = conn.execute(query).all()
        page = rows[:size]
        next_cursor = cursors.encode(page[-1].seq) if len(rows) > size else None
        return {"runs": [self.render(r) for r in page], "next_cursor": next_cursor}

    def usage(self, user_id: str, credits: int | None = None) -> dict[str, Any]:
        """``{credits_used, credits_remaining, runs_today, total_runs, total_cost_cents,
        total_tokens, by_model}`` over every run of the user (``runs_today``: the UTC day of
        the emulator's clock)."""
        with self.p.services.db.begin() as conn:
            rows = conn.execute(self._joined().where(runs.c.user_id == user_id)).all()
        today = datetime.combine(self.p.now().date(), time(0), tzinfo=self.p.now().tzinfo)
        tokens = 0
        cost = 0.0
        credits_used = 0
        by_model: dict[str, dict[str, Any]] = {}
        for row in rows:
            totals = self.totals(row)
            tokens += totals["total_tokens"]
            cost += totals["total_cost_cents"]
            credits_used += plans.credits_of(totals["total_tokens"])
            for model, entry in totals["by_model"].items():
                into = by_model.setdefault(
                    model, {"steps": 0, "input_tokens": 0, "output_tokens": 0, "cost_cents": 0.0}
                )
                for key in into:
                    into[key] += entry[key]
        # The credits are derived from the runs, never stored: one source of truth for
        # /api/user/usage and the plan gate (emulator.accounts.plans).
        allowance = plans.limits_of(None).credits if credits is None else credits
        return {
            "credits_used": credits_used,
            "credits_remaining": -1 if allowance < 0 else max(0, allowance - credits_used),
            "runs_today": sum(1 for r in rows if aware(r.created_at) >= today),
            "total_runs": len(rows),
            "total_cost_cents": round(cost, 6),
            "total_tokens": tokens,
            "by_model": by_model,
        }
