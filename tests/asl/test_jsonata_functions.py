"""Step Functions' functions in JSONata: $partition, $range, $hash, $random, $uuid, $parse.

https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html ("JSONata functions
provided by Step Functions"); the recorded AWS values are cited case by case.
"""

from __future__ import annotations

import hashlib
import random
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from asl import errors
from asl.jsonata import UNDEFINED, JsonataEvaluationError, compile_expression

NOW = datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)


def rng() -> random.Random:
    return random.Random(7)


def run(text: str, bindings: dict[str, Any] | None = None, **states: Any) -> Any:
    scope = dict(bindings or {})
    if states:
        scope["states"] = states
    return compile_expression(text).evaluate(scope, NOW, rng)


def failure(text: str) -> JsonataEvaluationError:
    with pytest.raises(JsonataEvaluationError) as caught:
        compile_expression(text, field="Output/v").evaluate({}, NOW, rng)
    assert caught.value.error == errors.QUERY_EVALUATION_ERROR
    return caught.value


# --------------------------------------------------------------------------- $random, $uuid


@pytest.mark.parametrize(
    ("seed", "value"),
    # AWS's values (floci-io/floci JsonataEvaluatorTest): java.util.Random's first nextDouble.
    [(42, 0.7275636800328681), (0, 0.730967787376657), (7, 0.7306990420600421)],
)
def test_a_seeded_random_is_java_util_random(seed: int, value: float) -> None:
    assert run(f"$random({seed})") == value
    assert run(f"$random({seed}) = $random({seed})") is True


def test_a_seed_is_cut_towards_zero() -> None:
    assert run("$random(0.9)") == run("$random(0)")
    assert run("$random(-1.9)") == run("$random(-1)")
    assert run("$random(-1)") != run("$random(0)")


def test_an_unseeded_random_draws_from_the_execution_generator() -> None:
    expression = compile_expression("$random()")
    first = expression.evaluate({}, NOW, lambda: random.Random(1))
    again = expression.evaluate({}, NOW, lambda: random.Random(1))
    other = expression.evaluate({}, NOW, lambda: random.Random(2))
    assert first == again == random.Random(1).random()
    assert other != first
    assert 0 <= first < 1


def test_each_draw_takes_a_fresh_generator() -> None:
    draws = iter(range(100))
    result = compile_expression("[$random(), $random()]").evaluate(
        {}, NOW, lambda: random.Random(next(draws))
    )
    assert result == [random.Random(0).random(), random.Random(1).random()]


def test_uuid_is_version_4_from_the_generator() -> None:
    value = run("$uuid()")
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", value
    )
    assert value == run("$uuid()")  # the same generator state gives the same identifier
    draws = iter(range(100))
    pair = compile_expression("[$uuid(), $uuid()]").evaluate(
        {}, NOW, lambda: random.Random(next(draws))
    )
    assert pair[0] != pair[1]


@pytest.mark.parametrize(
    ("text", "argument"),
    [
        ("$random('seed')", 1),
        ("$random(null)", 1),
        ("$random(77, 88)", 2),
        ("$uuid('x')", 1),
    ],
)
def test_random_and_uuid_check_their_arguments(text: str, argument: int) -> None:
    name = text[1 : text.index("(")]
    assert failure(text).cause.endswith(
        f'. T0410: Argument {argument} of function "{name}" does not match function signature'
    )


# --------------------------------------------------------------------------- $partition


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$partition([1,2,3,4,5], 2)", [[1, 2], [3, 4], [5]]),
        ("$partition([0], 1)", [[0]]),  # recorded on AWS (LocalStack snapshot)
        ("$partition([0,1,2,3], 3)", [[0, 1, 2], [3]]),  # recorded on AWS
        ("$partition([0,1,2,3], 5)", [[0, 1, 2, 3]]),  # recorded on AWS
        ("$partition([1,2,3,4,5], 2.9)", [[1, 2], [3, 4], [5]]),
        ("$partition([1,2,3])", [[1, 2, 3]]),
        ("$partition(['a', {'b': 1}], 1)", [["a"], [{"b": 1}]]),
    ],
)
def test_partition(text: str, expected: Any) -> None:
    assert run(text) == expected


@pytest.mark.parametrize(
    "text",
    ["$partition([], 2)", "$partition([1,2,3], 0)", "$partition([1,2], -0.5)", "$partition($x, 2)"],
)
def test_partition_gives_nothing(text: str) -> None:
    assert run(text) is UNDEFINED


@pytest.mark.parametrize(
    ("text", "tail"),
    [
        ("$partition([1,2,3], -1)", "D3137: Second argument must be zero or greater"),
        (
            "$partition('not-array', 2)",
            'T0412: Argument 1 of function "partition" must be an array of undefined',
        ),
        (
            "$partition([1,2,3], '2')",
            'T0410: Argument 2 of function "partition" does not match function signature',
        ),
        (
            "$partition([1,2,3], null)",
            'T0410: Argument 2 of function "partition" does not match function signature',
        ),
        (
            "$partition([1,2,3], 2, 99)",
            'T0410: Argument 3 of function "partition" does not match function signature',
        ),
    ],
)
def test_partition_failures(text: str, tail: str) -> None:
    assert failure(text).cause.endswith(". " + tail)


