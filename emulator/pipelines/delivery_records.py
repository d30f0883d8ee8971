"""What deliveries are made of and how they read: a pipeline's webhook targets, and a run's
deliveries with every attempt (``GET /api/runs/:id/deliveries``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from emulator.pipelines import webhook_signing as signing
from emulator.pipelines.records import iso
from emulator.store.schema_pipelines import deliveries, delivery_attempts


def targets(pipeline: Any) -> list[dict[str, Any]]:
    """The webhook targets of a pipeline (``output.deliver`` items of type webhook), each with
    the events it wants: ``events`` when the target names them, else only completed runs."""
    output = getattr(pipeline, "output", None)
    found: list[dict[str, Any]] = []
    for target in getattr(output, "deliver", None) or []:
        dumped = target.model_dump(mode="json", by_alias=True)
        if dumped.get("type") != "webhook" or not dumped.get("url"):
            continue
        found.append(
            {
                "url": dumped["url"],
                "method": (dumped.get("method") or "POST").upper(),
                "signing_secret_name": dumped.get("signing_secret_name"),
                "events": list(dumped.get("events") or [signing.COMPLETED]),
            }
        )
    # Webhook notifications: on_success hears of completed runs, on_failure of failed or
    # cancelled ones; sent unsigned, as their definition names no secret.
    notifications = getattr(pipeline, "notifications", None)
    for when, event in (("on_success", signing.COMPLETED), ("on_failure", signing.FAILED)):
        for note in getattr(notifications, when, None) or []:
            if note.type == "webhook" and note.url:
                found.append(
                    {"url": note.url, "method": "POST", "signing_secret_name": None,
                     "events": [event]}
                )  # fmt: skip
    return found


def _attempt_json(row: Any) -> dict[str, Any]:
    return {
        "attempt": row.attempt,
        "status_code": row.status_code,
        "error": row.error,
        "duration_ms": row.duration_ms,
        "started_at": iso(row.started_at),
        "completed_at": iso(row.completed_at),
    }


def for_run(conn: sa.Connection, run_id: str) -> list[dict[str, Any]]:
    """The run's deliveries, oldest first, each with its attempts in order."""
    rows = conn.execute(
        sa.select(deliveries)
        .where(deliveries.c.run_id == run_id)
        .order_by(deliveries.c.created_at, deliveries.c.target_index)
    ).all()
    attempts = conn.execute(
        sa.select(delivery_attempts)
        .where(delivery_attempts.c.delivery_id.in_([r.id for r in rows]))
        .order_by(delivery_attempts.c.attempt)
    ).all()
    return [
        {
            "id": row.id,
            "run_id": row.run_id,
            "target_index": row.target_index,
            "event": row.event,
            "url": row.url,
            "method": row.method,
            "signing_secret_name": row.signing_secret_name,
            "status": row.status,
            "attempt_count": row.attempts,
            "next_attempt_at": iso(row.next_attempt_at),
            "last_error": row.last_error,
            "created_at": iso(row.created_at),
            "completed_at": iso(row.completed_at),
            "attempts": [_attempt_json(a) for a in attempts if a.delivery_id == row.id],
        }
        for row in rows
    ]
