"""Validate a definition given as JSON text, as ValidateStateMachineDefinition receives it.

Reading follows the service's parser (Jackson ``ObjectMapper.readTree``): only the first JSON
value is read and anything after it is ignored; ``NaN``/``Infinity`` are not numbers; text that
is only white space holds no value.  A syntax error becomes one INVALID_JSON_DESCRIPTION
diagnostic with Jackson's message (see json_syntax.py); a value that is not an object becomes
SCHEMA_VALIDATION_FAILED "Definition must be a valid JSON object" (recorded for " ",
LocalStack snapshot test_sfn_api_validation.snapshot.json).
"""

from __future__ import annotations

import json
from typing import Any

from asl.validation import messages
from asl.validation.diagnostic import (
    ERROR,
    INVALID_JSON_DESCRIPTION,
    SCHEMA_VALIDATION_FAILED,
    TOO_DEEPLY_NESTED,
    Diagnostic,
)
from asl.validation.json_syntax import describe
from asl.validation.machine import (
    MAX_DEFINITION_LENGTH,
    not_an_object,
    utf16_length,
    validate_parsed,
)

_WHITE_SPACE = " \t\r\n"  # the only white space JSON (and Jackson) allows between tokens


def _not_a_number(name: str) -> Any:
    raise ValueError(name)


def _integer(digits: str) -> int | float:
    try:
        return int(digits)
    except ValueError:  # beyond Python's int/str conversion limit (4300 digits)
        return float(digits)


_DECODER = json.JSONDecoder(parse_constant=_not_a_number, parse_int=_integer)


def validate_definition_text(text: str) -> tuple[Any | None, list[Diagnostic]]:
    """(the parsed definition or None, its diagnostics).  Never raises."""
    if not isinstance(text, str):
        return None, [not_an_object()]
    if len(text) > MAX_DEFINITION_LENGTH and utf16_length(text) > MAX_DEFINITION_LENGTH:
        return None, [
            Diagnostic(ERROR, SCHEMA_VALIDATION_FAILED, messages.DEFINITION_TOO_LARGE, "")
        ]
    start = len(text) - len(text.lstrip(_WHITE_SPACE))
    if start == len(text):
        return None, [not_an_object()]
    try:
        value, _ = _DECODER.raw_decode(text, start)
    except (ValueError, RecursionError):
        return None, [_syntax_error(text)]
    if not isinstance(value, dict):
        # The fast parser stops early on some input Jackson refuses ("01", "1x", "truex").
        found = describe(text)
        if found is not None:
            return None, [Diagnostic(ERROR, INVALID_JSON_DESCRIPTION, found[0], found[1])]
    return value, validate_parsed(value, check_size=False)


def _syntax_error(text: str) -> Diagnostic:
    found = describe(text)
    if found is None:  # valid JSON the fast parser could not hold: nesting too deep
        return Diagnostic(ERROR, TOO_DEEPLY_NESTED, messages.TOO_DEEPLY_NESTED, "")
    return Diagnostic(ERROR, INVALID_JSON_DESCRIPTION, found[0], found[1])
