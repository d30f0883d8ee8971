"""Equality of JSON values as Step Functions' JSON library (Jackson) decides it.

Used by ``States.ArrayContains`` and ``States.ArrayUnique``.  Values are equal when they have
the same JSON type and equal contents: ``true`` is not ``1``, and an integer is not a decimal
(Jackson's ``IntNode(1)`` does not equal ``DoubleNode(1.0)``; unverified on AWS).  Object
members compare regardless of order (recorded: ``States.ArrayUnique`` treats ``{"a":1,"b":2}``
and ``{"b":2,"a":1}`` as duplicates, in a conformance suite run against AWS).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any


def json_key(value: Any) -> Hashable:
    """A hashable key such that two values have equal keys exactly when they are equal."""
    kind = type(value)
    if kind is list:
        return (list, tuple(map(json_key, value)))
    if kind is dict:
        return (dict, frozenset((key, json_key(item)) for key, item in value.items()))
    if kind is float and value == 0:
        return (float, str(value))  # 0.0 and -0.0 differ, as Double.compare says
    return (kind, value)


def json_equal(left: Any, right: Any) -> bool:
    kind = type(left)
    if kind is not type(right):
        return False
    if kind is list:
        return len(left) == len(right) and all(map(json_equal, left, right))
    if kind is dict:
        return left.keys() == right.keys() and all(
            json_equal(item, right[key]) for key, item in left.items()
        )
    if kind is float and left == 0:
        return str(left) == str(right)
    return bool(left == right)
