"""One state: its type, its fields, their values, and the rules between them.

Per-type field lists: fields.py.  The state pages give each field's meaning and range:
https://docs.aws.amazon.com/step-functions/latest/dg/state-pass.html, state-task.html,
state-choice.html, state-wait.html, state-succeed.html, state-fail.html, state-parallel.html,
state-map.html (same directory).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from asl.validation import (
    choice_rules,
    error_handling,
    expressions,
    fields,
    jsonata_fields,
    messages,
    variables,
)
from asl.validation.report import MAX_SECONDS, is_jsonata
from asl.validation.site import Site

# arn:partition:service:region:account:resource; region and account may be empty, as in
# service integrations ("arn:aws:states:::lambda:invoke").  "foo" is refused with
# messages.INVALID_RESOURCE_ARN.  Whether the named service integration exists is not checked.
_ARN = re.compile(r"arn:[A-Za-z0-9-]+:[A-Za-z0-9-]+:[A-Za-z0-9-]*:[0-9]*:\S+")

_WAIT_FIELDS = ("Seconds", "Timestamp", "SecondsPath", "TimestampPath")
_PROCESSORS = ("ItemProcessor", "Iterator")

Check = Callable[[Site, Any, str], None]


def check_state(
    site: Site, spec: Mapping[str, Any], kind: str, check_language: bool = True
) -> None:
    """``spec`` is a state object whose Type is ``kind`` (one of fields.STATE_TYPES).

    ``check_language`` is False for a state that declares JSONPath in a JSONata machine: AWS
    then reports only that (measured, floci-io/floci #2968), not its other-language fields.
    """
    report = site.report
    allowed = fields.STATE_FIELDS[kind]
    skipped = _language_fields(site, spec, allowed) if check_language else set()
    if kind == "Task":
        report.required(spec, ("Resource",), site.location)
    elif kind == "Choice":
        report.required(spec, ("Choices",), site.location)
    elif kind == "Parallel":
        report.required(spec, ("Branches",), site.location)
    report.unsupported(spec, allowed, site.location)
    if kind in fields.TRANSITIONING:
        _next_or_end(site, spec)
    for key, value in spec.items():
        if key in allowed and key not in skipped:
            where = f"{site.location}/{key}"
            before = len(report.diagnostics)
            check = _CHECKS.get(key)
            if check is not None:
                check(site, value, where)
            if site.jsonata and len(report.diagnostics) == before:
                available = jsonata_fields.available_in(kind, key)
                jsonata_fields.check_field(report, key, value, where, available)
    _RULES[kind](site, spec)
    if kind in ("Succeed", "Fail") or (kind in fields.TRANSITIONING and spec.get("End") is True):
        site.scope.terminal = True


def _language_fields(site: Site, spec: Mapping[str, Any], allowed: frozenset[str]) -> set[str]:
    """Fields of the other query language: reported at the state, not checked further."""
    if site.jsonata:
        language, foreign = fields.JSONATA, fields.JSONPATH_ONLY
    else:
        language, foreign = fields.JSONPATH, fields.JSONATA_ONLY
    found = {key for key in spec if key in foreign and key in allowed}
    for key in spec:
        if key in found:
            site.report.schema(messages.field_of_other_language(language, key), site.location)
    return found


def _next_or_end(site: Site, spec: Mapping[str, Any]) -> None:
    report = site.report
    has_next = "Next" in spec
    if has_next and spec.get("End") is True:
        report.schema(messages.NEXT_AND_END, site.location)
    elif not has_next and spec.get("End") is not True:
        # UNVERIFIED: modelled on the recorded Choice Rule case ("These fields are required:
        # [Next]"); a state must either name its Next or set "End": true.
        report.schema(messages.required(("Next",)), site.location)


# -- single fields, by name (the same name means the same thing in every state type) -------


def _string(site: Site, value: Any, location: str) -> None:
    site.report.string(value, location)


def _query_language(site: Site, value: Any, location: str) -> None:
    site.report.enum(value, fields.QUERY_LANGUAGES, location)


def _path(site: Site, value: Any, location: str) -> None:
    expressions.check_path(site.report, value, location)


def _result_path(site: Site, value: Any, location: str) -> None:
    expressions.check_reference_path(site.report, value, location, nullable=True, data_only=True)


def _reference_path(site: Site, value: Any, location: str) -> None:
    expressions.check_reference_path(site.report, value, location)


def _next(site: Site, value: Any, location: str) -> None:
    site.transition(value, location)


def _end(site: Site, value: Any, location: str) -> None:
    site.report.boolean(value, location)


def _template(site: Site, value: Any, location: str) -> None:
    expressions.check_template(site.report, value, location)


def _object_template(site: Site, value: Any, location: str) -> None:
    if site.report.object(value, location):
        expressions.check_template(site.report, value, location)


def _assign(site: Site, value: Any, location: str) -> None:
    available = jsonata_fields.available_in(site.kind, "Assign")
    variables.check_assign(site.report, value, location, site.jsonata, available)


def _payload(site: Site, value: Any, location: str) -> None:
    """ItemSelector, Credentials, and JSONata's Arguments: an object; in a JSONata state also
    a single expression (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html).
    Refusing other values with this message is UNVERIFIED."""
    if site.jsonata:
        if not is_jsonata(value):
            site.report.object(value, location)
    else:
        _object_template(site, value, location)


def _items(site: Site, value: Any, location: str) -> None:
    # JSONata only: "a JSON array, a JSON object, or a JSONata expression" (Map state,
    # https://docs.aws.amazon.com/step-functions/latest/dg/state-map.html).  Refusing other
    # values with this message is UNVERIFIED.
    if not isinstance(value, (list, Mapping)) and not is_jsonata(value):
        site.report.schema(messages.expected_type("ARRAY"), location)


def _resource(site: Site, value: Any, location: str) -> None:
    if site.report.string(value, location) and _ARN.fullmatch(value) is None:
        site.report.schema(messages.INVALID_RESOURCE_ARN, location)


def _positive_seconds(site: Site, value: Any, location: str) -> None:
    site.report.integer(value, location, 1, MAX_SECONDS, jsonata=site.jsonata)


def _seconds(site: Site, value: Any, location: str) -> None:
    site.report.integer(value, location, 0, MAX_SECONDS, jsonata=site.jsonata)


def _timestamp(site: Site, value: Any, location: str) -> None:
    if site.jsonata and is_jsonata(value):
        return
    if site.report.string(value, location) and not expressions.timestamp_ok(value):
        site.report.schema(messages.INVALID_TIMESTAMP, location)


def _fail_path(site: Site, value: Any, location: str) -> None:
    expressions.check_string_producing(site.report, value, location)


def _branches(site: Site, value: Any, location: str) -> None:
    if site.report.array(value, location, min_items=1):
        for index, branch in enumerate(value):
            here = f"{location}[{index}]"
            if site.report.object(branch, here):
                site.nested(branch, here, fields.BRANCH)


def _processor(allowed: frozenset[str]) -> Check:
    def check(site: Site, value: Any, location: str) -> None:
        if site.report.object(value, location):
            site.nested(value, location, allowed)

    return check


def _non_negative(site: Site, value: Any, location: str) -> None:
    site.report.integer(value, location, 0, jsonata=site.jsonata)


def _percentage(site: Site, value: Any, location: str) -> None:
    site.report.number(value, location, 0, 100, jsonata=site.jsonata)


def _object(site: Site, value: Any, location: str) -> None:
    site.report.object(value, location)


_CHECKS: dict[str, Check] = {
    "Comment": _string,
    "QueryLanguage": _query_language,
    "InputPath": _path,
    "OutputPath": _path,
    "Next": _next,
    "End": _end,
    "ResultPath": _result_path,
    "Parameters": _template,
    "ResultSelector": _object_template,
    "Credentials": _payload,
    "Arguments": _payload,
    "Assign": _assign,
    "Resource": _resource,
    "TimeoutSeconds": _positive_seconds,
    "HeartbeatSeconds": _positive_seconds,
    "TimeoutSecondsPath": _reference_path,
    "HeartbeatSecondsPath": _reference_path,
    "Retry": error_handling.check_retry,
    "Catch": error_handling.check_catch,
    "Choices": choice_rules.check_choices,
    "Default": _next,
    "Seconds": _seconds,
    "Timestamp": _timestamp,
    "SecondsPath": _reference_path,
    "TimestampPath": _reference_path,
    "Error": _string,
    "Cause": _string,
    "ErrorPath": _fail_path,
    "CausePath": _fail_path,
    "Branches": _branches,
    "ItemProcessor": _processor(fields.ITEM_PROCESSOR),
    "Iterator": _processor(fields.ITERATOR),
    "ItemsPath": _reference_path,
    "ItemSelector": _payload,
    "Items": _items,
    "MaxConcurrency": _non_negative,
    "MaxConcurrencyPath": _reference_path,
    "ToleratedFailurePercentage": _percentage,
    "ToleratedFailurePercentagePath": _reference_path,
    "ToleratedFailureCount": _non_negative,
    "ToleratedFailureCountPath": _reference_path,
    "Label": _string,
    "ItemReader": _object,
    "ItemBatcher": _object,
    "ResultWriter": _object,
}


# -- rules between fields, by state type ----------------------------------------------------


def _no_rules(site: Site, spec: Mapping[str, Any]) -> None:
    return None


def _task_rules(site: Site, spec: Mapping[str, Any]) -> None:
    report = site.report
    report.exclusive(spec, ("TimeoutSeconds", "TimeoutSecondsPath"), site.location)
    report.exclusive(spec, ("HeartbeatSeconds", "HeartbeatSecondsPath"), site.location)
    # https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html: "This value must be
    # less than the number of seconds specified in the TimeoutSeconds field."
    timeout, heartbeat = spec.get("TimeoutSeconds"), spec.get("HeartbeatSeconds")
    if type(timeout) is int and type(heartbeat) is int and 0 < timeout <= heartbeat <= MAX_SECONDS:
        report.schema(messages.HEARTBEAT_NOT_BELOW_TIMEOUT, f"{site.location}/HeartbeatSeconds")


def _wait_rules(site: Site, spec: Mapping[str, Any]) -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html: exactly one of
    # Seconds, Timestamp, SecondsPath, TimestampPath.
    present = [key for key in _WAIT_FIELDS if key in spec]
    if len(present) != 1:
        site.report.schema(messages.exactly_one(_WAIT_FIELDS), site.location)


def _fail_rules(site: Site, spec: Mapping[str, Any]) -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html: "You can specify
    # either Cause or CausePath, but not both" (and the same for Error and ErrorPath).
    site.report.exclusive(spec, ("Error", "ErrorPath"), site.location)
    site.report.exclusive(spec, ("Cause", "CausePath"), site.location)


def _map_rules(site: Site, spec: Mapping[str, Any]) -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/state-map.html: ItemProcessor
    # replaces the deprecated Iterator; ItemSelector replaces the deprecated Parameters.
    report = site.report
    present = [key for key in _PROCESSORS if key in spec]
    if len(present) != 1:
        report.schema(messages.exactly_one(_PROCESSORS), site.location)
    report.exclusive(spec, ("ItemSelector", "Parameters"), site.location)
    report.exclusive(spec, ("MaxConcurrency", "MaxConcurrencyPath"), site.location)
    report.exclusive(
        spec, ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"), site.location
    )
    report.exclusive(spec, ("ToleratedFailureCount", "ToleratedFailureCountPath"), site.location)


_RULES: dict[str, Callable[[Site, Mapping[str, Any]], None]] = {
    "Pass": _no_rules,
    "Task": _task_rules,
    "Choice": _no_rules,
    "Wait": _wait_rules,
    "Succeed": _no_rules,
    "Fail": _fail_rules,
    "Parallel": _no_rules,
    "Map": _map_rules,
}
