"""Tables of nested executions: which Task of which execution started which child.

A Task on ``arn:aws:states:::states:startExecution[.sync|.sync:2|.waitForTaskToken]`` writes
its link before it starts the child, so a start re-dispatched after a restart finds its child
instead of starting another one, and a ``.sync`` parent gets its child's result when the child
ends — also when it ended while no Stepline process was running (``delivered`` stays false
until the parent's outcome is recorded as a request).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, String, Table

from emulator.store.schema import TS, metadata

execution_links = Table(
    "execution_links",
    metadata,
    Column("parent_arn", String(512), primary_key=True),
    Column("task_id", String(64), primary_key=True),
    Column("child_arn", String(512)),  # null until the child is known (Express: after start)
    Column("pattern", String(16), nullable=False),  # request | sync | sync2 | token
    Column("delivered", Boolean, nullable=False, default=False),
    Column("created", TS, nullable=False),
    Index("ix_execution_links_child", "child_arn"),
    Index("ix_execution_links_waiting", "delivered"),
)
