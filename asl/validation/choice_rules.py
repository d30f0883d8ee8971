"""Choice states: Choices, Default and each Choice Rule.

https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
A JSONPath rule holds a Variable and exactly one comparison operator, or one of And/Or/Not
over nested rules; a top-level rule also names its Next (recorded: "These fields are required:
[Next]" at /States/<state>/Choices[i], aws-cloudformation/cfn-lint#4077), a nested one may not.
A JSONata rule holds a Condition instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asl.validation import expressions, fields, jsonata_fields, messages, variables
from asl.validation.report import Report, is_jsonata
from asl.validation.site import Site


def check_choices(site: Site, value: Any, location: str) -> None:
    report = site.report
    if not report.array(value, location, min_items=1):
        return
    for index, rule in enumerate(value):
        here = f"{location}[{index}]"
        if site.jsonata:
            _jsonata_rule(site, rule, here)
        else:
            before = len(report.diagnostics)
            _rule(site, rule, here, top_level=True)
            if len(report.diagnostics) == before:
                _cross_check(report, rule, here)


def _rule(site: Site, rule: Any, location: str, top_level: bool) -> None:
    report = site.report
    if not report.object(rule, location):
        return
    allowed = fields.TOP_RULE_FIELDS if top_level else fields.RULE_FIELDS
    for key in rule:
        if key == "Condition":
            report.schema(messages.field_of_other_language(fields.JSONPATH, key), location)
        elif key not in allowed and key not in fields.OPERATORS:
            report.schema(messages.unsupported_field(key), location)
    if top_level:
        report.required(rule, ("Next",), location)
    operators = [key for key in rule if key in fields.OPERATORS]
    if len(operators) != 1:
        report.schema(messages.NO_COMPARISON_OPERATOR, location)
    operator = operators[0] if len(operators) == 1 else None
    if operator in fields.COMBINATORS:
        if "Variable" in rule:
            report.schema(messages.unsupported_field("Variable"), location)
    elif operator is not None:
        report.required(rule, ("Variable",), location)

    for key, value in rule.items():
        where = f"{location}/{key}"
        if key == "Variable":
            expressions.check_reference_path(report, value, where)
        elif key == "Next" and top_level:
            site.transition(value, where)
        elif key == "Comment":
            report.string(value, where)
        elif key == "Assign" and top_level:
            variables.check_assign(report, value, where, jsonata=False)
        elif key in fields.OPERATORS and key == operator:
            _operand(site, key, value, where)


def _operand(site: Site, operator: str, value: Any, location: str) -> None:
    report = site.report
    if operator in ("And", "Or"):
        if report.array(value, location, min_items=1):
            for index, rule in enumerate(value):
                _rule(site, rule, f"{location}[{index}]", top_level=False)
    elif operator == "Not":
        _rule(site, value, location, top_level=False)
    elif operator in fields.PATH_OPERATORS:
        expressions.check_reference_path(report, value, location)
    elif operator in fields.STRING_OPERATORS:
        report.string(value, location)
    elif operator in fields.NUMERIC_OPERATORS:
        report.number(value, location)
    elif operator in fields.BOOLEAN_OPERATORS or operator in fields.TYPE_TESTS:
        report.boolean(value, location)
    elif (
        operator in fields.TIMESTAMP_OPERATORS
        and report.string(value, location)
        and not expressions.timestamp_ok(value)
    ):
        report.schema(messages.INVALID_TIMESTAMP, location)


def _jsonata_rule(site: Site, rule: Any, location: str) -> None:
    report = site.report
    if not report.object(rule, location):
        return
    for key in rule:
        if key == "Variable" or key in fields.OPERATORS:
            report.schema(messages.field_of_other_language(fields.JSONATA, key), location)
        elif key not in fields.JSONATA_RULE_FIELDS:
            report.schema(messages.unsupported_field(key), location)
    report.required(rule, ("Condition", "Next"), location)
    for key, value in rule.items():
        where = f"{location}/{key}"
        if key == "Next":
            site.transition(value, where)
        elif key == "Condition":
            if type(value) is not bool and not is_jsonata(value):
                report.schema(messages.expected_type("BOOLEAN"), where)
            jsonata_fields.check_field(report, key, value, where, jsonata_fields.NOTHING)
        elif key == "Comment":
            report.string(value, where)
        elif key == "Assign":
            variables.check_assign(report, value, where, jsonata=True)
        elif key == "Output":
            jsonata_fields.check_field(report, key, value, where, jsonata_fields.NOTHING)


def _cross_check(report: Report, rule: Mapping[str, Any], location: str) -> None:
    """The loader compiles rules with asl.choice; anything it still refuses is reported here,
    so a definition that validates always loads."""
    compile_rule = expressions.collaborator("asl.choice", "compile_choice_rule")
    if compile_rule is None:
        return
    try:
        compile_rule(rule, top_level=True)
    except (RecursionError, ImportError):
        return
    except Exception as exc:
        report.schema(str(exc), location)
