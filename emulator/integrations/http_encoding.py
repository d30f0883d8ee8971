"""URL encoding for the HTTP Task: ``QueryParameters`` and a ``URL_ENCODED`` request body.

Keys and values are percent-encoded with RFC 3986's unreserved set kept as is, so a space is
``%20`` and a bracket ``%5B``, as in AWS's example request::

    description=Monthly%20subscription&metadata%5Border_details%5D=monthly%20report%20data

Nested objects are written with brackets (``metadata[order_details]``); arrays follow
``Transform.RequestEncodingOptions.ArrayFormat``:

* ``INDICES`` (the default): ``array[0]=a&array[1]=b``
* ``REPEAT``: ``array=a&array=b``
* ``COMMAS``: ``array=a,b`` (the joined value is encoded as a whole, so the comma is ``%2C``
  on the wire; AWS's page shows the formats before encoding)
* ``BRACKETS``: ``array[]=a&array[]=b``

https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html#url-encode-request-body
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, quote

from emulator.integrations.http_errors import runtime

ARRAY_FORMATS = ("INDICES", "REPEAT", "COMMAS", "BRACKETS")
DEFAULT_ARRAY_FORMAT = "INDICES"

Pairs = list[tuple[str, str]]


def scalar_text(value: Any) -> str:
    """A JSON scalar as form text: strings as they are, ``true``, ``1.5``, and null empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    raise TypeError(f"not a JSON scalar: {type(value).__name__}")


def join(pairs: Pairs) -> str:
    """``key=value&…`` with every key and value percent-encoded."""
    return "&".join(f"{quote(key, safe='')}={quote(value, safe='')}" for key, value in pairs)


def query_pairs(parameters: Any) -> Pairs:
    """``QueryParameters`` as (key, value) pairs: an object whose values are scalars or arrays
    of scalars (an array repeats its key), or a query string (``a=1&b=2``)."""
    if parameters is None:
        return []
    if isinstance(parameters, str):
        return parse_qsl(parameters.lstrip("?"), keep_blank_values=True)
    if not isinstance(parameters, dict):
        raise runtime(
            "The QueryParameters field must be a JSON object or a string, got "
            f"{_json_type(parameters)}"
        )
    pairs: Pairs = []
    for key, value in parameters.items():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict | list):
                raise runtime(
                    f"The query parameter '{key}' must be a string, number, boolean or null, "
                    f"or an array of them, got {_json_type(item)}"
                )
            pairs.append((key, scalar_text(item)))
    return pairs


def form_body(body: dict[str, Any], array_format: str) -> str:
    """An object as ``application/x-www-form-urlencoded`` text."""
    pairs: Pairs = []
    for key, value in body.items():
        _walk(key, value, array_format, pairs)
    return join(pairs)


def _walk(prefix: str, value: Any, array_format: str, pairs: Pairs) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _walk(f"{prefix}[{key}]", item, array_format, pairs)
    elif isinstance(value, list):
        if array_format == "COMMAS":
            if any(isinstance(item, dict | list) for item in value):
                raise runtime(
                    f"The request body field '{prefix}' holds an array of objects or arrays, "
                    "which the COMMAS ArrayFormat cannot encode"
                )
            if value:
                pairs.append((prefix, ",".join(scalar_text(item) for item in value)))
            return
        for index, item in enumerate(value):
            if array_format == "INDICES":
                key = f"{prefix}[{index}]"
            elif array_format == "BRACKETS":
                key = f"{prefix}[]"
            else:  # REPEAT
                key = prefix
            _walk(key, item, array_format, pairs)
    else:
        pairs.append((prefix, scalar_text(value)))


def _json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"
