"""Intrinsic for generic operations: States.Format(template, values...).

https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-generic
"The interpreter returns the string defined in the first argument with each {} replaced by the
value of the positionally-corresponding argument."  ``{``, ``}``, ``'`` and ``\\`` are
reserved; written ``\\{``, ``\\}``, ``\\'`` and ``\\\\`` they stand for themselves
(https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#amazon-states-language-intrinsic-functions-escapes).
So the template of a literal is read from its source text, where ``\\{}`` is a brace and not
a placeholder.  A template taken from a path or a nested call is read from its value, where a
backslash escapes a reserved character and stands for itself otherwise (unverified).

Recorded on AWS: a placeholder count that differs from the number of values, a lone ``{`` or
``}`` and ``{{}}`` all fail when the state runs, not when the definition is created, with
``States.Runtime``; the exact cause texts below are not recorded (unverified).  Values are
written as Java writes them (see :mod:`asl.intrinsics.javatext`): ``null`` is ``"null"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from asl.intrinsics.calls import Arg, Evaluator, evaluator, failing
from asl.intrinsics.failure import FunctionFailure, invalid_arguments
from asl.intrinsics.javatext import string_value
from asl.scope import Scope

FORMAT = "States.Format"

RESERVED = "'{}\\"
COUNT_MISMATCH = (
    "Invalid arguments in States.Format: number of arguments do not match the occurrences of {}."
)
UNMATCHED_OPEN = "Invalid template in States.Format: matching '}' not found for '{'."
UNMATCHED_CLOSE = "Invalid template in States.Format: matching '{' not found for '}'."


def parse_template(text: str) -> tuple[str, ...]:
    """The literal pieces between placeholders: ``'a{}b{}'`` gives ``('a', 'b', '')``."""
    if "\\" not in text:
        pieces = tuple(text.split("{}"))
        for piece in pieces:
            if "{" in piece:
                raise FunctionFailure(UNMATCHED_OPEN)
            if "}" in piece:
                raise FunctionFailure(UNMATCHED_CLOSE)
        return pieces
    found: list[str] = []
    current: list[str] = []
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char == "\\" and index + 1 < length and text[index + 1] in RESERVED:
            current.append(text[index + 1])
            index += 2
            continue
        if char == "{":
            if text.startswith("}", index + 1):
                found.append("".join(current))
                current = []
                index += 2
                continue
            raise FunctionFailure(UNMATCHED_OPEN)
        if char == "}":
            raise FunctionFailure(UNMATCHED_CLOSE)
        current.append(char)
        index += 1
    found.append("".join(current))
    return tuple(found)


def render(pieces: tuple[str, ...], values: Sequence[Any]) -> str:
    if len(values) != len(pieces) - 1:
        raise FunctionFailure(COUNT_MISMATCH)
    out = [pieces[0]]
    for value, piece in zip(values, pieces[1:], strict=True):
        out.append(string_value(value))
        out.append(piece)
    return "".join(out)


def build_format(template_source: str | None, args: Sequence[Arg]) -> Evaluator:
    """The evaluator of ``States.Format``; ``template_source`` is the text of a literal
    template between its quotes, or None when the template is computed."""
    template_arg, value_args = args[0], args[1:]
    values = tuple(map(evaluator, value_args))
    if template_source is None:
        return _computed_template(evaluator(template_arg), values)
    try:
        pieces = parse_template(template_source)
    except FunctionFailure as failure:
        return failing(failure.detail)
    if len(pieces) - 1 != len(values):
        return failing(COUNT_MISMATCH)
    if len(values) == 1:
        before, after = pieces
        only = values[0]
        return lambda data, scope: before + string_value(only(data, scope)) + after

    first = pieces[0]
    rest = tuple(zip(values, pieces[1:], strict=True))

    def format_literal(data: Any, scope: Scope) -> str:
        out = [first]
        for each, piece in rest:
            out.append(string_value(each(data, scope)))
            out.append(piece)
        return "".join(out)

    return format_literal


def _computed_template(template: Evaluator, values: tuple[Evaluator, ...]) -> Evaluator:
    def format_computed(data: Any, scope: Scope) -> str:
        text = template(data, scope)
        arguments = [each(data, scope) for each in values]
        if type(text) is not str:
            raise invalid_arguments(FORMAT)
        return render(parse_template(text), arguments)

    return format_computed
