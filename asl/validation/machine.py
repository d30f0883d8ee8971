"""Validate a parsed definition: the machine, its nested sets of states, and their graphs.

https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html
Diagnostics come out in document order: first every schema problem (walking the definition
as written), then, for each set of states in the order met, its transition problems.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from asl.validation import fields, messages
from asl.validation.diagnostic import (
    DUPLICATE_STATE_NAME,
    ERROR,
    INVALID_STATE_NAME,
    SCHEMA_VALIDATION_FAILED,
    TOO_DEEPLY_NESTED,
    Diagnostic,
)
from asl.validation.graph import Scope, analyse
from asl.validation.report import MAX_SECONDS, Report
from asl.validation.site import Site
from asl.validation.states import check_state

# The API constrains ``definition`` to 1..1048576 characters (botocore model, shape
# Definition); https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
# "Maximum size of a state machine definition: 1 MB".
MAX_DEFINITION_LENGTH = 1_048_576

# State names are 1-80 characters (UTF-16 units, as Java counts), like every name in the
# history events: https://docs.aws.amazon.com/step-functions/latest/apireference/API_StateEnteredEventDetails.html
MAX_STATE_NAME_LENGTH = 80

VERSIONS = ("1.0",)


def validate_definition(raw: Any) -> list[Diagnostic]:
    """Every problem AWS would report for the parsed definition ``raw`` (any JSON value),
    in document order; an empty list means the definition is valid.  Never raises."""
    return validate_parsed(raw, check_size=True)


def validate_parsed(raw: Any, check_size: bool) -> list[Diagnostic]:
    """validate_definition; ``check_size`` False when the text was measured already."""
    if not isinstance(raw, Mapping):
        return [not_an_object()]
    report = Report()
    if check_size and _too_long(raw):
        report.schema(messages.DEFINITION_TOO_LARGE, "")
    try:
        _Machine(report).run(raw)
    except RecursionError:
        report.add(TOO_DEEPLY_NESTED, messages.TOO_DEEPLY_NESTED, "")
    return report.diagnostics


def not_an_object() -> Diagnostic:
    # Recorded for ValidateStateMachineDefinition(" "): no location (LocalStack snapshot
    # test_sfn_api_validation.snapshot.json, EMPTY_STRING).
    return Diagnostic(ERROR, SCHEMA_VALIDATION_FAILED, messages.NOT_A_JSON_OBJECT, "")


def utf16_length(text: str) -> int:
    """The length Java (and so the API's constraint) gives a string."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le", "surrogatepass")) // 2


def _too_long(raw: Mapping[str, Any]) -> bool:
    try:
        text = json.dumps(raw, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return False
    return len(text) > MAX_DEFINITION_LENGTH and utf16_length(text) > MAX_DEFINITION_LENGTH


class _Machine:
    __slots__ = ("language", "report", "scopes", "seen")

    def __init__(self, report: Report) -> None:
        self.report = report
        self.language = fields.JSONPATH
        self.scopes: list[Scope] = []
        self.seen: set[str] = set()

    def run(self, raw: Mapping[str, Any]) -> None:
        # Measured (floci-io/floci #2968): the machine is JSONPath when QueryLanguage is absent
        # or exactly "JSONPath"; any other value makes it JSONata (and is reported against the
        # enum on its own).
        if "QueryLanguage" in raw and raw["QueryLanguage"] != fields.JSONPATH:
            self.language = fields.JSONATA
        self.container(raw, "", fields.ROOT, top_level=True)
        for scope in self.scopes:
            analyse(scope, self.report)

    def container(
        self, obj: Mapping[str, Any], location: str, allowed: frozenset[str], top_level: bool
    ) -> None:
        """The machine, a Parallel branch, or a Map's ItemProcessor/Iterator."""
        report = self.report
        here = location or "/"
        report.required(obj, ("StartAt", "States"), here)
        report.unsupported(obj, allowed, here)
        scope = Scope(location, top_level)
        self.scopes.append(scope)
        for key, value in obj.items():
            where = f"{location}/{key}"
            if key not in allowed:
                continue
            if key == "StartAt":
                if report.string(value, where):
                    scope.start_at = value
            elif key == "States":
                self.states(value, where, scope)
            elif key == "Comment":
                report.string(value, where)
            elif key == "ProcessorConfig":
                self.processor_config(value, where)
            elif key == "QueryLanguage":
                report.enum(value, fields.QUERY_LANGUAGES, where)
            elif key == "Version":
                report.enum(value, VERSIONS, where)
            elif key == "TimeoutSeconds":
                report.integer(value, where, 0, MAX_SECONDS)

    def nested(self, obj: Mapping[str, Any], location: str, allowed: frozenset[str]) -> None:
        self.container(obj, location, allowed, top_level=False)

    def states(self, value: Any, location: str, scope: Scope) -> None:
        if not self.report.object(value, location):
            return
        scope.has_states = True
        for name, spec in value.items():
            here = f"{location}/{name}"
            scope.state(name, here)
            self.state(name, spec, here, scope)

    def state(self, name: str, spec: Any, location: str, scope: Scope) -> None:
        report = self.report
        if not report.object(spec, location):
            scope.malformed = True
            return
        if not 1 <= utf16_length(name) <= MAX_STATE_NAME_LENGTH:
            report.add(INVALID_STATE_NAME, messages.invalid_state_name(name), location)
        # State names are unique in the whole machine, nested sets of states included:
        # https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html
        if name in self.seen:
            report.add(DUPLICATE_STATE_NAME, messages.duplicate_state_name(name), location)
        self.seen.add(name)

        language = self.language
        downgraded = False
        if "QueryLanguage" in spec:
            own = spec["QueryLanguage"]
            language = fields.JSONPATH if own == fields.JSONPATH else fields.JSONATA
            downgraded = self.language == fields.JSONATA and own == fields.JSONPATH
            if downgraded:
                report.schema(messages.QUERY_LANGUAGE_DOWNGRADE, location)

        if "Type" not in spec:
            report.schema(messages.required(("Type",)), location)
            scope.malformed = True
            return
        kind = spec["Type"]
        if not report.enum(kind, fields.STATE_TYPES, f"{location}/Type"):
            scope.malformed = True
            return
        site = Site(
            report,
            name,
            location,
            scope,
            jsonata=language == fields.JSONATA,
            nested=self.nested,
            kind=kind,
        )
        check_state(site, spec, kind, check_language=not downgraded)

    def processor_config(self, value: Any, location: str) -> None:
        # https://docs.aws.amazon.com/step-functions/latest/dg/state-map.html: Mode INLINE
        # (default) or DISTRIBUTED; ExecutionType STANDARD or EXPRESS, for DISTRIBUTED only.
        report = self.report
        if not report.object(value, location):
            return
        report.unsupported(value, fields.PROCESSOR_CONFIG, location)
        mode = value.get("Mode", "INLINE")
        if "Mode" in value:
            report.enum(mode, fields.PROCESSOR_MODES, f"{location}/Mode")
        if "ExecutionType" in value:
            where = f"{location}/ExecutionType"
            if report.enum(value["ExecutionType"], fields.EXECUTION_TYPES, where) and (
                mode != "DISTRIBUTED"
            ):
                report.schema(messages.EXECUTION_TYPE_NEEDS_DISTRIBUTED, where)
        elif mode == "DISTRIBUTED":
            report.schema(messages.required(("ExecutionType",)), location)
