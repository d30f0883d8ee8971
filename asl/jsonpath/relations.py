"""The comparison operators of filter expressions, with Jayway JsonPath's semantics.

Operands are plain JSON values, plus :data:`UNDEFINED` (a path that found nothing) and
:class:`Pattern` (a ``/regex/flags`` literal).  Each operator mirrors one of Jayway's
``EvaluatorFactory`` evaluators and its ``ValueNode.equals`` rules:

* ``==`` compares a number with a string numerically when the string reads as a number
  (``1 == '1'``), and a string with a number by the number's text (``'1' == 1``);
  other mixed types are unequal; ``===`` / ``!==`` also require the same type.
* ``<`` ``<=`` ``>`` ``>=`` compare two numbers or two strings (Java ``compareTo``);
  any other pair is false.
* ``=~`` matches the whole string (Java ``Matcher.matches``).
* An operator that cannot apply to its operands raises :class:`InvalidPath`, which makes
  the whole filter reject the item, as Jayway does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from asl.java import compare_strings
from asl.jsonpath.java import (
    json_equals,
    number_text,
    parse_big_decimal,
    string_length,
    to_decimal,
)
from asl.jsonpath.tokens import InvalidPath


class _Undefined:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNDEFINED"


UNDEFINED: Any = _Undefined()


class Pattern:
    """A ``/regex/flags`` literal.  Java flags ``i m s x`` map to Python's; like Java without
    ``U``, ``\\w`` ``\\d`` ``\\s`` and case folding are ASCII-only."""

    __slots__ = ("regex", "text")

    def __init__(self, body: str, flags: str) -> None:
        options = 0 if ("U" in flags or "u" in flags) else re.ASCII
        for flag, option in (
            ("i", re.IGNORECASE),
            ("m", re.MULTILINE),
            ("s", re.DOTALL),
            ("x", re.VERBOSE),
        ):
            if flag in flags:
                options |= option
        self.regex = re.compile(body, options)
        self.text = f"/{body}/{flags}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pattern) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


NUM, STR, BOOL, NULL, JSON, UNDEF, PAT = range(7)


def kind(value: Any) -> int:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, (int, float)):
        return NUM
    if isinstance(value, str):
        return STR
    if isinstance(value, (list, dict)):
        return JSON
    if isinstance(value, Pattern):
        return PAT
    return UNDEF


def equals(left: Any, right: Any) -> bool:
    """``left.equals(right)`` for Jayway value nodes (note: not symmetric)."""
    left_kind, right_kind = kind(left), kind(right)
    if left_kind == NUM:
        if right_kind == NUM:
            return bool(left == right)
        if right_kind == STR:
            number = parse_big_decimal(right)
            return number is not None and to_decimal(left) == number
        return False
    if left_kind == STR:
        if right_kind == STR:
            return bool(left == right)
        return right_kind == NUM and left == number_text(right)
    if left_kind in (BOOL, PAT):
        return right_kind == left_kind and bool(left == right)
    if left_kind == NULL:
        return right_kind == NULL
    if left_kind == JSON:
        return right_kind == JSON and json_equals(left, right)
    return False


def _order(left: Any, right: Any) -> int | None:
    left_kind, right_kind = kind(left), kind(right)
    if left_kind == NUM and right_kind == NUM:
        return -1 if left < right else (1 if left > right else 0)
    if left_kind == STR and right_kind == STR:
        return compare_strings(left, right)
    return None


def _items(value: Any, side_is_json: bool) -> list[Any] | None:
    """A value-list operand: the items of a JSON array, None for another JSON value."""
    if not side_is_json:
        raise InvalidPath("Expected value list node")
    return value if isinstance(value, list) else None


def _text(value: Any) -> str:
    """What ``=~`` matches against: strings, numbers and booleans as text, else ""."""
    value_kind = kind(value)
    if value_kind == STR:
        return str(value)
    if value_kind == NUM:
        return number_text(value)
    if value_kind == BOOL:
        return "true" if value else "false"
    return ""


def _regex(left: Any, right: Any) -> bool:
    if (kind(left) == PAT) == (kind(right) == PAT):
        return False
    pattern, subject = (left, right) if kind(left) == PAT else (right, left)
    match = pattern.regex.fullmatch
    if isinstance(subject, list):
        return any(match(_text(item)) is not None for item in subject)
    return match(_text(subject)) is not None


def _in(left: Any, right: Any) -> bool:
    items = _items(right, kind(right) == JSON)
    return items is not None and any(equals(left, item) for item in items)


def _contains(left: Any, right: Any) -> bool:
    if kind(left) == STR and kind(right) == STR:
        return str(right) in str(left)
    if isinstance(left, list):
        return any(equals(right, item) for item in left)
    return False


def _size(left: Any, right: Any) -> bool:
    if kind(right) != NUM:
        return False
    expected = int(right)
    if kind(left) == STR:
        return string_length(left) == expected
    if kind(left) == JSON:
        return (len(left) if isinstance(left, list) else -1) == expected
    return False


def _empty(left: Any, right: Any) -> bool:
    if kind(right) != BOOL:
        return False
    if kind(left) in (STR, JSON):
        return (len(left) == 0) is right
    return False


def _lists(left: Any, right: Any) -> tuple[list[Any], list[Any]] | None:
    right_items = _items(right, kind(right) == JSON)
    if right_items is None:
        return None
    left_items = _items(left, kind(left) == JSON)
    return None if left_items is None else (left_items, right_items)


def _subsetof(left: Any, right: Any) -> bool:
    pair = _lists(left, right)
    return pair is not None and all(any(equals(a, b) for b in pair[1]) for a in pair[0])


def _anyof(left: Any, right: Any) -> bool:
    pair = _lists(left, right)
    return pair is not None and any(equals(a, b) for a in pair[0] for b in pair[1])


def _noneof(left: Any, right: Any) -> bool:
    pair = _lists(left, right)
    return pair is not None and not any(equals(a, b) for a in pair[0] for b in pair[1])


def _exists(left: Any, right: Any) -> bool:
    if kind(left) != BOOL or kind(right) != BOOL:
        raise InvalidPath("Expected boolean node")
    return bool(left == right)


def _unusable(left: Any, right: Any) -> bool:
    # 'all', 'type' and 'matches' need operand nodes a filter string cannot produce.
    raise InvalidPath("Operands not supported by this operator")


def _lt(left: Any, right: Any) -> bool:
    order = _order(left, right)
    return order is not None and order < 0


def _le(left: Any, right: Any) -> bool:
    order = _order(left, right)
    return order is not None and order <= 0


def _gt(left: Any, right: Any) -> bool:
    order = _order(left, right)
    return order is not None and order > 0


def _ge(left: Any, right: Any) -> bool:
    order = _order(left, right)
    return order is not None and order >= 0


def _tseq(left: Any, right: Any) -> bool:
    return kind(left) == kind(right) and equals(left, right)


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": equals,
    "!=": lambda left, right: not equals(left, right),
    "===": _tseq,
    "!==": lambda left, right: not _tseq(left, right),
    "<": _lt,
    "<=": _le,
    ">": _gt,
    ">=": _ge,
    "=~": _regex,
    "in": _in,
    "nin": lambda left, right: not _in(left, right),
    "contains": _contains,
    "size": _size,
    "empty": _empty,
    "subsetof": _subsetof,
    "anyof": _anyof,
    "noneof": _noneof,
    "exists": _exists,
    "all": _unusable,
    "type": _unusable,
    "matches": _unusable,
}
