"""A run's input checked against the pipeline's ``input.schema``, defaults filled in.

stepIQ's input schema is a flat map of scalar fields (``type``: string, integer, number or
boolean; ``required``; ``default``), checked on every trigger (apps/api/src/services/
input-schema.ts).  Fields the schema does not declare are kept as given.  Stepline applies the
same check to manual, API, webhook and scheduled runs.
"""

from __future__ import annotations

from typing import Any

from emulator.pipelines.definition import Pipeline, PipelineInvalid

_NAMES = {"string": "a string", "integer": "an integer", "number": "a number",
          "boolean": "a boolean"}  # fmt: skip


def check_input(pipeline: Pipeline, data: Any) -> dict[str, Any]:
    """``data`` with defaults filled; raises PipelineInvalid with ``input.NAME`` issues."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PipelineInvalid([{"field": "input", "message": "must be an object"}])
    out = dict(data)
    if pipeline.input is None:
        return out
    issues = []
    for name, spec in pipeline.input.schema_.items():
        value = out.get(name)
        if value is None:
            if spec.default is not None:
                out[name] = spec.default
            elif spec.required:
                issues.append({"field": f"input.{name}", "message": "is required"})
            continue
        if not _matches(spec.type, value):
            issues.append({"field": f"input.{name}", "message": f"must be {_NAMES[spec.type]}"})
    if issues:
        raise PipelineInvalid(issues)
    return out


def _matches(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    return isinstance(value, (int, float))
