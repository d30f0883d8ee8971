"""Intrinsics for JSON data manipulation: States.JsonMerge, States.StringToJson and
States.JsonToString.

https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-json-manipulate
"""

from __future__ import annotations

from typing import Any

from asl import jsontext
from asl.intrinsics.coercion import object_arg, string_arg
from asl.intrinsics.failure import invalid_arguments
from asl.intrinsics.javatext import json_text

JSON_MERGE = "States.JsonMerge"
STRING_TO_JSON = "States.StringToJson"
JSON_TO_STRING = "States.JsonToString"


def json_merge(left: Any, right: Any, deep: Any) -> dict[str, Any]:
    """A shallow merge: the second object's members replace the first's, key by key.

    The docs show ``false`` as the third argument; deep merging (``true``) is not supported
    and fails (recorded in a conformance suite run against AWS, and reported in
    aws/aws-cdk#25888).  AWS was recorded accepting the string ``'false'`` as a shallow
    merge, which is how Jackson's ``asBoolean()`` reads a value; the other non-boolean
    values follow the same reading (unverified).
    """
    first = object_arg(left, JSON_MERGE)
    second = object_arg(right, JSON_MERGE)
    if _as_boolean(deep):
        raise invalid_arguments(JSON_MERGE)
    if not second:
        return dict(first)
    merged = dict(first)
    merged.update(second)
    return merged


def _as_boolean(value: Any) -> bool:
    """``JsonNode.asBoolean()``: true for true, for ``"true"`` and for a non-zero number."""
    kind = type(value)
    if kind is bool:
        return bool(value)
    if kind is str:
        return str(value).strip() == "true"
    if kind is int or kind is float:
        return bool(value != 0)
    return False


def string_to_json(value: Any) -> Any:
    """``StringToJson('{"foo": "bar"}')`` is ``{"foo": "bar"}``; text that is not JSON fails.

    An empty or blank string is ``null`` (recorded on AWS: LocalStack's
    ``test_json_manipulation.snapshot.json``; Jackson's ``readTree`` of no content).
    """
    text = string_arg(value, STRING_TO_JSON)
    if not text.strip(" \t\r\n"):
        return None
    try:
        return jsontext.loads(text)
    except (ValueError, RecursionError):
        raise invalid_arguments(STRING_TO_JSON) from None


def json_to_string(value: Any) -> str:
    """Compact JSON text of any value: ``JsonToString($.unescapedJson)`` is ``{"foo":"bar"}``.

    The docs say the argument must be a path; AWS was recorded accepting a literal too
    (``States.JsonToString('x')`` is ``'"x"'``), and a nested intrinsic.
    """
    try:
        return json_text(value)
    except RecursionError:  # nested deeper than the interpreter's stack
        raise invalid_arguments(JSON_TO_STRING) from None
