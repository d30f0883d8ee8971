"""Argument checks shared by the intrinsic functions.

Step Functions runs on the JVM: numeric arguments become Java ``int`` values, and a
non-integer is either truncated (a Java ``(int)`` cast) or rounded (``Math.round``) depending
on the function.  Which one each function uses was recorded against AWS (see the functions'
modules); the docs say "round off to the nearest integer" for all of them
(https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html).
"""

from __future__ import annotations

import math
from typing import Any, cast

from asl.intrinsics.failure import invalid_arguments

INT_MIN = -(2**31)
INT_MAX = 2**31 - 1


def truncated_int(value: Any, name: str) -> int:
    """A number as a Java ``(int)`` cast sees it: fractions are dropped toward zero."""
    kind = type(value)
    if kind is int:
        return int(value)
    if kind is float and math.isfinite(value):
        return int(value)
    raise invalid_arguments(name)


def rounded_int(value: Any, name: str) -> int:
    """A number as Java's ``Math.round`` sees it: halves go up (2.5 -> 3, -2.5 -> -2)."""
    kind = type(value)
    if kind is int:
        return int(value)
    if kind is float and math.isfinite(value):
        floor: int = math.floor(value)
        # value - floor is exact for doubles, so 0.49999999999999994 stays below one half.
        return floor + 1 if value - floor >= 0.5 else floor
    raise invalid_arguments(name)


def in_int_range(*values: int) -> bool:
    return all(INT_MIN <= value <= INT_MAX for value in values)


def string_arg(value: Any, name: str) -> str:
    if type(value) is not str:
        raise invalid_arguments(name)
    return value


def list_arg(value: Any, name: str) -> list[Any]:
    if type(value) is not list:
        raise invalid_arguments(name)
    return value  # the caller's list itself, never a copy


def object_arg(value: Any, name: str) -> dict[str, Any]:
    if type(value) is not dict:
        raise invalid_arguments(name)
    return cast("dict[str, Any]", value)


def utf16_length(text: str) -> int:
    """Length as Java counts it (UTF-16 code units): the unit of AWS's character limits."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def within_char_limit(text: str, limit: int) -> bool:
    if len(text) <= limit // 2:  # every code point is at most two UTF-16 units
        return True
    return utf16_length(text) <= limit
