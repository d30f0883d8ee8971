"""Tables of the Stepflow surface: its runs (each an execution, with the hash of the run's
public access token) and the executions waiting for an event (``waitForEvent`` tasks)."""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Table

from emulator.store.schema import TS, metadata

stepflow_runs = Table(
    "stepflow_runs",
    metadata,
    Column("run_id", String(40), primary_key=True),  # run_<32 hex>, also the execution's name
    Column("execution_arn", String(512), nullable=False),
    Column("workflow_id", String(256), nullable=False),  # as the trigger named it
    Column("user_id", String(64)),  # who triggered it, when the surface authenticates
    Column("token_hash", String(64), nullable=False),  # sha256 hex of the pat_… token
    Column("token_expires", TS, nullable=False),
    Column("created", TS, nullable=False),
    Index("ix_stepflow_runs_execution", "execution_arn"),
)

# One row per task waiting for an event: written when the task is scheduled, deleted when
# the event resumes it (or when it is found to wait no more).
stepflow_event_waiters = Table(
    "stepflow_event_waiters",
    metadata,
    Column("event_id", String(256), primary_key=True),
    Column("task_token", String(128), primary_key=True),
    Column("execution_arn", String(512), nullable=False),
    Column("created", TS, nullable=False),
)
