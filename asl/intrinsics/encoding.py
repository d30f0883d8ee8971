"""Intrinsics for encoding and decoding: States.Base64Encode and States.Base64Decode.

https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-data-encode-decode
"The input string can't exceed 10,000 characters" (both functions; recorded: 10,001 fails).
Strings are encoded as UTF-8.

Decoding is lenient, as recorded on AWS (a conformance suite run against AWS): ``'abc'``
(no padding), ``'ab==cd'``, ``' YWJjZA== '`` and even ``'!!!invalid!!!'`` all decode instead
of failing.  That matches Apache commons-codec's ``Base64.decodeBase64``: characters outside
the alphabet are skipped, the first ``=`` ends the data, and a trailing partial group keeps
the whole bytes it holds.  Bytes that are not UTF-8 become U+FFFD, as ``new String(bytes,
UTF_8)`` does.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from asl.intrinsics.coercion import string_arg, within_char_limit
from asl.intrinsics.failure import invalid_arguments

BASE64_ENCODE = "States.Base64Encode"
BASE64_DECODE = "States.Base64Decode"

CHAR_LIMIT = 10_000

_NOT_ALPHABET = re.compile(r"[^A-Za-z0-9+/\-_]")
_URL_SAFE = str.maketrans("-_", "+/")


def base64_encode(value: Any) -> str:
    """``Base64Encode('Data to encode')`` is ``'RGF0YSB0byBlbmNvZGU='``."""
    text = string_arg(value, BASE64_ENCODE)
    if not within_char_limit(text, CHAR_LIMIT):
        raise invalid_arguments(BASE64_ENCODE)
    return base64.b64encode(text.encode("utf-8", "replace")).decode("ascii")


def base64_decode(value: Any) -> str:
    """``Base64Decode('RGF0YSB0byBlbmNvZGU=')`` is ``'Data to encode'``."""
    text = string_arg(value, BASE64_DECODE)
    if not within_char_limit(text, CHAR_LIMIT):
        raise invalid_arguments(BASE64_DECODE)
    data = _NOT_ALPHABET.sub("", text.split("=", 1)[0]).translate(_URL_SAFE)
    remainder = len(data) % 4
    if remainder == 1:  # six bits cannot make a byte
        data = data[:-1]
    elif remainder:
        data += "=" * (4 - remainder)
    return base64.b64decode(data).decode("utf-8", "replace")
