"""Reading pipelines: one pipeline (its current version and compiled ASL), its versions, and
a user's pipelines page by page.  The reads of :class:`emulator.pipelines.service.Pipelines`."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from emulator.pipelines import cursor as cursors
from emulator.pipelines import records
from emulator.pipelines.records import iso
from emulator.pipelines.service_errors import BadRequest, pipeline_not_found
from emulator.sfn import Services
from emulator.store.schema_pipelines import pipeline_versions, pipelines

PIPELINE_STATUSES = ("active", "archived")


class PipelineReads:
    services: Services

    def pipeline_row(self, user_id: str, pipeline_id: str) -> Any:
        with self.services.db.begin() as conn:
            row = conn.execute(
                sa.select(pipelines).where(
                    pipelines.c.id == pipeline_id, pipelines.c.user_id == user_id
                )
            ).first()
        if row is None:
            raise pipeline_not_found()
        return row

    def version_row(self, pipeline_id: str, version: int) -> Any:
        with self.services.db.begin() as conn:
            row = conn.execute(
                sa.select(pipeline_versions).where(
                    pipeline_versions.c.pipeline_id == pipeline_id,
                    pipeline_versions.c.version == version,
                )
            ).first()
        if row is None:
            raise pipeline_not_found()
        return row

    def get_pipeline(self, user_id: str, pipeline_id: str) -> dict[str, Any]:
        row = self.pipeline_row(user_id, pipeline_id)
        version = self.version_row(pipeline_id, row.version)
        out = records.pipeline_json(row, version)
        out["definition_asl"] = json.loads(version.definition_asl)
        out["state_machine_version_arn"] = version.state_machine_version_arn
        return out

    def list_versions(self, user_id: str, pipeline_id: str) -> dict[str, Any]:
        """Every published version, newest first (the version history stepIQ planned)."""
        self.pipeline_row(user_id, pipeline_id)
        with self.services.db.begin() as conn:
            rows = conn.execute(
                sa.select(pipeline_versions)
                .where(pipeline_versions.c.pipeline_id == pipeline_id)
                .order_by(pipeline_versions.c.version.desc())
            ).all()
        return {
            "versions": [
                {
                    "version": row.version,
                    "definition": json.loads(row.definition),
                    "state_machine_version_arn": row.state_machine_version_arn,
                    "created_at": iso(row.created_at),
                }
                for row in rows
            ]
        }

    def list_pipelines(
        self,
        user_id: str,
        *,
        status: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        """Newest first; ``status`` defaults to active (``all`` lists both)."""
        status = status or "active"
        if status not in (*PIPELINE_STATUSES, "all"):
            raise BadRequest("status must be one of active, archived, all", "INVALID_STATUS_FILTER")
        size = cursors.limit_of(limit)
        query = (
            sa.select(pipelines, pipeline_versions)
            .join(
                pipeline_versions,
                sa.and_(
                    pipeline_versions.c.pipeline_id == pipelines.c.id,
                    pipeline_versions.c.version == pipelines.c.version,
                ),
            )
            .where(pipelines.c.user_id == user_id)
            .where(cursors.after(pipelines.c.seq, cursor))
            .order_by(pipelines.c.seq.desc())
            .limit(size + 1)
        )
        if status != "all":
            query = query.where(pipelines.c.status == status)
        with self.services.db.begin() as conn:
            rows = conn.execute(query).all()
        page = rows[:size]
        next_cursor = cursors.encode(page[-1].seq) if len(rows) > size else None
        return {
            "pipelines": [records.pipeline_json(r, r) for r in page],
            "next_cursor": next_cursor,
        }
