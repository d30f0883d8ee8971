"""Request checks driven by botocore's Step Functions model, with AWS's wording.

AWS checks every request against the service model before the operation runs (required
members, string lengths, numeric ranges, enums, patterns) and reports all violations in one
``ValidationException``::

    1 validation error detected: Value 'x...x' at 'name' failed to satisfy constraint:
    Member must have length less than or equal to 80

(recorded in LocalStack's test_sfn_api*.snapshot.json files).  Paths name nested members as
AWS does: ``routingConfiguration.1.member.weight`` (list positions count from 1).  A value of
the wrong JSON type cannot be read at all and is a ``SerializationException``.  Sensitive
members (definition, input, output, error, cause...) are not echoed: "Value at 'input'".
"""

from __future__ import annotations

import re
from typing import Any

import botocore.session  # type: ignore[import-untyped]
from botocore.model import ServiceModel, Shape  # type: ignore[import-untyped]

from emulator.sfn.errors import CoralError, ValidationError

# Enum value sets in the order AWS prints them, where a recorded message shows it (the
# service prints a Java set, not the model's order): LocalStack test_state_machine_status_filter.
_ENUM_ORDER = {
    "ExecutionStatus": ["SUCCEEDED", "TIMED_OUT", "PENDING_REDRIVE", "ABORTED", "FAILED", "RUNNING"],
}

_JAVA_CLASSES = {"\\p{ASCII}": "\\x00-\\x7f"}


def _python_pattern(pattern: str) -> re.Pattern[str]:
    for java, python in _JAVA_CLASSES.items():
        pattern = pattern.replace(java, f"[{python}]")
    return re.compile(pattern)


def _utf16_length(text: str) -> int:
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


class RequestChecker:
    """Checks the members of a request for one operation of the model."""

    def __init__(self, model: ServiceModel | None = None) -> None:
        self.model = model or botocore.session.get_session().get_service_model("stepfunctions")
        self._patterns: dict[str, re.Pattern[str]] = {}
        self.operations = set(self.model.operation_names)

    def check(self, operation: str, params: Any) -> None:
        shape = self.model.operation_model(operation).input_shape
        if shape is None:
            return
        if not isinstance(params, dict):
            raise CoralError("SerializationException", "Start of structure or map expected")
        problems: list[str] = []
        self._structure(shape, params, "", problems)
        if problems:
            count = len(problems)
            noun = "error" if count == 1 else "errors"
            raise ValidationError(f"{count} validation {noun} detected: " + "; ".join(problems))

    # -------------------------------------------------------------------------- walking

    def _structure(self, shape: Shape, value: dict[str, Any], path: str, out: list[str]) -> None:
        required = set(shape.required_members)
        for name, member in shape.members.items():
            here = f"{path}.{name}" if path else name
            item = value.get(name)
            if item is None:
                if name in required:
                    out.append(f"Value null at '{here}' failed to satisfy constraint: Member must not be null")
                continue
            self._value(member, item, here, out)

    def _value(self, shape: Shape, value: Any, path: str, out: list[str]) -> None:
        kind = shape.type_name
        if kind == "structure":
            if not isinstance(value, dict):
                raise _wrong_type(path, "structure")
            self._structure(shape, value, path, out)
            return
        if kind == "list":
            if not isinstance(value, list):
                raise _wrong_type(path, "list")
            self._length(shape, value, len(value), path, out)
            member = shape.member
            for index, item in enumerate(value, start=1):
                if item is not None:
                    self._value(member, item, f"{path}.{index}.member", out)
            return
        if kind == "map":
            if not isinstance(value, dict):
                raise _wrong_type(path, "map")
            self._length(shape, value, len(value), path, out)
            for key, item in value.items():
                self._value(shape.key, key, f"{path}.key", out)
                if item is not None:
                    self._value(shape.value, item, f"{path}.value", out)
            return
        if kind == "string":
            if not isinstance(value, str):
                raise _wrong_type(path, "string")
            self._length(shape, value, _utf16_length(value), path, out)
            enum = shape.enum
            if enum and value not in enum:
                listed = ", ".join(_ENUM_ORDER.get(shape.name, enum))
                out.append(self._failed(shape, value, path, f"Member must satisfy enum value set: [{listed}]"))
            pattern = shape.metadata.get("pattern")
            if pattern is not None and not self._pattern(pattern).fullmatch(value):
                out.append(
                    self._failed(shape, value, path,
                                 f"Member must satisfy regular expression pattern: {pattern}")
                )
            return
        if kind in ("integer", "long", "float", "double"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise _wrong_type(path, kind)
            if kind in ("integer", "long") and isinstance(value, float) and not value.is_integer():
                raise _wrong_type(path, kind)
            low, high = shape.metadata.get("min"), shape.metadata.get("max")
            if low is not None and value < low:
                out.append(self._failed(shape, value, path,
                                        f"Member must have value greater than or equal to {low}"))
            if high is not None and value > high:
                out.append(self._failed(shape, value, path,
                                        f"Member must have value less than or equal to {high}"))
            return
        if kind == "boolean":
            if not isinstance(value, bool):
                raise _wrong_type(path, kind)
            return
        if kind == "timestamp" and not isinstance(value, int | float | str):
            raise _wrong_type(path, kind)

    def _length(self, shape: Shape, value: Any, length: int, path: str, out: list[str]) -> None:
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if low is not None and length < low:
            out.append(self._failed(shape, value, path,
                                    f"Member must have length greater than or equal to {low}"))
        if high is not None and length > high:
            out.append(self._failed(shape, value, path,
                                    f"Member must have length less than or equal to {high}"))

    def _pattern(self, pattern: str) -> re.Pattern[str]:
        compiled = self._patterns.get(pattern)
        if compiled is None:
            compiled = self._patterns[pattern] = _python_pattern(pattern)
        return compiled

    def _failed(self, shape: Shape, value: Any, path: str, constraint: str) -> str:
        if shape.metadata.get("sensitive"):
            return f"Value at '{path}' failed to satisfy constraint: {constraint}"
        return f"Value '{java_text(shape, value)}' at '{path}' failed to satisfy constraint: {constraint}"


def _wrong_type(path: str, expected: str) -> CoralError:
    return CoralError("SerializationException", f"Unexpected value type for '{path}': expected {expected}")


def java_text(shape: Shape, value: Any) -> str:
    """A value as the service's Java objects print it (``toString``)."""
    kind = shape.type_name
    if kind == "list" and isinstance(value, list):
        member = shape.member
        return "[" + ", ".join(java_text(member, v) for v in value) + "]"
    if kind == "structure" and isinstance(value, dict):
        fields = [
            f"{name}={java_text(member, value[name])}"
            for name, member in shape.members.items()
            if value.get(name) is not None
        ]
        return f"{shape.name}({', '.join(fields)})"
    if kind == "map" and isinstance(value, dict):
        return "{" + ", ".join(f"{k}={v}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
