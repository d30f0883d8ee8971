"""Intrinsics for arrays: States.Array, ArrayPartition, ArrayContains, ArrayRange,
ArrayGetItem, ArrayLength and ArrayUnique.

https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-arrays

Where the docs say "rounds off to the nearest integer", AWS was recorded truncating instead
(a conformance suite run against AWS: ``ArrayRange(1.4, 5.6, 2.2)`` is ``[1, 3, 5]``,
``ArrayRange(5.4, -0.6, -2.4)`` is ``[5, 3, 1]``, ``ArrayPartition(.., 2.6)`` chunks by 2,
``ArrayPartition(.., 0.6)`` fails, ``ArrayGetItem([10, 20, 30], 1.2)`` is ``20``).
"""

from __future__ import annotations

from typing import Any

from asl.intrinsics.coercion import in_int_range, list_arg, truncated_int
from asl.intrinsics.equality import json_equal, json_key
from asl.intrinsics.failure import invalid_arguments

ARRAY = "States.Array"
ARRAY_PARTITION = "States.ArrayPartition"
ARRAY_CONTAINS = "States.ArrayContains"
ARRAY_RANGE = "States.ArrayRange"
ARRAY_GET_ITEM = "States.ArrayGetItem"
ARRAY_LENGTH = "States.ArrayLength"
ARRAY_UNIQUE = "States.ArrayUnique"

# "The newly generated array can't contain more than 1000 items." (States.ArrayRange)
RANGE_LIMIT = 1000

_SCALARS = (str, int, bool, type(None))


def array(*values: Any) -> list[Any]:
    """Zero or more arguments, in order: ``States.Array($.Id)`` is ``[123456]``."""
    return list(values)


def array_partition(values: Any, size: Any) -> list[list[Any]]:
    """Chunks of ``size`` items, the last one shorter: a chunk size below 1 fails."""
    items = list_arg(values, ARRAY_PARTITION)
    chunk = truncated_int(size, ARRAY_PARTITION)
    if chunk <= 0:
        raise invalid_arguments(ARRAY_PARTITION)
    return [items[start : start + chunk] for start in range(0, len(items), chunk)]


def array_contains(values: Any, looking_for: Any) -> bool:
    items = list_arg(values, ARRAY_CONTAINS)
    kind = type(looking_for)
    if kind in _SCALARS:
        return any(type(item) is kind and item == looking_for for item in items)
    return any(json_equal(item, looking_for) for item in items)


def array_range(start: Any, end: Any, step: Any) -> list[int]:
    """Integers from ``start`` to ``end`` inclusive: ``ArrayRange(1, 9, 2)`` is [1,3,5,7,9].

    A step of 0 fails; a step pointing away from ``end`` gives ``[]`` (recorded:
    ``ArrayRange(5, 1, 1)`` is ``[]``); more than 1000 items fails.
    """
    first = truncated_int(start, ARRAY_RANGE)
    last = truncated_int(end, ARRAY_RANGE)
    stride = truncated_int(step, ARRAY_RANGE)
    if stride == 0 or not in_int_range(first, last, stride):
        raise invalid_arguments(ARRAY_RANGE)
    if (stride > 0 and first > last) or (stride < 0 and first < last):
        return []
    count = (last - first) // stride + 1
    if count > RANGE_LIMIT:
        raise invalid_arguments(ARRAY_RANGE)
    return list(range(first, first + count * stride, stride))


def array_get_item(values: Any, index: Any) -> Any:
    """The item at ``index``; an index outside the array fails.

    Recorded on AWS: an empty array answers ``null`` for any index
    (``ArrayGetItem([], 999)``), where ``ArrayGetItem([10, 20, 30], 3)`` fails.
    """
    items = list_arg(values, ARRAY_GET_ITEM)
    position = truncated_int(index, ARRAY_GET_ITEM)
    if not items:
        return None
    if 0 <= position < len(items):
        return items[position]
    raise invalid_arguments(ARRAY_GET_ITEM)


def array_length(values: Any) -> int:
    return len(list_arg(values, ARRAY_LENGTH))


def array_unique(values: Any) -> list[Any]:
    """The items without duplicates, in first-seen order.

    AWS was recorded returning some uniques in another order (``[true, false, true]`` gives
    ``[false, true]``; ``[[1,2],[1,2],[2,1]]`` gives ``[[2,1],[1,2]]``), apparently the
    iteration order of a Java ``HashSet``.  That order is not reproduced: first-seen order is
    what the docs describe and what AWS returns for numbers, strings and objects.
    """
    items = list_arg(values, ARRAY_UNIQUE)
    seen: set[Any] = set()
    unique: list[Any] = []
    for item in items:
        key = json_key(item)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique
