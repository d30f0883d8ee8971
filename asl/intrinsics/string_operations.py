"""Intrinsic for string operations: States.StringSplit(string, delimiters).

https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-string-operation
Each character of the second argument is a delimiter: ``StringSplit('This.is+a,test=string',
'.+,=')`` is ``["This", "is", "a", "test", "string"]``.

Empty pieces are dropped, as ``java.util.StringTokenizer`` does (recorded on AWS, in a
conformance suite: ``'a,,b'`` gives ``["a", "b"]``; leading, trailing and delimiter-only
input give no empty strings; ``''`` gives ``[]``).
"""

from __future__ import annotations

from typing import Any

from asl.intrinsics.coercion import string_arg

STRING_SPLIT = "States.StringSplit"


def string_split(value: Any, delimiters: Any) -> list[str]:
    text = string_arg(value, STRING_SPLIT)
    chars = string_arg(delimiters, STRING_SPLIT)
    if not chars:  # StringTokenizer with no delimiters: the whole string is one token
        return [text] if text else []
    first = chars[0]
    if len(chars) > 1:
        text = text.translate({ord(char): first for char in chars[1:]})
    return [piece for piece in text.split(first) if piece]
