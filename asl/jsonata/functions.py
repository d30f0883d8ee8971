"""The functions Step Functions adds to JSONata: $partition, $range, $hash, $random, $uuid, $parse.

https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html ("JSONata functions
provided by Step Functions").  The docs give one example each; the edges below were measured on
AWS by others and are cited per function.  Arity and argument types are checked by the JSONata
signature each function is registered with, so a wrong call fails with JSONata's own
``T0410: Argument 2 of function "range" does not match function signature`` (floci-io/floci
JsonataEvaluatorTest, "surplus arguments raise a signature error").

``$random()`` and ``$uuid()`` draw from the execution's deterministic generator, reached through
:data:`DRAWS`, which :meth:`asl.jsonata.Expression.evaluate` sets for the evaluation.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from asl.intrinsics.javarandom import JavaRandom
from asl.jsonata.failures import FunctionFailure

# The generator factory of the evaluation in progress (see Expression.evaluate).
DRAWS: ContextVar[Callable[[], random.Random] | None] = ContextVar("jsonata_draws", default=None)

# Name of the host function behind $parse (see PARSE_PRELUDE).
PARSE_HOST = "__stepline_parse"

# A host function cannot return JSON null to jlens (None reads as undefined), and $parse('null')
# is null (floci-io/floci, "parse_nullLiteralIsRealNullNotUndefined").  So $parse is a JSONata
# function that unwraps the {"v": value} its host returns; {} stays undefined.
PARSE_PRELUDE = f"$parse := function($s)<s-:x>{{ ${PARSE_HOST}($s).v }};"

# AWS refuses a $range of more than this many numbers with its memory-bound message
# (floci-io/floci JsonataEvaluatorTest: 360,145 numbers pass, 360,146 fail, us-east-1).
RANGE_LIMIT = 360_145
MEMORY_LIMIT = "Expression evaluation memory limit exceeded: Check for excessive memory usage"

_LONG_MIN = -(1 << 63)
_LONG_MAX = (1 << 63) - 1


def to_long(value: float) -> int:
    """Java's ``(long) value``: towards zero, saturated, NaN is 0."""
    if math.isnan(value):
        return 0
    if math.isinf(value):
        return _LONG_MAX if value > 0 else _LONG_MIN
    return max(_LONG_MIN, min(_LONG_MAX, int(value)))


def partition(items: Any = None, size: Any = None) -> Any:
    """``$partition([1,2,3,4,5], 2)`` is ``[[1,2],[3,4],[5]]``.

    Recorded on AWS: ``$partition([0], 1)`` is ``[[0]]`` (LocalStack snapshot
    test_array_jsonata.snapshot.json).  Measured by floci-io/floci: the size is cut towards
    zero, a size of 0 or an empty array is undefined, a missing size makes one chunk of the
    whole array, a negative size fails with ``D3137: Second argument must be zero or
    greater``, and a first argument that is not an array fails with ``T0412``.
    """
    if items is None:
        return None
    if type(items) is not list:
        raise FunctionFailure(
            "T0412", 'Argument 1 of function "partition" must be an array of undefined'
        )
    if not items:
        return None
    if size is None:
        return [items]
    chunk = to_long(size)
    if chunk < 0:
        raise FunctionFailure("D3137", "Second argument must be zero or greater")
    if chunk == 0:
        return None
    return [items[i : i + chunk] for i in range(0, len(items), chunk)]


def range_of(start: Any = None, end: Any = None, step: Any = None) -> Any:
    """``$range(0, 10, 2)`` is ``[0,2,4,6,8,10]``: the end is included when a step lands on it.

    Recorded on AWS: ``$range(0, 10, 3)`` is ``[0,3,6,9]`` and ``$range(1, 9, 9)`` is the bare
    number ``1`` (LocalStack snapshot test_array_jsonata.snapshot.json): the numbers form a
    JSONata sequence, so one number is that number and none is undefined.  Measured by
    floci-io/floci: each argument is cut towards zero; a missing or zero step, or a step
    pointing away from the end, is undefined.
    """
    if start is None or end is None or step is None:
        return None
    first, last, delta = to_long(start), to_long(end), to_long(step)
    if delta == 0:
        return None
    count = (last - first) // delta + 1
    if count <= 0:
        return None
    if count > RANGE_LIMIT:
        raise FunctionFailure("", MEMORY_LIMIT)
    numbers = list(range(first, first + count * delta, delta))
    return numbers[0] if count == 1 else numbers


