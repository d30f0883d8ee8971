"""Collects diagnostics and performs the small typed checks every field needs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from asl.validation import messages
from asl.validation.diagnostic import ERROR, SCHEMA_VALIDATION_FAILED, Diagnostic

# A JSONata expression, as AWS's ASL schema recognises one: the whole string is "{% ... %}".
# https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
_JSONATA = re.compile(r"\{%.*%\}", re.DOTALL)

# https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html and AWS's ASL schema
# (common.json "seconds"): integer timeouts and waits are capped at 99999999.
MAX_SECONDS = 99_999_999


def is_jsonata(value: Any) -> bool:
    return type(value) is str and _JSONATA.fullmatch(value) is not None


def is_int(value: Any) -> bool:
    return type(value) is int


def is_number(value: Any) -> bool:
    return type(value) is int or type(value) is float


class Report:
    """The diagnostics found so far, in the order found."""

    __slots__ = ("diagnostics",)

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []

    def add(self, code: str, message: str, location: str) -> None:
        self.diagnostics.append(Diagnostic(ERROR, code, message, location))

    def schema(self, message: str, location: str) -> None:
        self.diagnostics.append(Diagnostic(ERROR, SCHEMA_VALIDATION_FAILED, message, location))

    # -- object shape ---------------------------------------------------------------------

    def required(self, obj: Mapping[str, Any], names: Iterable[str], location: str) -> None:
        missing = [name for name in names if name not in obj]
        if missing:
            self.schema(messages.required(missing), location)

    def unsupported(self, obj: Mapping[str, Any], allowed: frozenset[str], location: str) -> None:
        for key in obj:
            if key not in allowed:
                self.schema(messages.unsupported_field(key), location)

    def exclusive(self, obj: Mapping[str, Any], names: tuple[str, ...], location: str) -> bool:
        """At most one of ``names``; reports at the first one present.  True when fine."""
        present = [name for name in names if name in obj]
        if len(present) > 1:
            self.schema(messages.mutually_exclusive(present), f"{location}/{present[0]}")
            return False
        return True

    # -- typed values ---------------------------------------------------------------------

    def string(self, value: Any, location: str) -> bool:
        if type(value) is str:
            return True
        self.schema(messages.expected_type("STRING"), location)
        return False

    def boolean(self, value: Any, location: str) -> bool:
        if type(value) is bool:
            return True
        self.schema(messages.expected_type("BOOLEAN"), location)
        return False

    def object(self, value: Any, location: str) -> bool:
        if isinstance(value, Mapping):
            return True
        self.schema(messages.expected_type("OBJECT"), location)
        return False

    def array(self, value: Any, location: str, min_items: int = 0) -> bool:
        if not isinstance(value, list):
            self.schema(messages.expected_type("ARRAY"), location)
            return False
        if len(value) < min_items:
            self.schema(messages.min_items(min_items), location)
            return False
        return True

    def integer(
        self,
        value: Any,
        location: str,
        low: int | None = None,
        high: int | None = None,
        jsonata: bool = False,
    ) -> bool:
        """An integer in [low, high]; in a JSONata state a ``{% %}`` expression also passes."""
        if jsonata and is_jsonata(value):
            return True
        if not is_int(value):
            self.schema(messages.expected_type("INTEGER"), location)
            return False
        return self._range(value, location, low, high)

    def number(
        self,
        value: Any,
        location: str,
        low: int | float | None = None,
        high: int | float | None = None,
        jsonata: bool = False,
    ) -> bool:
        if jsonata and is_jsonata(value):
            return True
        if not is_number(value):
            self.schema(messages.expected_type("NUMBER"), location)
            return False
        return self._range(value, location, low, high)

    def enum(self, value: Any, allowed: tuple[str, ...], location: str) -> bool:
        if not self.string(value, location):
            return False
        if value not in allowed:
            self.schema(messages.one_of(allowed), location)
            return False
        return True

    def _range(
        self, value: int | float, location: str, low: int | float | None, high: int | float | None
    ) -> bool:
        if low is not None and value < low:
            self.schema(messages.minimum(low), location)
            return False
        if high is not None and value > high:
            self.schema(messages.maximum(high), location)
            return False
        return True
