"""Schedules: cron triggers of pipelines (stepIQ's ``schedules``), stored and queried.

    schedules = Schedules(db, clock, pipeline_check=..., input_check=...)
    row = schedules.create(user_id, pipeline_id, {"name", "cron_expression", "timezone", ...})
    schedules.upcoming(user_id, 10)      # the next fire times across enabled schedules

Creating or enabling a schedule needs a plan with cron (``cron_check``: stepIQ's 403
PLAN_CRON_DISABLED on free); a firing whose plan no longer allows it is skipped by the ticker
and recorded as the schedule's ``last_error``.

``next_run_at`` is always the next fire time after the moment it was computed (missed
ticks are not caught up, as stepIQ's scheduler does).  Firing is the ticker's job (``ticker``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from emulator.accounts.identity import aware, iso
from emulator.clock import Clock
from emulator.pipelines.service_errors import BadRequest, NotFound
from emulator.schedules.cron import CronError, parse_cron, zone
from emulator.store.db import Database
from emulator.store.schema_schedules import schedules

MAX_NAME = 120
MAX_DESCRIPTION = 500
MAX_UPCOMING = 100

PipelineCheck = Callable[[str, str], None]  # raises when the user has no such pipeline
InputCheck = Callable[[str, str, dict[str, Any]], None]  # raises on input the pipeline refuses
CronCheck = Callable[[str], None]  # raises when the user's plan has no cron (PLAN_CRON_DISABLED)


def _invalid(field: str, message: str, code: str = "VALIDATION_ERROR") -> BadRequest:
    return BadRequest(f"{field}: {message}", code, issues=[{"field": field, "message": message}])


def schedule_not_found() -> NotFound:
    return NotFound("Schedule not found", "SCHEDULE_NOT_FOUND")


def next_run(cron_expression: str, timezone: str, after: datetime) -> datetime | None:
    return parse_cron(cron_expression).next_after(after, zone(timezone))


def schedule_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "pipeline_id": row.pipeline_id,
        "name": row.name,
        "description": row.description,
        "cron_expression": row.cron_expression,
        "timezone": row.timezone,
        "input_data": json.loads(row.input_data) if row.input_data is not None else None,
        "enabled": bool(row.enabled),
        "origin": row.origin,
        "next_run_at": iso(row.next_run_at),
        "last_run_at": iso(row.last_run_at),
        "last_run_id": row.last_run_id,
        "last_error": json.loads(row.last_error) if row.last_error else None,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
    }


class Schedules:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        pipeline_check: PipelineCheck | None = None,
        input_check: InputCheck | None = None,
        cron_check: CronCheck | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.pipeline_check = pipeline_check
        self.input_check = input_check
        self.cron_check = cron_check
        self._listeners: list[Callable[[], None]] = []

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every change of a schedule's timing (the ticker's wake)."""
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()

    # ------------------------------------------------------------------ CRUD

    def create(self, user_id: str, pipeline_id: str, body: dict[str, Any]) -> dict[str, Any]:
        if self.pipeline_check is not None:
            self.pipeline_check(user_id, pipeline_id)
        if self.cron_check is not None:
            self.cron_check(user_id)
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= MAX_NAME:
            raise _invalid("name", f"is required: 1 to {MAX_NAME} characters")
        description = body.get("description")
        if description is not None and (
            not isinstance(description, str) or len(description) > MAX_DESCRIPTION
        ):
            raise _invalid("description", f"must be a string of at most {MAX_DESCRIPTION} characters")
        timezone = body.get("timezone", "UTC")
        try:
            expression = parse_cron(body.get("cron_expression"))
        except CronError as exc:
            raise _invalid("cron_expression", str(exc), "INVALID_CRON") from None
        try:
            tz = zone(timezone)
        except CronError as exc:
            raise _invalid("timezone", str(exc), "INVALID_TIMEZONE") from None
        input_data = body.get("input_data")
        if input_data is not None and not isinstance(input_data, dict):
            raise _invalid("input_data", "must be a JSON object")
        enabled = body.get("enabled", True)
        if not isinstance(enabled, bool):
            raise _invalid("enabled", "must be true or false")
        if self.input_check is not None:
            self.input_check(user_id, pipeline_id, input_data or {})
        now = self.clock.now()
        schedule_id = str(uuid.uuid4())
        with self.db.begin() as conn:
            conn.execute(
                schedules.insert().values(
                    id=schedule_id, user_id=user_id, pipeline_id=pipeline_id, name=name.strip(),
                    description=description, cron_expression=expression.source,
                    timezone=str(timezone), enabled=enabled,
                    input_data=None if input_data is None else json.dumps(input_data),
                    next_run_at=expression.next_after(now, tz) if enabled else None,
                    created_at=now, updated_at=now,
                )
            )
        self._changed()
        return self.get(user_id, schedule_id)

    def sync_definition(
        self, user_id: str, pipeline_id: str, spec: Any | None, *, archived: bool = False
    ) -> None:
        """Keep the schedule a pipeline's definition declares (its ``schedule`` field: cron,
        timezone, enabled) in step with the pipeline's current version: created, changed, or
        removed when the definition no longer has one.  An archived pipeline's schedules, of
        any origin, stop firing."""
        now = self.clock.now()
        where = sa.and_(schedules.c.user_id == user_id, schedules.c.pipeline_id == pipeline_id)
        with self.db.begin() as conn:
            if archived:
                conn.execute(
                    sa.update(schedules).where(where).values(
                        enabled=False, next_run_at=None, updated_at=now
                    )
                )
            else:
                own = sa.and_(where, schedules.c.origin == "definition")
                if spec is None:
                    conn.execute(sa.delete(schedules).where(own))
                else:
                    expression = parse_cron(spec.cron)  # checked when the pipeline was parsed
                    values = {
                        "cron_expression": expression.source,
                        "timezone": spec.timezone,
                        "enabled": spec.enabled,
                        "next_run_at": (
                            expression.next_after(now, zone(spec.timezone))
                            if spec.enabled else None
                        ),
                        "updated_at": now,
                    }  # fmt: skip
                    if conn.execute(sa.update(schedules).where(own).values(**values)).rowcount == 0:
                        conn.execute(
                            schedules.insert().values(
                                id=str(uuid.uuid4()), user_id=user_id, pipeline_id=pipeline_id,
                                name="definition", description="the pipeline's schedule field",
                                origin="definition", created_at=now, **values,
                            )
                        )  # fmt: skip
        self._changed()

    def _row(self, user_id: str, schedule_id: str) -> Any:
        with self.db.begin() as conn:
            row = conn.execute(
                sa.select(schedules).where(
                    schedules.c.id == schedule_id, schedules.c.user_id == user_id
                )
            ).first()
        if row is None:
            raise schedule_not_found()
        return row

    def get(self, user_id: str, schedule_id: str) -> dict[str, Any]:
        return schedule_json(self._row(user_id, schedule_id))

    def for_pipeline(self, user_id: str, pipeline_id: str) -> list[dict[str, Any]]:
        if self.pipeline_check is not None:
            self.pipeline_check(user_id, pipeline_id)
        with self.db.begin() as conn:
            rows = conn.execute(
                sa.select(schedules)
                .where(schedules.c.user_id == user_id, schedules.c.pipeline_id == pipeline_id)
                .order_by(schedules.c.created_at, schedules.c.id)
            ).all()
        return [schedule_json(row) for row in rows]

    def set_enabled(self, user_id: str, schedule_id: str, enabled: bool) -> dict[str, Any]:
        row = self._row(user_id, schedule_id)
        if enabled and self.cron_check is not None:
            self.cron_check(user_id)
        now = self.clock.now()
        next_at = next_run(row.cron_expression, row.timezone, now) if enabled else None
        with self.db.begin() as conn:
            conn.execute(
                sa.update(schedules).where(schedules.c.id == row.id).values(
                    enabled=enabled, next_run_at=next_at, updated_at=now
                )
            )
        self._changed()
        return self.get(user_id, schedule_id)

    def delete(self, user_id: str, schedule_id: str) -> None:
        with self.db.begin() as conn:
            done = conn.execute(
                sa.delete(schedules).where(
                    schedules.c.id == schedule_id, schedules.c.user_id == user_id
                )
            ).rowcount
        if done != 1:
            raise schedule_not_found()
        self._changed()

    def upcoming(self, user_id: str, count: int = 10) -> list[dict[str, Any]]:
        """The next ``count`` fire times across the user's enabled schedules, in time order."""
        with self.db.begin() as conn:
            rows = conn.execute(
                sa.select(schedules).where(
                    schedules.c.user_id == user_id, schedules.c.enabled.is_(True)
                )
            ).all()
        now = self.clock.now()
        merged: list[tuple[datetime, str, Any]] = []
        for row in rows:
            tz = zone(row.timezone)
            expression = parse_cron(row.cron_expression)
            first = aware(row.next_run_at) if row.next_run_at is not None else None
            times = [first] if first is not None else []
            start = first if first is not None else now
            times += expression.upcoming(start, tz, count - len(times))
            merged.extend((when, row.id, row) for when in times)
        merged.sort(key=lambda item: (item[0], item[1]))
        return [
            {
                "schedule_id": row.id,
                "schedule_name": row.name,
                "pipeline_id": row.pipeline_id,
                "cron_expression": row.cron_expression,
                "timezone": row.timezone,
                "run_at": iso(when),
            }
            for when, _, row in merged[:count]
        ]

    # ------------------------------------------------------------------ for the ticker

    def next_due(self) -> datetime | None:
        """The earliest ``next_run_at`` of any enabled schedule (every user's)."""
        with self.db.begin() as conn:
            when = conn.execute(
                sa.select(sa.func.min(schedules.c.next_run_at)).where(
                    schedules.c.enabled.is_(True)
                )
            ).scalar()
        return aware(when) if when is not None else None

    def due(self, now: datetime, limit: int = 50) -> list[Any]:
        with self.db.begin() as conn:
            return list(
                conn.execute(
                    sa.select(schedules)
                    .where(schedules.c.enabled.is_(True), schedules.c.next_run_at <= now)
                    .order_by(schedules.c.next_run_at, schedules.c.id)
                    .limit(limit)
                ).all()
            )

    def claim(self, row: Any, now: datetime) -> datetime | None:
        """Advance a due schedule to its next fire time; the fire time claimed, or None
        when another process claimed it first (the update is conditional)."""
        fire_at = aware(row.next_run_at)
        following = next_run(row.cron_expression, row.timezone, max(now, fire_at))
        with self.db.begin() as conn:
            done = conn.execute(
                sa.update(schedules)
                .where(schedules.c.id == row.id, schedules.c.next_run_at == row.next_run_at)
                .where(schedules.c.enabled.is_(True))
                .values(next_run_at=following, last_run_at=fire_at)
            ).rowcount
        return fire_at if done == 1 else None

    def record(self, schedule_id: str, run_id: str | None, error: dict[str, Any] | None) -> None:
        with self.db.begin() as conn:
            conn.execute(
                sa.update(schedules).where(schedules.c.id == schedule_id).values(
                    last_run_id=run_id,
                    last_error=None if error is None else json.dumps(error),
                )
            )