# --------------------------------------------------------------------------- $range


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$range(0, 10, 2)", [0, 2, 4, 6, 8, 10]),
        ("$range(0, 9, 3)", [0, 3, 6, 9]),  # recorded on AWS (LocalStack snapshot)
        ("$range(0, 10, 3)", [0, 3, 6, 9]),  # recorded on AWS
        ("$range(1, 9, 2)", [1, 3, 5, 7, 9]),  # recorded on AWS
        ("$range(1, 9, 9)", 1),  # recorded on AWS: one number is that number
        ("$range(10, 0, -2)", [10, 8, 6, 4, 2, 0]),
        ("$range(-1.7, 2, 1)", [-1, 0, 1, 2]),
        ("$range(5, 1, -1.5)", [5, 4, 3, 2, 1]),
        ("$count($range(1, 360145, 1))", 360145),
    ],
)
def test_range(text: str, expected: Any) -> None:
    result = run(text)
    assert result == expected
    assert all(type(n) is int for n in (result if isinstance(result, list) else [result]))


@pytest.mark.parametrize(
    "text", ["$range(1, 5, 0)", "$range(5, 1, 1)", "$range(1, 5, -1)", "$range(1, 5)"]
)
def test_range_gives_nothing(text: str) -> None:
    assert run(text) is UNDEFINED


def test_range_past_the_aws_bound_fails_with_the_memory_sentence() -> None:
    cause = failure("$range(1, 360146, 1)").cause
    assert cause == (
        "The JSONata expression '$range(1, 360146, 1)' specified for the field 'Output/v' "
        "threw an error during evaluation: Expression evaluation memory limit exceeded: "
        "Check for excessive memory usage"
    )
    assert "memory limit" in failure("$range(0, 1e15, 1)").cause


@pytest.mark.parametrize(
    ("text", "argument"),
    [
        ("$range(1)", 2),
        ("$range('a', 5, 1)", 1),
        ("$range(1, 5, null)", 3),
        ("$range(1, 5, 1, 9)", 4),
    ],
)
def test_range_checks_its_arguments(text: str, argument: int) -> None:
    assert failure(text).cause.endswith(
        f'T0410: Argument {argument} of function "range" does not match function signature'
    )


# --------------------------------------------------------------------------- $hash


@pytest.mark.parametrize(
    ("algorithm", "digest"),
    [
        # floci-io/floci JsonataEvaluatorTest's values for 'Hello'
        ("MD5", "8b1a9953c4611296a827abf8c47804d7"),
        ("SHA-1", "f7ff9e8b7bb2e09b70935a5d785e0cc5d9d0abf0"),
        ("SHA-256", "185f8db32271fe25f561a6fc938b2e264306ec304eda518007d1764826381969"),
        (
            "SHA-384",
            "3519fe5ad2c596efe3e276a6f351b8fc0b03db861782490d45f7598ebd0ab5fd"
            "5520ed102f38c4a5ec834e98668035fc",
        ),
        (
            "SHA-512",
            "3615f80c9d293ed7402687f94b22d58e529b8cc7916f8fac7fddf7fbd5af4cf7"
            "77d3d795a7a00a16bf7e7f3fb9561ee9baae480da9fe7a18769e71886b03f315",
        ),
    ],
)
def test_hash(algorithm: str, digest: str) -> None:
    assert run(f"$hash('Hello', '{algorithm}')") == digest


def test_hash_reads_the_text_as_utf8() -> None:
    assert run("$hash('ñ', 'MD5')") == "94e9342ecbb1458b6043ecd3bfcbc192"
    assert run("$hash($states.input.s, 'SHA-256')", input={"s": "日本"}) == (
        hashlib.sha256("日本".encode()).hexdigest()
    )


@pytest.mark.parametrize("algorithm", ["md5", "sha-256", "SHA256", "SHA3-256"])
def test_hash_algorithms_are_spelled_exactly(algorithm: str) -> None:
    assert failure(f"$hash('a', '{algorithm}')").cause.endswith(
        f". D3137: Hash algorithm '{algorithm}' must be one of SHA-1, SHA-384, SHA-256, "
        "SHA-512, MD5"
    )


def test_hash_gives_nothing_without_text_or_algorithm() -> None:
    assert run("$hash('Hello')") is UNDEFINED
    assert run("$hash($nothing, 'MD5')") is UNDEFINED


@pytest.mark.parametrize(
    ("text", "argument"), [("$hash()", 1), ("$hash(42, 'MD5')", 1), ("$hash('a', 'MD5', 'x')", 3)]
)
def test_hash_checks_its_arguments(text: str, argument: int) -> None:
    assert failure(text).cause.endswith(
        f'T0410: Argument {argument} of function "hash" does not match function signature'
    )


# --------------------------------------------------------------------------- $parse


def test_parse() -> None:
    assert run('$parse(\'{"b":1,"a":[1,2.5,true,null]}\')') == {"b": 1, "a": [1, 2.5, True, None]}
    assert list(run('$parse(\'{"b":1,"a":2}\')')) == ["b", "a"]
    assert run("$parse($states.input.body).detail", input={"body": '{"detail": "x"}'}) == "x"
    assert run("$parse('1.0')") == 1
    assert run("$map(['{\"a\":1}', '{\"a\":2}'], $parse).a") == [1, 2]


def test_parse_of_null_is_null_not_nothing() -> None:
    assert run("$parse('null')") is None
    assert run("$exists($parse('null'))") is True
    assert run("$parse()") is UNDEFINED


@pytest.mark.parametrize(
    "argument",
    ["'not valid json'", "''", '\'{"a":1}{"b":2}\'', '\'{"a":1,"a":2}\'', "'1e400'", "'NaN'"],
)
def test_parse_refuses_what_a_strict_json_parser_refuses(argument: str) -> None:
    assert failure(f"$parse({argument})").cause.endswith(". D3137: Invalid JSON")


@pytest.mark.parametrize(
    ("text", "argument"), [("$parse(null)", 1), ("$parse(1)", 1), ("$parse('{}', 'x')", 2)]
)
def test_parse_checks_its_arguments(text: str, argument: int) -> None:
    assert failure(text).cause.endswith(
        f'T0410: Argument {argument} of function "parse" does not match function signature'
    )