_ALGORITHMS: dict[str, Callable[[bytes], Any]] = {
    "MD5": hashlib.md5,
    "SHA-1": hashlib.sha1,
    "SHA-256": hashlib.sha256,
    "SHA-384": hashlib.sha384,
    "SHA-512": hashlib.sha512,
}


def hash_of(text: Any = None, algorithm: Any = None) -> Any:
    """``$hash('Hello', 'MD5')`` is ``'8b1a9953c4611296a827abf8c47804d7'``: lower-case hex.

    The text is hashed as UTF-8.  The algorithm is spelled exactly as listed (case-sensitive)
    and another fails with ``D3137``; a missing algorithm is undefined (floci-io/floci
    JsonataEvaluatorTest, measured on AWS).  The rest of the D3137 message is as a third-party
    harness quotes it, unverified here.
    """
    if text is None or algorithm is None:
        return None
    digest = _ALGORITHMS.get(algorithm)
    if digest is None:
        raise FunctionFailure(
            "D3137",
            f"Hash algorithm '{algorithm}' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5",
        )
    # Java encodes an unpaired surrogate as '?', as does errors="replace".
    return digest(text.encode("utf-8", errors="replace")).hexdigest()


def random_number(seed: Any = None) -> float:
    """``$random()`` draws in [0, 1); ``$random(seed)`` is ``new java.util.Random(seed)``'s
    first ``nextDouble()``, the seed cut towards zero.

    AWS's values for seeds 42, 0 and 7 are 0.7275636800328681, 0.730967787376657 and
    0.7306990420600421 (floci-io/floci JsonataEvaluatorTest), which are exactly
    ``java.util.Random``'s; ``$random(0.9)`` equals ``$random(0)``.
    """
    if seed is None:
        return _draws().random()
    generator = JavaRandom(to_long(seed))
    # nextDouble(): 53 random bits from two draws of 26 and 27 bits.
    return ((generator.next_bits(26) << 27) + generator.next_bits(27)) * 2.0**-53


def uuid4() -> str:
    """``$uuid()``: a version 4 UUID whose random bits come from the execution's generator."""
    return str(uuid.UUID(int=_draws().getrandbits(128), version=4))


def _draws() -> random.Random:
    factory = DRAWS.get()
    return factory() if factory is not None else random.Random(0)


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def parse_json(text: Any = None) -> dict[str, Any]:
    """The host of ``$parse``: ``{"v": value}``, or ``{}`` for an undefined argument.

    AWS refuses what a strict JSON parser refuses (an empty text, a second document, a repeated
    key, a number too large for a double), with ``D3137`` (floci-io/floci
    JsonataEvaluatorTest "parse_rejectsJsonAwsRejects"; the rest of AWS's message is unrecorded).
    """
    if text is None:
        return {}
    try:
        value = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise FunctionFailure("D3137", "Invalid JSON") from exc
    if type(value) is float and math.isinf(value):
        raise FunctionFailure("D3137", "Invalid JSON")
    return {"v": value}


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        raise ValueError("duplicate key")
    return value


def eval_unavailable(*_: Any) -> Any:
    """``$eval``: "$eval is not available--use $parse instead" (transforming-data.html).

    AWS accepts a definition that calls it and fails the call at run time as jsonata-js fails
    a call of something that is not a function (floci-io/floci, measured on AWS; the T1006
    wording is jsonata-js's, recorded in LocalStack's AWS snapshots).
    """
    raise FunctionFailure("T1006", "Attempted to invoke a non-function")


# name -> (implementation, JSONata signature).  The signatures match AWS's recorded refusals:
# $hash() and $hash(1, 'MD5') fail on argument 1, $random(null) and $uuid(1) on argument 1,
# $partition([1], null) and $range(1, 5, null) on the null argument.
HOST_FUNCTIONS: dict[str, tuple[Callable[..., Any], str]] = {
    "partition": (partition, "<x?n?:a>"),
    "range": (range_of, "<nnn?:a>"),
    "hash": (hash_of, "<ss?:s>"),
    "random": (random_number, "<n?:n>"),
    "uuid": (uuid4, "<:s>"),
    PARSE_HOST: (parse_json, "<s?:o>"),
    "eval": (eval_unavailable, "<x?x?:x>"),
}

# Every function Step Functions adds, as an expression calls it, with its signature ($parse
# defaults to the context item, as jsonata-js's $string does).
SIGNATURES: dict[str, str] = {
    **{name: signature for name, (_, signature) in HOST_FUNCTIONS.items() if name != PARSE_HOST},
    "parse": "<s-:x>",
}
ADDED = frozenset(SIGNATURES)
