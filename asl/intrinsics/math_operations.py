"""Intrinsics for math operations: States.MathRandom and States.MathAdd.

https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-math-operation
"""

from __future__ import annotations

from typing import Any

from asl.intrinsics.coercion import INT_MAX, INT_MIN, in_int_range, rounded_int, truncated_int
from asl.intrinsics.failure import invalid_arguments
from asl.intrinsics.javarandom import JavaRandom
from asl.scope import Scope

MATH_RANDOM = "States.MathRandom"
MATH_ADD = "States.MathAdd"


def math_add(left: Any, right: Any) -> int:
    """The sum of two integers: ``MathAdd(111, -1)`` is ``110``.

    Recorded on AWS (a conformance suite run against AWS, and an AWS-run integration test):
    non-integers are rounded before adding (``MathAdd(1.6, 2.7)`` is ``5``); strings,
    booleans and null fail; operands and sum must fit a Java ``int``
    (``MathAdd(2147483647, 1)`` and ``MathAdd(3000000000, 1)`` fail).  How halves round is
    not recorded; Java's ``Math.round`` is used (2.5 -> 3, -1.5 -> -1).
    """
    if type(left) is int and type(right) is int:
        total = left + right
        if (
            INT_MIN <= total <= INT_MAX
            and INT_MIN <= left <= INT_MAX
            and INT_MIN <= right <= INT_MAX
        ):
            return total
        raise invalid_arguments(MATH_ADD)
    first = rounded_int(left, MATH_ADD)
    second = rounded_int(right, MATH_ADD)
    total = first + second
    if not in_int_range(first, second, total):
        raise invalid_arguments(MATH_ADD)
    return total


_NO_SEED: Any = object()


def math_random(scope: Scope, start: Any, end: Any, seed: Any = _NO_SEED) -> int:
    """A random integer, ``start`` inclusive and ``end`` exclusive.

    Recorded on AWS: bounds are truncated (``MathRandom(1.6, 5.4)`` drew 1;
    ``MathRandom(1.4, 1.6)`` fails), ``start >= end`` fails, a string or null seed fails, and
    the same seed gives the same number.  A seeded draw is ``new java.util.Random(seed)
    .nextInt(end - start) + start`` (the exact JVM call is unverified); without a seed the
    number comes from the execution's deterministic generator (``scope.rng()``).
    """
    low = truncated_int(start, MATH_RANDOM)
    high = truncated_int(end, MATH_RANDOM)
    if low >= high or not in_int_range(low, high) or high - low > INT_MAX:
        raise invalid_arguments(MATH_RANDOM)
    if seed is _NO_SEED:
        return scope.rng().randrange(low, high)
    return low + JavaRandom(truncated_int(seed, MATH_RANDOM)).next_int(high - low)
