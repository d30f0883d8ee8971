"""JSONata expressions in the fields of a JSONata state, checked when the definition loads.

https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html: in a JSONata
state a string that is wholly ``{% ... %}`` is a JSONata expression, wherever it stands inside
Arguments, Output, Assign, ItemSelector, Items, ItemReader, ItemBatcher, ResultWriter and the
fields that take one value (Condition, TimeoutSeconds, HeartbeatSeconds, Seconds, Timestamp,
MaxConcurrency, ToleratedFailure*, Error, Cause).  Any other string is a literal.

What AWS reports, as measured with ``aws stepfunctions validate-state-machine-definition``
(floci-io/floci #2745, #2670, PR #2699, PR #2786):

* an expression that does not parse: INVALID_JSONATA_EXPRESSION with JSONata's message without
  its code (``Expected "]", got ","``; ``Unexpected end of expression`` for ``{% %}``).  The
  engine the loader compiles with (asl.jsonata) decides, and gives code and message; it also
  refuses ``$eval``, as UNSUPPORTED_JSONATA_EXPRESSION;
* a read of the context item at the top level, ``$$``, and ``$states.errorOutput`` outside a
  Catcher's Output/Assign (``$states.result`` outside the Output/Assign of a Task, Parallel or
  Map): UNSUPPORTED_JSONATA_EXPRESSION (jsonata_references.py);

each located at the string itself: the field, then ``/key`` per object key and ``[i]`` per array
index (``/States/E/Output/a/b[0]``).  Comment, Next, ErrorEquals, a Resource and
ItemReader.ReaderConfig.CSVHeaders are never parsed.  Assign goes through variables.py, which
checks its names and then hands its values here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from asl.validation import messages
from asl.validation.diagnostic import INVALID_JSONATA_EXPRESSION, UNSUPPORTED_JSONATA_EXPRESSION
from asl.validation.expressions import collaborator
from asl.validation.jsonata_references import (
    ERROR_OUTPUT,
    RESULT,
    ROOT,
    TOP_LEVEL,
    Reference,
    references,
)
from asl.validation.report import Report, is_jsonata

NOTHING: frozenset[str] = frozenset()
# $states.result: "For Task, Parallel, and Map states ... the API or sub-workflow's raw result
# if successful", read by the state's Output and Assign; $states.errorOutput: "can be used in
# the Catch field's Assign or Output".
# https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
WITH_RESULT = frozenset({RESULT})
WITH_ERROR_OUTPUT = frozenset({ERROR_OUTPUT})
RESULT_STATES = frozenset({"Task", "Parallel", "Map"})
RESULT_FIELDS = frozenset({"Output", "Assign"})

# Fields of a JSONata state holding JSON values with expressions anywhere inside, and the
# places inside them that are never parsed (measured: CSVHeaders holds column names).
PAYLOAD_FIELDS: dict[str, frozenset[str]] = {
    "Arguments": NOTHING,
    "Output": NOTHING,
    "Items": NOTHING,
    "ItemSelector": NOTHING,
    "Credentials": NOTHING,
    "ItemReader": frozenset({"/Resource", "/ReaderConfig/CSVHeaders"}),
    "ItemBatcher": NOTHING,
    "ResultWriter": frozenset({"/Resource"}),
}
# Fields that take one value: a literal or a single expression.
VALUE_FIELDS = frozenset(
    {
        "TimeoutSeconds",
        "HeartbeatSeconds",
        "Seconds",
        "Timestamp",
        "MaxConcurrency",
        "ToleratedFailurePercentage",
        "ToleratedFailureCount",
        "Error",
        "Cause",
        "Condition",
    }
)

# JSONata error codes ("S0202: ...") are not part of AWS's message (floci-io/floci #2745).
_CODE = re.compile(r"\s*[A-Z][0-9]{4}\s*:\s*")


def available_in(state_type: str, field: str) -> frozenset[str]:
    """Which optional ``$states`` fields a state-level field may read."""
    if state_type in RESULT_STATES and field in RESULT_FIELDS:
        return WITH_RESULT
    return NOTHING


def check_field(
    report: Report, field: str, value: Any, location: str, available: frozenset[str]
) -> None:
    """A field of a JSONata state (or of its Catchers and Choice Rules): every expression in it.
    Fields that hold no expressions are left alone."""
    if field in VALUE_FIELDS:
        if is_jsonata(value):
            check_expression(report, value, location, available)
        return
    skipped = PAYLOAD_FIELDS.get(field)
    if skipped is None:
        return
    before = len(report.diagnostics)
    check_value(report, value, location, available, skipped)
    if not skipped and len(report.diagnostics) == before:
        cross_check(report, field, value, location)


def check_value(
    report: Report,
    value: Any,
    location: str,
    available: frozenset[str],
    skipped: frozenset[str] = NOTHING,
    relative: str = "",
) -> None:
    """Every ``{% %}`` string inside ``value`` (a JSON value), in document order."""
    if isinstance(value, str):
        if is_jsonata(value):
            check_expression(report, value, location, available)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            inner = f"{relative}/{key}"
            if inner not in skipped and isinstance(item, (str, Mapping, list)):
                check_value(report, item, f"{location}/{key}", available, skipped, inner)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, (str, Mapping, list)):
                check_value(report, item, f"{location}[{index}]", available, skipped, relative)


def check_expression(
    report: Report, template: str, location: str, available: frozenset[str]
) -> None:
    """One ``{% ... %}`` string."""
    source = template[2:-2]
    refusal = compile_error(source)
    if refusal is not None:
        report.add(*refusal, location)
        return
    for reference in references(source) or ():
        message = _refused(reference, available)
        if message is not None:
            report.add(UNSUPPORTED_JSONATA_EXPRESSION, message, location)


def compile_error(source: str) -> tuple[str, str] | None:
    """(code, message) for an expression the engine refuses, else None.  The engine's error
    carries AWS's code (INVALID_JSONATA_EXPRESSION for a syntax error; it refuses ``$eval``
    with UNSUPPORTED_JSONATA_EXPRESSION).  Nothing is reported while asl.jsonata is not
    importable."""
    compile_expression = collaborator("asl.jsonata", "compile_expression")
    if compile_expression is None:
        return None
    try:
        compile_expression(source)
    except RecursionError:
        raise
    except ImportError:
        return None
    except Exception as exc:  # a DefinitionError: the expression does not compile
        return _code_of(exc), aws_message(exc)
    return None


def _code_of(exc: Exception) -> str:
    code = getattr(exc, "code", None)
    if code in (INVALID_JSONATA_EXPRESSION, UNSUPPORTED_JSONATA_EXPRESSION):
        return str(code)
    return INVALID_JSONATA_EXPRESSION


def aws_message(exc: Exception) -> str:
    text = str(exc)
    match = _CODE.match(text)
    return text[match.end() :] if match else text


def _refused(reference: Reference, available: frozenset[str]) -> str | None:
    if reference.kind == TOP_LEVEL:
        return messages.top_level_reference(reference.name)
    if reference.kind == ROOT:
        return messages.ROOT_REFERENCE
    if reference.kind in (ERROR_OUTPUT, RESULT) and reference.kind not in available:
        return messages.missing_states_field(reference.kind)
    return None


def cross_check(report: Report, field: str, value: Any, location: str) -> None:
    """The loader compiles whole field values with asl.jsonata; whatever it still refuses is
    reported here, so a definition that validates always loads."""
    compile_value = collaborator("asl.jsonata", "compile_jsonata_value")
    if compile_value is None:
        return
    try:
        compile_value(value, field)
    except (RecursionError, ImportError):
        return
    except Exception as exc:
        report.add(_code_of(exc), aws_message(exc), location)
