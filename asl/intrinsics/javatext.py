"""Values written as text the way Step Functions (a JVM service) writes them.

* ``Double.toString`` (:func:`asl.java.double_to_string`) is ``Double.toString``: ``1.0``, ``3.5``, ``1.0E20``, ``1.5E-7``.
* :func:`string_value` is ``String.valueOf`` of the Java object a JSON value becomes, used by
  ``States.Format``: strings as they are, ``null``, ``true``, numbers as above, arrays as
  ``[a, b]`` and objects as ``{k=v, k2=v2}`` (``List``/``Map.toString``).  The container form
  is what LocalStack reproduces from its AWS recordings
  (localstack ``statesfunction/generic/string_format.py``); ``null`` -> ``"null"`` is recorded
  (floci-io/floci ``explicitNullArgumentStillFormats``, captured from AWS).
* :func:`json_text` is Jackson's compact JSON, used by ``States.JsonToString``: like
  ``{"a":1}`` with doubles written by ``Double.toString`` and ``\\u00XX`` escapes in upper case.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from asl import jsontext
from asl.java import double_to_string


def string_value(value: Any) -> str:
    """How ``States.Format`` writes an argument into its template."""
    kind = type(value)
    if kind is str:
        return str(value)
    if kind is int:
        return str(value)
    if kind is bool:
        return "true" if value else "false"
    if value is None:
        return "null"
    if kind is float:
        return double_to_string(value)
    if kind is list:
        return "[" + ", ".join(map(string_value, value)) + "]"
    if kind is dict:
        return "{" + ", ".join(f"{key}={string_value(item)}" for key, item in value.items()) + "}"
    return str(value)


# Control characters that JSON writes as \u00XX (the rest have short escapes like \n).
_UNICODE_ESCAPED = re.compile(r"[\x00-\x07\x0b\x0e-\x1f]")


def _plain(value: Any) -> bool:
    """True when orjson writes the value exactly as Jackson does (no doubles, no odd escapes)."""
    kind = type(value)
    if kind is str:
        return _UNICODE_ESCAPED.search(value) is None
    if kind is dict:
        return all(_plain(key) and _plain(item) for key, item in value.items())
    if kind is list:
        return all(map(_plain, value))
    return kind is not float


def _string(text: str) -> str:
    written = orjson.dumps(text).decode()
    if _UNICODE_ESCAPED.search(text) is None:
        return written
    # orjson writes \u001f; Jackson writes \u001F.  A backslash in the text is itself escaped
    # (\\), so rewrite the escapes by walking the original characters instead of the output.
    out = ['"']
    for char in text:
        if _UNICODE_ESCAPED.match(char):
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(orjson.dumps(char).decode()[1:-1])
    out.append('"')
    return "".join(out)


def json_text(value: Any) -> str:
    """Compact JSON text as Jackson writes it."""
    if _plain(value):
        return jsontext.dumps(value)
    return _json(value)


def _json(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind is float:
        return double_to_string(value)
    if kind is list:
        return "[" + ",".join(map(_json, value)) + "]"
    if kind is dict:
        return "{" + ",".join(f"{_string(key)}:{_json(item)}" for key, item in value.items()) + "}"
    return jsontext.dumps(value)
