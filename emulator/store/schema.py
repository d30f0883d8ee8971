"""The database schema, shared by SQLite and PostgreSQL.

JSON documents (definitions, payloads, cursors, event details) are stored as text: the
emulator parses them once when it loads a row, and the database never needs to look inside.
Times are stored as timezone-aware timestamps in UTC.  ``SCHEMA_VERSION`` and the
``schema_version`` table let a newer Stepline migrate an older file (see ``migrations``).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Sequence,
    String,
    Table,
    Text,
)

SCHEMA_VERSION = 3

metadata = MetaData()

TS = DateTime(timezone=True)

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
)

# ---------------------------------------------------------------- state machines

state_machines = Table(
    "state_machines",
    metadata,
    Column("arn", String(512), primary_key=True),
    Column("name", String(80), nullable=False),
    Column("type", String(16), nullable=False),  # STANDARD | EXPRESS
    Column("status", String(16), nullable=False),  # ACTIVE | DELETING
    Column("definition", Text, nullable=False),
    Column("role_arn", String(512), nullable=False),
    Column("revision_id", String(64), nullable=False),
    Column("description", Text),
    Column("logging_configuration", Text),  # JSON
    Column("tracing_configuration", Text),  # JSON
    Column("encryption_configuration", Text),  # JSON
    Column("creation_date", TS, nullable=False),
    Column("update_date", TS),
    Column("next_version", Integer, nullable=False, default=1),  # versions are never reused
)

state_machine_versions = Table(
    "state_machine_versions",
    metadata,
    Column("arn", String(512), primary_key=True),  # <state machine arn>:<number>
    Column("state_machine_arn", String(512), ForeignKey("state_machines.arn"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("definition", Text, nullable=False),
    Column("role_arn", String(512), nullable=False),
    Column("revision_id", String(64), nullable=False),
    Column("description", Text),
    Column("logging_configuration", Text),
    Column("tracing_configuration", Text),
    Column("encryption_configuration", Text),
    Column("creation_date", TS, nullable=False),
    Index("ix_versions_machine", "state_machine_arn", "number"),
)

state_machine_aliases = Table(
    "state_machine_aliases",
    metadata,
    Column("arn", String(512), primary_key=True),  # <state machine arn>:<alias name>
    Column("state_machine_arn", String(512), ForeignKey("state_machines.arn"), nullable=False),
    Column("name", String(80), nullable=False),
    Column("description", Text),
    Column("routing_configuration", Text, nullable=False),  # JSON list of {version arn, weight}
    Column("creation_date", TS, nullable=False),
    Column("update_date", TS),
)

tags = Table(
    "tags",
    metadata,
    Column("resource_arn", String(512), primary_key=True),
    Column("key", String(128), primary_key=True),
    Column("value", String(256), nullable=False),
    Column("seq", Integer, nullable=False, default=0),  # ListTagsForResource keeps tagging order
)

activities = Table(
    "activities",
    metadata,
    Column("arn", String(512), primary_key=True),
    Column("name", String(80), nullable=False),
    Column("creation_date", TS, nullable=False),
    Column("encryption_configuration", Text),
)

# ---------------------------------------------------------------- executions

executions = Table(
    "executions",
    metadata,
    Column("arn", String(512), primary_key=True),
    Column("seq", BigInteger, nullable=False),  # creation order, for newest-first listing
    Column("state_machine_arn", String(512), nullable=False),  # unqualified
    Column("version_arn", String(512)),
    Column("alias_arn", String(512)),
    Column("name", String(80), nullable=False),
    Column("type", String(16), nullable=False),
    Column("status", String(16), nullable=False),  # RUNNING SUCCEEDED FAILED TIMED_OUT ABORTED
    Column("definition", Text, nullable=False),  # the definition this execution runs
    Column("role_arn", String(512), nullable=False),
    Column("input", Text, nullable=False),
    Column("output", Text),
    Column("error", Text),
    Column("cause", Text),
    Column("start_date", TS, nullable=False),
    Column("stop_date", TS),
    Column("trace_header", String(256)),
    Column("mock_test_case", String(256)),
    Column("redrive_count", Integer, nullable=False, default=0),
    Column("redrive_date", TS),
    Column("cursor", Text),  # asl.Cursor.to_json() as text; null once finished
    Column("event_count", Integer, nullable=False, default=0),
    # Leases: which process advances this execution, until when.
    Column("lease_owner", String(64)),
    Column("lease_expires", TS),
    Index("ix_executions_machine", "state_machine_arn", "seq"),
    Index("ix_executions_status", "status"),
)

# History, one row per step: a step records from one to thousands of events, all stamped
# with the step's time, and writing them as one row is what keeps a durable execution close
# to the in-process interpreter's speed.
events = Table(
    "events",
    metadata,
    Column("execution_arn", String(512), primary_key=True),
    Column("first_id", Integer, primary_key=True),
    Column("last_id", Integer, nullable=False),
    Column("timestamp", TS, nullable=False),
    # JSON array of [id, previousEventId, type, detailsKey, details-as-recorded]; rendered as
    # GetExecutionHistory returns events when history is read.
    Column("body", Text, nullable=False),
)

timers = Table(
    "timers",
    metadata,
    Column("execution_arn", String(512), primary_key=True),
    Column("timer_id", String(64), primary_key=True),
    Column("fire_at", TS, nullable=False),
    Column("fire_at_epoch", Float, nullable=False),  # for ordering across processes
    Index("ix_timers_due", "fire_at_epoch"),
)

# Effects committed but not yet answered: re-dispatched after a restart.
pending_tasks = Table(
    "pending_tasks",
    metadata,
    Column("execution_arn", String(512), primary_key=True),
    Column("task_id", String(64), primary_key=True),
    Column("effect", Text, nullable=False),  # JSON of the InvokeTask / AwaitCallback effect
    Column("task_token", String(2048)),
    Column("callback", Boolean, nullable=False, default=False),
    Index("ix_pending_token", "task_token"),
)

# Activity tasks waiting for a worker (GetActivityTask), and the worker that took each one.
# A row lives as long as its pending task; the queue forgets rows whose task has ended.
activity_tasks = Table(
    "activity_tasks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),  # hand-out order
    Column("task_token", String(128), nullable=False, unique=True),
    Column("activity_arn", String(512), nullable=False),
    Column("execution_arn", String(512), nullable=False),
    Column("task_id", String(64), nullable=False),
    Column("input", Text, nullable=False),  # JSON text, as GetActivityTask returns it
    Column("worker_name", String(80)),
    Column("started", TS),  # None: not taken yet
    Index("ix_activity_tasks_waiting", "activity_arn", "started"),
)

# Outcomes for an execution that another process owns (StopExecution arriving at process B
# for an execution that process A advances): B writes a row, A applies it in the same
# transaction as the step it causes and deletes the row.  Nothing is lost if A dies: the
# process that claims the execution next applies what is left.
requests = Table(
    "requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("execution_arn", String(512), nullable=False),
    Column("outcome", Text, nullable=False),  # JSON of the asl outcome (emulator.store.messages)
    Column("created", TS, nullable=False),
    Index("ix_requests_execution", "execution_arn"),
)

# Execution creation order: a sequence on PostgreSQL (shared by every process without a
# lock), a counter row on SQLite (whose writers are serialised anyway).
execution_seq = Sequence("execution_seq", metadata=metadata)

counters = Table(
    "counters",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# ---------------------------------------------------------------- more tables
# Areas that own their tables define them in emulator/store/schema_<area>.py on this same
# ``metadata``; they are imported here so that every table is known before a migration.
# (Version 3 creates whichever of them a database lacks: see migrations.STEPS[3].)
from emulator.store import (  # noqa: E402,F401
    schema_accounts,
    schema_executions_links,
    schema_pipelines,
    schema_schedules,
    schema_stepflow,
)
