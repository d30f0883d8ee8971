"""Intrinsic for hash calculations: States.Hash(data, algorithm).

https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-hash-calc
Algorithms MD5, SHA-1, SHA-256, SHA-384 and SHA-512, spelled exactly so (recorded: 'sha-256',
'SHA256' and 'MD-5' fail); the digest is lower-case hex of the UTF-8 bytes; the data can't
exceed 10,000 characters (recorded: 10,000 passes, 10,001 fails).

AWS was recorded hashing a number or an object instead of failing; the text it hashes is not
recorded, so such data is written as ``States.Format`` writes it (unverified).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from asl.intrinsics.coercion import within_char_limit
from asl.intrinsics.failure import invalid_arguments
from asl.intrinsics.javatext import string_value

HASH = "States.Hash"

CHAR_LIMIT = 10_000

ALGORITHMS: dict[str, Callable[[bytes], Any]] = {
    "MD5": hashlib.md5,
    "SHA-1": hashlib.sha1,
    "SHA-256": hashlib.sha256,
    "SHA-384": hashlib.sha384,
    "SHA-512": hashlib.sha512,
}


def hash_value(data: Any, algorithm: Any) -> str:
    """``Hash('Data to encode', 'MD5')`` is ``'ca405671828a177e26947171bbe1e352'``."""
    digest = ALGORITHMS.get(algorithm) if type(algorithm) is str else None
    if digest is None:
        raise invalid_arguments(HASH)
    text = data if type(data) is str else string_value(data)
    if not within_char_limit(text, CHAR_LIMIT):
        raise invalid_arguments(HASH)
    return str(digest(text.encode("utf-8", "replace")).hexdigest())
