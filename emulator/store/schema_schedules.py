"""The schedules table: cron triggers of pipelines (see ``emulator.schedules``)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Index, String, Table, Text

from emulator.store.schema import metadata

TS = DateTime(timezone=True)

schedules = Table(
    "schedules",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", String(36), nullable=False),
    Column("pipeline_id", String(64), nullable=False),
    Column("name", String(120), nullable=False),
    Column("description", Text),
    Column("cron_expression", String(200), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("input_data", Text),  # JSON
    Column("enabled", Boolean, nullable=False),
    Column("next_run_at", TS),  # None when disabled
    Column("last_run_at", TS),
    Column("last_run_id", String(64)),
    Column("last_error", Text),  # JSON {error, code, issues?} of the last failed firing
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    # "api": created through /api/pipelines/:id/schedules; "definition": the pipeline's own
    # ``schedule`` field, kept in step with the pipeline's current version.
    Column("origin", String(16), nullable=False, default="api"),
    Index("ix_schedules_next_run", "enabled", "next_run_at"),
    Index("ix_schedules_pipeline", "pipeline_id"),
)
