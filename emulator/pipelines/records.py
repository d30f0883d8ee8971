"""How pipelines are written: stepIQ's JSON (snake_case, ISO 8601 UTC timestamps with
milliseconds), the canonical form of a pipeline document, tags, the state machine's name."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from emulator.pipelines.service_errors import BadRequest
from emulator.sfn.context import aware

MAX_TAGS = 10
MAX_TAG_LENGTH = 50


def iso(value: datetime | None) -> str | None:
    """A timestamp as stepIQ writes them: ISO 8601, UTC, milliseconds, ``Z``."""
    if value is None:
        return None
    value = aware(value).astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def machine_name(pipeline_id: str) -> str:
    return f"pipeline-{pipeline_id}"


def document_json(pipeline: Any) -> str:
    """The pipeline document as canonical JSON (what is compared to detect a change)."""
    dumped = pipeline.to_json()
    return json.dumps(dumped, sort_keys=True, separators=(",", ":"))


def tags(tags: Any) -> list[str]:
    if tags is None:
        return []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise BadRequest("tags must be a list of strings", "INVALID_TAGS")
    if len(tags) > MAX_TAGS or any(not 1 <= len(t) <= MAX_TAG_LENGTH for t in tags):
        raise BadRequest(
            f"at most {MAX_TAGS} tags of 1 to {MAX_TAG_LENGTH} characters", "INVALID_TAGS"
        )
    return list(tags)


def pipeline_json(row: Any, version: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "user_id": row.user_id,
        "name": row.name,
        "description": row.description,
        "tags": json.loads(row.tags),
        "status": row.status,
        "version": row.version,
        "definition": json.loads(version.definition),
        "state_machine_arn": row.state_machine_arn,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
    }
