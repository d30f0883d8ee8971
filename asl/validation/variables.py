"""Assign: workflow variables set by a state, a Choice Rule or a Catcher.

https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
* Assign is available "at the top level of each state (except Succeed and Fail), inside Choice
  state rules, and inside Catch fields" (the field lists in fields.py refuse it elsewhere);
* each top-level key names a variable: a Unicode identifier (ID_Start, then ID_Continue), at
  most 80 characters, not the reserved ``states``; a part of a variable cannot be assigned
  (``"x.y"``, ``"x[2]"``);
* in a JSONPath state a key ``"name.$"`` assigns variable ``name`` the value of a path or an
  intrinsic function call; in a JSONata state values may hold ``{% %}`` expressions and a key
  is the name itself.

Assigning, in a Parallel branch or a Map iteration, a name that an outer scope assigns is an
error ("a variable assigned in an inner scope cannot have the same name as one assigned in an
outer scope"), but no AWS response refusing such a definition at create time has been recorded,
so it is left to the interpreter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asl.validation import expressions, jsonata_fields, messages
from asl.validation.report import Report

MAX_NAME_LENGTH = 80
RESERVED = "states"


def check_assign(
    report: Report,
    value: Any,
    location: str,
    jsonata: bool,
    available: frozenset[str] = jsonata_fields.NOTHING,
) -> None:
    """An Assign object at ``location``; ``available`` lists the optional ``$states`` fields
    its JSONata expressions may read."""
    if not report.object(value, location):
        return
    before = len(report.diagnostics)
    for key, item in value.items():
        if type(key) is not str:  # not from JSON text
            continue
        dynamic = not jsonata and key.endswith(".$") and len(key) > 2
        _check_name(report, key[:-2] if dynamic else key, location)
        if jsonata:
            jsonata_fields.check_value(report, item, f"{location}/{key}", available)
        elif dynamic:
            if not expressions.dynamic_value_ok(item):
                report.schema(messages.invalid_dynamic_value(key), location)
        elif isinstance(item, (Mapping, list)):
            expressions.check_template(report, item, f"{location}/{key}")
    if jsonata and len(report.diagnostics) == before:
        jsonata_fields.cross_check(report, "Assign", value, location)


def name_error(name: str) -> str | None:
    """Why ``name`` cannot be a variable name, or None."""
    if name == RESERVED:
        return messages.reserved_variable_name(name)
    if not is_identifier(name):
        return messages.invalid_variable_name(name)
    if _utf16_length(name) > MAX_NAME_LENGTH:
        return messages.variable_name_too_long(name)
    return None


def is_identifier(name: str) -> bool:
    """ID_Start followed by ID_Continue characters (UAX #31).  ``str.isidentifier`` checks
    the XID_ forms of the same sets (they differ in a handful of compatibility characters)
    and also admits "_" first, which is not an ID_Start character."""
    return name.isidentifier() and name[0] != "_"


def _check_name(report: Report, name: str, location: str) -> None:
    error = name_error(name)
    if error is not None:
        report.schema(error, location)


def _utf16_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-16-le", "surrogatepass")) // 2
