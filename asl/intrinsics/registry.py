"""The 18 intrinsic functions: name, argument count and implementation.

https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html

A call with the wrong number of arguments parses; it fails when it runs with ``States.Runtime``
("Invalid arguments in States.Hash"), because that is what AWS was recorded doing for
``States.Hash()``, ``States.Hash('hello')``, ``States.Base64Decode('aGVsbG8=', 'extra')`` and
``States.JsonToString($.a, $.b)`` (a conformance suite run against AWS).  A name that is not
one of these 18 does not parse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asl.intrinsics import (
    arrays,
    encoding,
    hashing,
    json_manipulation,
    math_operations,
    string_format,
    string_operations,
    unique_ids,
)


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    name: str
    min_args: int
    max_args: int | None  # None: any number
    function: Callable[..., Any]
    uses_scope: bool = False  # called as function(scope, *args)
    # The least number of arguments with which a call with constant arguments always gives the
    # same result and can be computed once at compile time; None: never.
    deterministic_from: int | None = 0

    def accepts(self, count: int) -> bool:
        return self.min_args <= count and (self.max_args is None or count <= self.max_args)

    def deterministic(self, count: int) -> bool:
        return self.deterministic_from is not None and count >= self.deterministic_from


_SPECS = (
    FunctionSpec(string_format.FORMAT, 1, None, string_format.render),  # built specially
    FunctionSpec(json_manipulation.STRING_TO_JSON, 1, 1, json_manipulation.string_to_json),
    FunctionSpec(json_manipulation.JSON_TO_STRING, 1, 1, json_manipulation.json_to_string),
    FunctionSpec(json_manipulation.JSON_MERGE, 3, 3, json_manipulation.json_merge),
    FunctionSpec(arrays.ARRAY, 0, None, arrays.array),
    FunctionSpec(arrays.ARRAY_PARTITION, 2, 2, arrays.array_partition),
    FunctionSpec(arrays.ARRAY_CONTAINS, 2, 2, arrays.array_contains),
    FunctionSpec(arrays.ARRAY_RANGE, 3, 3, arrays.array_range),
    FunctionSpec(arrays.ARRAY_GET_ITEM, 2, 2, arrays.array_get_item),
    FunctionSpec(arrays.ARRAY_LENGTH, 1, 1, arrays.array_length),
    FunctionSpec(arrays.ARRAY_UNIQUE, 1, 1, arrays.array_unique),
    FunctionSpec(encoding.BASE64_ENCODE, 1, 1, encoding.base64_encode),
    FunctionSpec(encoding.BASE64_DECODE, 1, 1, encoding.base64_decode),
    FunctionSpec(hashing.HASH, 2, 2, hashing.hash_value),
    FunctionSpec(
        math_operations.MATH_RANDOM,
        2,
        3,
        math_operations.math_random,
        uses_scope=True,
        deterministic_from=3,  # with a seed
    ),
    FunctionSpec(math_operations.MATH_ADD, 2, 2, math_operations.math_add),
    FunctionSpec(string_operations.STRING_SPLIT, 2, 2, string_operations.string_split),
    FunctionSpec(unique_ids.UUID, 0, 0, unique_ids.uuid, uses_scope=True, deterministic_from=None),
)

FUNCTIONS: dict[str, FunctionSpec] = {spec.name: spec for spec in _SPECS}
