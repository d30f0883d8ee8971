"""Tables of stepIQ pipelines, their runs and outbound deliveries.

A pipeline is an ordinary state machine (``state_machine_arn``); each published version of it
is a row of ``pipeline_versions`` pointing at the state machine version a run pins.  A run is
one execution: ``runs`` links the run id to the execution ARN and keeps what Step Functions
does not know (who, which pipeline and version, how it was triggered).  A run's status is not
stored: it is read from the execution.  Token and cost totals are cached once the execution
has finished (``usage_final``).

Outbound webhooks: one ``deliveries`` row per target and finished execution, one
``delivery_attempts`` row per HTTP attempt.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Float, Index, Integer, String, Table, Text

from emulator.store.schema import TS, metadata

pipelines = Table(
    "pipelines",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("seq", BigInteger, nullable=False),  # creation order (the execution sequence)
    Column("user_id", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("description", Text),
    Column("tags", Text, nullable=False),  # JSON list of strings
    Column("status", String(16), nullable=False),  # active | archived
    Column("version", Integer, nullable=False),  # the latest version
    Column("state_machine_arn", String(512), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Index("ix_pipelines_user", "user_id", "seq"),
)

pipeline_versions = Table(
    "pipeline_versions",
    metadata,
    Column("pipeline_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("definition", Text, nullable=False),  # the pipeline document, as JSON
    Column("definition_asl", Text, nullable=False),  # the compiled ASL
    Column("state_machine_version_arn", String(512), nullable=False),
    Column("created_at", TS, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("seq", BigInteger, nullable=False),  # creation order (the execution sequence)
    Column("user_id", String(64), nullable=False),
    Column("pipeline_id", String(36), nullable=False),
    Column("pipeline_version", Integer, nullable=False),
    Column("trigger_type", String(16), nullable=False),  # manual api cron webhook retry
    Column("execution_arn", String(512), nullable=False, unique=True),
    Column("input_data", Text, nullable=False),  # JSON, defaults filled in
    Column("idempotency_key", String(80)),
    Column("retry_of", String(36)),
    Column("created_at", TS, nullable=False),
    # A run is written before its execution starts (status pending); these record a start
    # that failed, or a cancel that came before the start.
    Column("start_error", Text),
    Column("cancelled_early", Boolean, nullable=False, default=False),
    # Totals read from the history, cached once the execution has finished.
    Column("usage_final", Boolean, nullable=False, default=False),
    Column("total_tokens", Integer, nullable=False, default=0),
    Column("total_cost_cents", Float, nullable=False, default=0.0),
    Column("usage_by_model", Text),  # JSON {model: {tokens, cost_cents, steps}}
    # The stop date of the finish whose deliveries were planned (a redriven execution
    # finishes again, and delivers again).
    Column("delivered_stop", TS),
    Index("ix_runs_user", "user_id", "seq"),
    Index("ix_runs_pipeline", "pipeline_id", "seq"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("run_id", String(36), nullable=False),
    Column("target_index", Integer, nullable=False),
    Column("event", String(64), nullable=False),  # pipeline.run.completed | pipeline.run.failed
    Column("url", Text, nullable=False),
    Column("method", String(8), nullable=False),
    Column("signing_secret_name", String(100)),
    Column("status", String(16), nullable=False),  # pending | succeeded | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", TS),  # None once settled
    Column("last_error", Text),
    Column("created_at", TS, nullable=False),
    Column("completed_at", TS),
    Index("ix_deliveries_run", "run_id"),
    Index("ix_deliveries_status", "status"),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("delivery_id", String(36), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("status_code", Integer),  # None: no response (network error, timeout)
    Column("error", Text),
    Column("duration_ms", Integer, nullable=False),
    Column("started_at", TS, nullable=False),
    Column("completed_at", TS, nullable=False),
    Index("ix_delivery_attempts_delivery", "delivery_id", "attempt"),
)
