"""Java behaviours that show through Step Functions, a JVM service.

AWS evaluates paths with Jayway JsonPath and writes numbers and strings the way Java does,
so a few Java semantics are part of the language as users see it: how a double is written
(``Double.toString``: ``1.0``, ``1.0E20``) and how strings order (``String.compareTo``:
by UTF-16 code unit, not by code point).
"""

from __future__ import annotations

from decimal import Decimal


def double_to_string(value: float) -> str:
    """``Double.toString(value)`` (shortest round-trip digits, as in JDK 19 and later)."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if str(value).startswith("-") else "0.0"
    sign = "-" if value < 0 else ""
    _, digit_tuple, exponent = Decimal(repr(abs(value))).as_tuple()
    assert isinstance(exponent, int)
    all_digits = "".join(map(str, digit_tuple))
    point = exponent + len(all_digits) - 1  # value = d1.d2d3... x 10**point
    digits = all_digits.rstrip("0") or "0"
    if len(digits) == 1:
        # Java writes at least two digits and picks the two closest to the exact binary
        # value: Double.MIN_VALUE is 4.9E-324, not 5.0E-324.
        mantissa, _, power = f"{abs(value):.1e}".partition("e")
        digits = mantissa.replace(".", "").rstrip("0") or "0"
        point = int(power)
    if -3 <= point < 7:
        if point >= 0:
            whole = digits[: point + 1].ljust(point + 1, "0")
            fraction = digits[point + 1 :] or "0"
            return f"{sign}{whole}.{fraction}"
        return f"{sign}0.{'0' * (-point - 1)}{digits}"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{point}"


def utf16_units(text: str) -> bytes:
    """Big-endian UTF-16 bytes: they sort exactly as Java's ``String.compareTo`` sorts."""
    return text.encode("utf-16-be", "surrogatepass")


def compare_strings(left: str, right: str) -> int:
    """``String.compareTo``: order by UTF-16 code unit, not by code point."""
    if left == right:
        return 0
    if max(left, default="\0") > "\uffff" or max(right, default="\0") > "\uffff":
        left_units, right_units = utf16_units(left), utf16_units(right)
        return -1 if left_units < right_units else 1
    return -1 if left < right else 1
