"""Retry and Catch: retriers and catchers.

https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
Ranges from AWS's ASL schema (aws/amazon-states-language-service common.json): IntervalSeconds
0..99999999 (the page above says "positive"; the schema allows 0, and so do we), MaxAttempts
0..99999999, BackoffRate at least 1.0; MaxDelaySeconds 1..31622400 (366 days) and
JitterStrategy FULL or NONE from the same page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asl.validation import expressions, fields, jsonata_fields, messages, variables
from asl.validation.report import MAX_SECONDS, is_jsonata
from asl.validation.site import Site

ALL = "States.ALL"
MAX_DELAY_SECONDS = 31_622_400
_RETRIER_NUMBERS = frozenset({"IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds"})
# A Catcher's Output and Assign read the error output as $states.errorOutput.
WITH_ERROR_OUTPUT = jsonata_fields.WITH_ERROR_OUTPUT


def check_retry(site: Site, value: Any, location: str) -> None:
    report = site.report
    if not report.array(value, location):
        return
    for index, retrier in enumerate(value):
        here = f"{location}[{index}]"
        if not report.object(retrier, here):
            continue
        report.required(retrier, ("ErrorEquals",), here)
        report.unsupported(retrier, fields.RETRIER, here)
        for key, item in retrier.items():
            where = f"{here}/{key}"
            if key == "ErrorEquals":
                _error_equals(site, item, where, last=index == len(value) - 1)
            elif key in ("IntervalSeconds", "MaxAttempts"):
                report.integer(item, where, 0, MAX_SECONDS, jsonata=site.jsonata)
            elif key == "BackoffRate":
                report.number(item, where, 1.0, jsonata=site.jsonata)
            elif key == "MaxDelaySeconds":
                report.integer(item, where, 1, MAX_DELAY_SECONDS, jsonata=site.jsonata)
            elif key == "JitterStrategy":
                report.enum(item, fields.JITTER_STRATEGIES, where)
            elif key == "Comment":
                report.string(item, where)
            if site.jsonata and key in _RETRIER_NUMBERS and is_jsonata(item):
                jsonata_fields.check_expression(report, item, where, jsonata_fields.NOTHING)


def check_catch(site: Site, value: Any, location: str) -> None:
    report = site.report
    if not report.array(value, location):
        return
    for index, catcher in enumerate(value):
        here = f"{location}[{index}]"
        if not report.object(catcher, here):
            continue
        _catcher_language(site, catcher, here)
        report.required(catcher, ("ErrorEquals", "Next"), here)
        report.unsupported(catcher, fields.CATCHER, here)
        for key, item in catcher.items():
            where = f"{here}/{key}"
            if key == "ErrorEquals":
                _error_equals(site, item, where, last=index == len(value) - 1)
            elif key == "Next":
                site.transition(item, where)
            elif key == "ResultPath" and not site.jsonata:
                expressions.check_reference_path(report, item, where, nullable=True, data_only=True)
            elif key == "Assign":
                variables.check_assign(report, item, where, site.jsonata, WITH_ERROR_OUTPUT)
            elif key == "Output" and site.jsonata:
                jsonata_fields.check_field(report, key, item, where, WITH_ERROR_OUTPUT)
            elif key == "Comment":
                report.string(item, where)


def _catcher_language(site: Site, catcher: Mapping[str, Any], location: str) -> None:
    # UNVERIFIED location: the catcher (the state-level rule reports at the state).
    language, foreign = (
        (fields.JSONATA, fields.CATCHER_JSONPATH_ONLY)
        if site.jsonata
        else (fields.JSONPATH, fields.CATCHER_JSONATA_ONLY)
    )
    for key in catcher:
        if key in foreign:
            site.report.schema(messages.field_of_other_language(language, key), location)


def _error_equals(site: Site, value: Any, location: str, last: bool) -> None:
    report = site.report
    if not report.array(value, location, min_items=1):
        return
    for index, name in enumerate(value):
        where = f"{location}[{index}]"
        if not report.string(name, where):
            continue
        # "States.ALL" must be alone in its ErrorEquals and in the last retrier/catcher:
        # https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
        if name == ALL and (len(value) > 1 or not last):
            report.schema(messages.STATES_ALL_NOT_ALONE_OR_LAST, where)
