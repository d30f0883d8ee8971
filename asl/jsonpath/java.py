"""The Java behaviours that show through Jayway JsonPath, the engine Step Functions runs.

Step Functions evaluates JSONPath with Jayway JsonPath (a Java library), so a few Java
semantics leak into results and error texts: how strings compare (UTF-16 code units), how
long a string is, how ``java.math.BigDecimal`` prints a number, the class names Jayway puts
in its messages and how it unescapes ``\\'`` inside quoted names.
https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html
("Paths follow JsonPath syntax", linking Jayway's project).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from asl.java import double_to_string

# Jayway's default provider; its class name appears in "Expected to find an object" messages.
JSON_PROVIDER = "com.jayway.jsonpath.spi.json.JsonSmartJsonProvider"

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1
# java.math.BigDecimal(String) syntax.
_BIG_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SIMPLE_ESCAPES = {
    "\\": "\\",
    "'": "'",
    '"': '"',
    "r": "\r",
    "f": "\f",
    "t": "\t",
    "n": "\n",
    "b": "\b",
}


def class_name(value: Any) -> str:
    """The Java class json-smart would use for a JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "java.lang.Boolean"
    if isinstance(value, int):
        if _INT_MIN <= value <= _INT_MAX:
            return "java.lang.Integer"
        return "java.lang.Long" if _LONG_MIN <= value <= _LONG_MAX else "java.math.BigInteger"
    if isinstance(value, float):
        return "java.lang.Double"
    if isinstance(value, str):
        return "java.lang.String"
    if isinstance(value, list):
        return "net.minidev.json.JSONArray"
    if isinstance(value, dict):
        return "net.minidev.json.JSONObject"
    return type(value).__name__


def to_string(value: Any) -> str:
    """``Object.toString()`` of a JSON value as Jayway prints it in messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return double_to_string(value)
    if isinstance(value, (int, str)):
        return str(value)
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    except (RecursionError, TypeError, ValueError):
        return "<unprintable>"


def number_text(value: int | float) -> str:
    """``new BigDecimal(number.toString()).toString()`` — how a number reads as a string."""
    if isinstance(value, float):
        # Python's Decimal prints with the same to-scientific-string rules as BigDecimal.
        return str(Decimal(double_to_string(value)))
    return str(value)


def parse_big_decimal(text: str) -> Decimal | None:
    """``new BigDecimal(text)``, or None where Java throws NumberFormatException."""
    return Decimal(text) if _BIG_DECIMAL.fullmatch(text) else None


def to_decimal(value: int | float) -> Decimal:
    return Decimal(double_to_string(value)) if isinstance(value, float) else Decimal(value)


def string_length(text: str) -> int:
    """``String.length()``: characters beyond the BMP count twice (surrogate pairs)."""
    return len(text) + sum(1 for char in text if char > "\uffff")


def unescape(text: str) -> str:
    """Jayway's ``Utils.unescape``: Java escapes; an unknown escape keeps the character."""
    if "\\" not in text:
        return text
    out: list[str] = []
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        index += 1
        if char != "\\":
            out.append(char)
            continue
        if index == length:
            out.append("\\")
            break
        char = text[index]
        index += 1
        if char == "u":
            digits = text[index : index + 4]
            if len(digits) != 4 or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise ValueError(f"Unable to parse unicode value: {digits}")
            out.append(chr(int(digits, 16)))
            index += 4
        else:
            out.append(_SIMPLE_ESCAPES.get(char, char))
    joined = "".join(out)
    # \uD83D\uDE00 arrives as two surrogates: join them as Java's UTF-16 strings would.
    return joined.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def json_equals(left: Any, right: Any) -> bool:
    """``Object.equals`` on parsed JSON: Integer 1 is not Double 1.0, Boolean is not a number."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, dict):
        return (
            isinstance(right, dict)
            and left.keys() == right.keys()
            and all(json_equals(value, right[key]) for key, value in left.items())
        )
    if isinstance(left, list):
        return (
            isinstance(right, list)
            and len(left) == len(right)
            and all(json_equals(a, b) for a, b in zip(left, right, strict=True))
        )
    if isinstance(left, int) and isinstance(right, int):
        return left == right
    if isinstance(left, float) and isinstance(right, float):
        return left == right
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    return left is None and right is None
