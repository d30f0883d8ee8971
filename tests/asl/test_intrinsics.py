"""Intrinsic functions: syntax, the 18 functions, failures and cause texts.

Expected values come from the AWS docs
(https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html) and from
behaviour recorded against AWS, as cited in the modules under asl/intrinsics/.
"""

from __future__ import annotations

import copy
import hashlib
import random
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl.errors import IntrinsicSyntaxError, StatesError
from asl.intrinsics import Intrinsic, compile_intrinsic, looks_like_intrinsic
from asl.intrinsics.equality import json_equal, json_key
from asl.intrinsics.javarandom import JavaRandom
from asl.intrinsics.javatext import json_text, string_value
from asl.java import double_to_string as java_double
from asl.scope import Scope

SCOPE = Scope()


def run(text: str, data: Any = None, scope: Scope = SCOPE) -> Any:
    return compile_intrinsic(text).evaluate({} if data is None else data, scope)


def failure(text: str, data: Any = None, scope: Scope = SCOPE) -> StatesError:
    with pytest.raises(StatesError) as caught:
        run(text, data, scope)
    assert caught.value.error == "States.Runtime"
    return caught.value


def invalid(text: str, data: Any = None) -> None:
    """The call fails with AWS's 'Invalid arguments in <function>' cause."""
    error = failure(text, data)
    function = re.match(r"\s*(States\.\w+)", text)
    assert function is not None
    assert error.cause == (
        f"The function '{text}' had the following error: Invalid arguments in {function.group(1)}"
    )


def syntax_error(text: str) -> None:
    with pytest.raises(IntrinsicSyntaxError):
        compile_intrinsic(text)


# --- syntax -------------------------------------------------------------------------------


def test_compiled_intrinsic_keeps_its_text_and_outermost_name() -> None:
    intrinsic = compile_intrinsic("States.Format('{}', States.MathAdd(1, 2))")
    assert isinstance(intrinsic, Intrinsic)
    assert intrinsic.text == "States.Format('{}', States.MathAdd(1, 2))"
    assert intrinsic.name == "States.Format"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.Array()", True),
        ("  States.UUID()", True),
        ("$.States", False),
        ("states.Array()", False),
        ("States", False),
    ],
)
def test_looks_like_intrinsic(text: str, expected: bool) -> None:
    assert looks_like_intrinsic(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "States.Array(1, -2, 3.5, -0.25, 1e2, 2E-1, true, false, null)",
            [1, -2, 3.5, -0.25, 100.0, 0.2, True, False, None],
        ),
        (
            "States.Array('a', 'it\\'s', '\\{\\}', 'back\\\\slash', '')",
            ["a", "it's", "{}", "back\\slash", ""],
        ),
        ("  States.Array ( 1 ,\t2\n)  ", [1, 2]),
        ("States.Array('a,b', 'x)y', '\"')", ["a,b", "x)y", '"']),
        ("States.Array()", []),
    ],
)
def test_literal_arguments(text: str, expected: list[Any]) -> None:
    value = run(text)
    assert value == expected
    assert [type(item) for item in value] == [type(item) for item in expected]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "States",
        "States.",
        "States.Foo()",
        "States.array(1)",
        "States.Array",
        "States.Array(",
        "States.Array(1",
        "States.Array(1,)",
        "States.Array(,1)",
        "States.Array(1 2)",
        "States.Array(1))",
        "States.Array() x",
        "States.Array('unterminated)",
        "States.Array('bad \\n escape')",
        "States.Array('trailing \\')",
        "States.Array(01)",
        "States.Array(+1)",
        "States.Array(.5)",
        "States.Array(1.)",
        "States.Array(True)",
        "States.Array(nullx)",
        'States.Array("double")',
        "States.Array(x)",
        "States.Array(States.Nope())",
        "$.a",
        "States.Array(1)States.Array(2)",
    ],
)
def test_malformed_calls_do_not_compile(text: str) -> None:
    syntax_error(text)


def nested(depth: int) -> str:
    return "States.Array(" * depth + ")" * depth


def test_nesting_up_to_ten_levels() -> None:
    # "You can nest up to 10 intrinsic functions within a field."
    value = run(nested(10))
    for _ in range(9):
        assert len(value) == 1
        value = value[0]
    assert value == []
    syntax_error(nested(11))


def test_documented_nested_example() -> None:
    # The docs' nine-function example, with a template of two placeholders for its two values
    # (the docs write '{}.{}.{}', which fails here for its count mismatch).
    text = (
        "States.Format('{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem("
        "States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem("
        "States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), "
        "'.'), 1))"
    )
    arn = "arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/my-recipe/1.0.2"
    assert run(text, {"ImageRecipe": {"Arn": arn}}) == "1.0"


def test_wrong_argument_count_fails_at_run_time() -> None:
    # Recorded on AWS: States.Hash() and States.Hash('hello') parse and fail when run.
    for text in [
        "States.Hash()",
        "States.Hash('hello')",
        "States.Hash('hello', 'SHA-256', 'extra')",
        "States.Base64Decode()",
        "States.JsonToString($.a, $.b)",
        "States.MathAdd(1)",
        "States.MathRandom(1, 10, 5, 99)",
        "States.UUID(1)",
        "States.Format()",
        "States.ArrayRange(1, 5)",
        "States.JsonMerge($.a, $.b)",
    ]:
        invalid(text, {"a": {}, "b": {}})


# --- States.Format -------------------------------------------------------------------------


def test_format_documented_examples() -> None:
    data = {"name": "Arnav", "template": "Hello, my name is {}."}
    assert run("States.Format('Hello, my name is {}.', $.name)", data) == "Hello, my name is Arnav."
    assert run("States.Format($.template, $.name)", data) == "Hello, my name is Arnav."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.Format('{} {} {}', 'x', 2, true)", "x 2 true"),
        ("States.Format('no placeholders')", "no placeholders"),
        ("States.Format('  {}  ', 'x')", "  x  "),
        ("States.Format('{}|{}|{}|{}', null, false, -1, 3.5)", "null|false|-1|3.5"),
        ("States.Format('{}', 1.0)", "1.0"),
        ("States.Format('{}', 1e20)", "1.0E20"),
        ("States.Format('{}', 9007199254740993)", "9007199254740993"),
        ("States.Format('Name: \\'{}\\'', 'Gabriel')", "Name: 'Gabriel'"),
        ("States.Format('\\{\\} {}', 'x')", "{} x"),
        ("States.Format('a\\\\{}', 'x')", "a\\x"),
        ("States.Format('{}', '\\{}')", "{}"),
        ("States.Format('{}', States.Array(1, 'a', null, 2.5))", "[1, a, null, 2.5]"),
        (
            "States.Format('{}', States.StringToJson('{\"k\":[1,{\"j\":true}]}'))",
            "{k=[1, {j=true}]}",
        ),
        (
            "States.Format('arn:{}:{}', 'lambda', States.JsonToString(States.Array(1)))",
            "arn:lambda:[1]",
        ),
    ],
)
def test_format_writes_values_as_java_does(text: str, expected: str) -> None:
    assert run(text) == expected


def test_format_explicit_null_path_is_written_null() -> None:
    # Recorded on AWS: only absence fails; a present null formats as "null".
    assert run("States.Format('{}', $.nul)", {"nul": None}) == "null"


def test_format_template_from_a_path_reads_escapes_and_placeholders() -> None:
    data = {"t": "\\{{}\\} and \\q {}", "a": 1, "b": "two"}
    assert run("States.Format($.t, $.a, $.b)", data) == "{1} and \\q two"


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        (
            "States.Format('{} {}', 'x')",
            "Invalid arguments in States.Format: number of "
            "arguments do not match the occurrences of {}.",
        ),
        (
            "States.Format('{}', 'x', 'y')",
            "Invalid arguments in States.Format: number of "
            "arguments do not match the occurrences of {}.",
        ),
        (
            "States.Format('Hello {', 'x')",
            "Invalid template in States.Format: matching '}' not found for '{'.",
        ),
        (
            "States.Format('Hello {{}}', 'x')",
            "Invalid template in States.Format: matching '}' not found for '{'.",
        ),
        (
            "States.Format('}')",
            "Invalid template in States.Format: matching '{' not found for '}'.",
        ),
        (
            "States.Format('\\{}', 'x')",
            "Invalid template in States.Format: matching '{' not found for '}'.",
        ),
    ],
)
def test_format_template_errors_fail_at_run_time(text: str, detail: str) -> None:
    intrinsic = compile_intrinsic(text)  # AWS accepts these definitions
    with pytest.raises(StatesError) as caught:
        intrinsic.evaluate({}, SCOPE)
    assert caught.value.error == "States.Runtime"
    assert caught.value.cause == f"The function '{text}' had the following error: {detail}"


def test_format_template_must_be_a_string() -> None:
    invalid("States.Format($.t, 'x')", {"t": 123})
    invalid("States.Format(123)")


def test_format_count_mismatch_with_a_computed_template() -> None:
    error = failure("States.Format($.t, 'x')", {"t": "{}{}"})
    assert error.cause.endswith("number of arguments do not match the occurrences of {}.")


# --- JSON manipulation ---------------------------------------------------------------------


def test_string_to_json_documented_example() -> None:
    data = {"escapedJsonString": '{"foo": "bar"}'}
    assert run("States.StringToJson($.escapedJsonString)", data) == {"foo": "bar"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.StringToJson('[1, 2.5, null, true]')", [1, 2.5, None, True]),
        ("States.StringToJson(' \"x\" ')", "x"),
        ("States.StringToJson('9223372036854775807')", 9223372036854775807),
    ],
)
def test_string_to_json_values(text: str, expected: Any) -> None:
    assert run(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "States.StringToJson('{bad json}')",
        "States.StringToJson('{\"a\":1')",
        "States.StringToJson(12)",
        "States.StringToJson(null)",
    ],
)
def test_string_to_json_failures(text: str) -> None:
    invalid(text)


def test_string_to_json_of_an_empty_or_blank_string_is_null() -> None:
    # Recorded on AWS (LocalStack's test_json_manipulation.snapshot.json).
    assert run("States.StringToJson('')") is None
    assert run("States.StringToJson($.s)", {"s": " \t\n"}) is None


def test_json_to_string_documented_example() -> None:
    data = {"unescapedJson": {"foo": "bar"}}
    assert run("States.JsonToString($.unescapedJson)", data) == '{"foo":"bar"}'


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"a": 1}, '{"a":1}'),
        ([1, 2, 3], "[1,2,3]"),
        ("hello", '"hello"'),
        (123, "123"),
        (False, "false"),
        (None, "null"),
        ({"nested": {"a": 1}, "arr": [True, None]}, '{"nested":{"a":1},"arr":[true,null]}'),
        (
            [-1, 3.5, -9007199254740991, 1.0, 1e20, 1.5e-7],
            "[-1,3.5,-9007199254740991,1.0,1.0E20,1.5E-7]",
        ),
        ("é\u2028/\x01\n", '"é\u2028/\\u0001\\n"'),
        (["\x1f"], '["\\u001F"]'),
        (2**70, "1180591620717411303424"),
    ],
)
def test_json_to_string_writes_compact_jackson_json(data: Any, expected: str) -> None:
    assert run("States.JsonToString($.v)", {"v": data}) == expected


def test_json_to_string_accepts_a_literal() -> None:
    # Recorded on AWS, although the docs say the argument must be a path.
    assert run("States.JsonToString('x')") == '"x"'


def test_json_merge_documented_example() -> None:
    data = {
        "json1": {"a": {"a1": 1, "a2": 2}, "b": 2},
        "json2": {"a": {"a3": 1, "a4": 2}, "c": 3},
    }
    merged = run("States.JsonMerge($.json1, $.json2, false)", data)
    assert merged == {"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3}
    assert list(merged) == ["a", "b", "c"]
    assert data["json1"] == {"a": {"a1": 1, "a2": 2}, "b": 2}  # inputs untouched


def test_json_merge_treats_non_boolean_false_like_false() -> None:
    assert run("States.JsonMerge($.a, $.b, 'false')", {"a": {"x": 1}, "b": {"y": 2}}) == {
        "x": 1,
        "y": 2,
    }


@pytest.mark.parametrize(
    ("deep", "a", "b"),
    [
        ("true", {}, {}),
        ("'true'", {}, {}),
        ("1", {}, {}),
        ("false", None, {}),
        ("false", {}, None),
        ("false", [], {}),
        ("false", {}, "x"),
    ],
)
def test_json_merge_failures(deep: str, a: Any, b: Any) -> None:
    invalid(f"States.JsonMerge($.a, $.b, {deep})", {"a": a, "b": b})


# --- arrays --------------------------------------------------------------------------------


def test_array_documented_example() -> None:
    assert run("States.Array($.Id)", {"Id": 123456}) == [123456]


def test_array_partition_documented_example() -> None:
    data = {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9]}
    assert run("States.ArrayPartition($.inputArray, 4)", data) == [[1, 2, 3, 4], [5, 6, 7, 8], [9]]


@pytest.mark.parametrize(
    ("values", "size", "expected"),
    [
        ([1, 2, 3], 1, [[1], [2], [3]]),
        ([1, 2, 3], 10, [[1, 2, 3]]),
        ([], 3, []),
        ([1, 2, 3, 4, 5], 2.6, [[1, 2], [3, 4], [5]]),  # recorded: truncated, not rounded
        ([1, 2, 3], 2147483647, [[1, 2, 3]]),
    ],
)
def test_array_partition(values: list[Any], size: Any, expected: list[Any]) -> None:
    assert run("States.ArrayPartition($.v, $.n)", {"v": values, "n": size}) == expected


@pytest.mark.parametrize("size", [0, -1, 0.6, 0.49, -0.4, "2", None, True])
def test_array_partition_rejects_chunk_sizes_below_one(size: Any) -> None:
    invalid("States.ArrayPartition($.v, $.n)", {"v": [1, 2, 3], "n": size})


def test_array_partition_rejects_a_non_array() -> None:
    invalid("States.ArrayPartition('not-array', 2)")


def test_array_contains_documented_example() -> None:
    data = {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9], "lookingFor": 5}
    assert run("States.ArrayContains($.inputArray, $.lookingFor)", data) is True


@pytest.mark.parametrize(
    ("values", "wanted", "expected"),
    [
        ([1, 2], 3, False),
        ([{"a": 1, "b": [1]}], {"b": [1], "a": 1}, True),
        ([[1, 2]], [2, 1], False),
        ([1], True, False),
        ([True], 1, False),
        ([None], None, True),
        (["1"], 1, False),
        ([1], 1.0, False),  # Jackson: IntNode(1) is not DoubleNode(1.0)
    ],
)
def test_array_contains_compares_json_values(
    values: list[Any], wanted: Any, expected: bool
) -> None:
    assert run("States.ArrayContains($.v, $.w)", {"v": values, "w": wanted}) is expected


def test_array_contains_rejects_a_non_array() -> None:
    invalid("States.ArrayContains('abc', 'a')")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.ArrayRange(1, 9, 2)", [1, 3, 5, 7, 9]),
        ("States.ArrayRange(1, 5, 1)", [1, 2, 3, 4, 5]),
        ("States.ArrayRange(-2, 2, 2)", [-2, 0, 2]),
        ("States.ArrayRange(3, 3, -1)", [3]),
        ("States.ArrayRange(5, 1, -2)", [5, 3, 1]),
        ("States.ArrayRange(5, 1, 1)", []),
        ("States.ArrayRange(1, 5, -1)", []),
        ("States.ArrayRange(1, 10, 4)", [1, 5, 9]),
        ("States.ArrayRange(1.4, 5.6, 2.2)", [1, 3, 5]),
        ("States.ArrayRange(5.4, -0.6, -2.4)", [5, 3, 1]),
        ("States.ArrayRange(1.6, 1.4, 1)", [1]),
    ],
)
def test_array_range(text: str, expected: list[int]) -> None:
    assert run(text) == expected


def test_array_range_allows_exactly_1000_items() -> None:
    assert run("States.ArrayRange(1, 1000, 1)") == list(range(1, 1001))
    assert run("States.ArrayRange(1000, 1, -1)") == list(range(1000, 0, -1))
    invalid("States.ArrayRange(1, 1001, 1)")
    invalid("States.ArrayRange(1001, 1, -1)")


@pytest.mark.parametrize(
    "text",
    [
        "States.ArrayRange(1, 10, 0)",
        "States.ArrayRange(1, 10, 0.49)",
        "States.ArrayRange('a', 5, 1)",
        "States.ArrayRange(1, 'b', 1)",
        "States.ArrayRange(1, 5, 'c')",
        "States.ArrayRange(null, 5, 1)",
        "States.ArrayRange(true, 5, 1)",
    ],
)
def test_array_range_failures(text: str) -> None:
    invalid(text)


def test_array_get_item_documented_example() -> None:
    data = {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9], "index": 5}
    assert run("States.ArrayGetItem($.inputArray, $.index)", data) == 6


@pytest.mark.parametrize(
    ("values", "index", "expected"),
    [
        (["a", "b", "c"], 0, "a"),
        ([None], 0, None),
        ([{"a": 1}, {"b": 2}], 1, {"b": 2}),
        ([10, 20, 30], 1.2, 20),  # recorded: truncated
        ([], 999, None),  # recorded: an empty array answers null
    ],
)
def test_array_get_item(values: list[Any], index: Any, expected: Any) -> None:
    assert run("States.ArrayGetItem($.v, $.i)", {"v": values, "i": index}) == expected


def test_array_get_item_returns_the_item_itself() -> None:
    item = {"deep": [1]}
    assert run("States.ArrayGetItem($.v, 0)", {"v": [item]}) is item


@pytest.mark.parametrize(
    ("values", "index"),
    [([10, 20, 30], 3), ([10, 20, 30], -1), ([10, 20, 30], "1"), ("not-array", 0), ({"a": 1}, 0)],
)
def test_array_get_item_failures(values: Any, index: Any) -> None:
    invalid("States.ArrayGetItem($.v, $.i)", {"v": values, "i": index})


def test_array_length() -> None:
    assert run("States.ArrayLength($.v)", {"v": [1, 2, 3, 4, 5, 6, 7, 8, 9]}) == 9
    assert run("States.ArrayLength($.v)", {"v": []}) == 0
    invalid("States.ArrayLength($.v)", {"v": "abc"})
    invalid("States.ArrayLength($.v)", {"v": {"a": 1}})


def test_array_unique_documented_example() -> None:
    assert run("States.ArrayUnique($.v)", {"v": [1, 2, 3, 3, 3, 3, 3, 3, 4]}) == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["a", "b", "a", "c", "b"], ["a", "b", "c"]),
        ([], []),
        ([None, None, 1, None], [None, 1]),
        ([1, "1", 1, "01"], [1, "1", "01"]),
        ([{"a": 1, "b": 2}, {"b": 2, "a": 1}], [{"a": 1, "b": 2}]),
        ([{"nested": {"x": 1}}, {"nested": {"x": 1}}], [{"nested": {"x": 1}}]),
        ([1, True, 1.0, 0, False], [1, True, 1.0, 0, False]),
    ],
)
def test_array_unique(values: list[Any], expected: list[Any]) -> None:
    result = run("States.ArrayUnique($.v)", {"v": values})
    assert result == expected
    assert [type(item) for item in result] == [type(item) for item in expected]


def test_array_unique_rejects_a_non_array() -> None:
    invalid("States.ArrayUnique('not-array')")
    invalid("States.ArrayUnique($.o)", {"o": {"a": 1}})


# --- encoding and hashing ------------------------------------------------------------------


def test_base64_documented_examples() -> None:
    assert (
        run("States.Base64Encode($.input)", {"input": "Data to encode"}) == "RGF0YSB0byBlbmNvZGU="
    )
    assert (
        run("States.Base64Decode($.base64)", {"base64": "RGF0YSB0byBlbmNvZGU="}) == "Data to encode"
    )


@pytest.mark.parametrize(
    ("encoded", "decoded"),
    [
        ("aGVsbG8=", "hello"),
        ("", ""),
        ("4pyT", "✓"),
        ("44GT44KT44Gr44Gh44Gv", "こんにちは"),
        ("YWJjAGRlZg==", "abc\x00def"),
        # Recorded on AWS: malformed input decodes leniently instead of failing.
        ("abc", "i\ufffd"),
        ("ab==cd", "i"),
        (" YWJjZA== ", "abcd"),
        ("aGVs\nbG8=", "hello"),
        ("aGVsbG8", "hello"),
    ],
)
def test_base64_decode(encoded: str, decoded: str) -> None:
    assert run("States.Base64Decode($.s)", {"s": encoded}) == decoded


def test_base64_round_trip_of_unicode() -> None:
    text = "naïve 🚀 \x00"
    assert run("States.Base64Decode(States.Base64Encode($.s))", {"s": text}) == text


def test_base64_ten_thousand_character_limit() -> None:
    assert run("States.Base64Encode($.s)", {"s": "a" * 10_000}).startswith("YWFh")
    assert run("States.Base64Decode($.s)", {"s": "A" * 10_000}) == "\x00" * 7500
    invalid("States.Base64Encode($.s)", {"s": "a" * 10_001})
    invalid("States.Base64Decode($.s)", {"s": "A" * 10_001})
    # Java counts UTF-16 units: 5,001 astral characters are 10,002 of them.
    invalid("States.Base64Encode($.s)", {"s": "🚀" * 5_001})


@pytest.mark.parametrize("argument", ["123", "null", "true", "$.o"])
def test_base64_rejects_non_strings(argument: str) -> None:
    invalid(f"States.Base64Encode({argument})", {"o": {}})
    invalid(f"States.Base64Decode({argument})", {"o": {}})


@pytest.mark.parametrize(
    ("algorithm", "expected"),
    [
        ("MD5", "5d41402abc4b2a76b9719d911017c592"),
        ("SHA-1", "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"),
        ("SHA-256", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
        (
            "SHA-384",
            "59e1748777448c69de6b800d7a33bbfb9ff1b463e44354c3553bcdb9c666fa90"
            "125a3c79f90397bdf5f6a13de828684f",
        ),
        (
            "SHA-512",
            "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca7"
            "2323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043",
        ),
    ],
)
def test_hash_algorithms(algorithm: str, expected: str) -> None:
    assert run(f"States.Hash('hello', '{algorithm}')") == expected


def test_hash_documented_example_and_unicode() -> None:
    data = {"Data": "input data", "Algorithm": "SHA-1"}
    assert run("States.Hash($.Data, $.Algorithm)", data) == hashlib.sha1(b"input data").hexdigest()
    assert run("States.Hash('Data to encode', 'MD5')") == "ca405671828a177e26947171bbe1e352"
    assert (
        run("States.Hash('🚀', 'SHA-256')")
        == "ebbc0b2870eb323f2b6cffa5c493ceef81ae7eb36afc73d4e0367301631daec5"
    )


def test_hash_limit_and_algorithm_spelling() -> None:
    assert len(run("States.Hash($.s, 'SHA-256')", {"s": "a" * 10_000})) == 64
    invalid("States.Hash($.s, 'SHA-256')", {"s": "a" * 10_001})
    for algorithm in ["'sha-256'", "'SHA256'", "'MD-5'", "''", "'SHA-257'", "123", "null"]:
        invalid(f"States.Hash('data', {algorithm})")


def test_hash_writes_a_number_as_text() -> None:
    # Recorded on AWS: numeric data is hashed, not refused (the exact text is unverified).
    assert run("States.Hash(123, 'MD5')") == hashlib.md5(b"123").hexdigest()


# --- math ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.MathAdd(5, 3)", 8),
        ("States.MathAdd(-5, -3)", -8),
        ("States.MathAdd(1.6, 2.7)", 5),  # recorded: rounded before adding
        ("States.MathAdd(0.1, 0.2)", 0),
        ("States.MathAdd(2.5, 0)", 3),  # Math.round: halves go up
        ("States.MathAdd(-2.5, 0)", -2),
        ("States.MathAdd(2147483647, 0)", 2147483647),
        ("States.MathAdd(-2147483648, 0)", -2147483648),
        ("States.MathAdd(2147483646, 1)", 2147483647),
        ("States.MathAdd(-2147483647, -1)", -2147483648),
        ("States.MathAdd(States.MathAdd(5, 1), 2)", 8),
    ],
)
def test_math_add(text: str, expected: int) -> None:
    result = run(text)
    assert result == expected
    assert type(result) is int


def test_math_add_documented_example() -> None:
    assert run("States.MathAdd($.value1, $.step)", {"value1": 111, "step": -1}) == 110


@pytest.mark.parametrize(
    "text",
    [
        "States.MathAdd(2147483647, 1)",
        "States.MathAdd(-2147483648, -1)",
        "States.MathAdd(3000000000, 1)",
        "States.MathAdd(-3000000000, 1)",
        "States.MathAdd('a', 1)",
        "States.MathAdd(1, '2')",
        "States.MathAdd(null, 1)",
        "States.MathAdd(true, 1)",
        "States.MathAdd(1e309, 1)",
        "States.MathAdd(States.Array(1), 1)",
    ],
)
def test_math_add_failures(text: str) -> None:
    invalid(text)


def seeded_scope(seed: int) -> Scope:
    return Scope(rng_factory=lambda: random.Random(seed))


def test_math_random_without_seed_draws_from_the_scope() -> None:
    intrinsic = compile_intrinsic("States.MathRandom($.start, $.end)")
    data = {"start": 1, "end": 999}
    first = intrinsic.evaluate(data, seeded_scope(7))
    assert first == intrinsic.evaluate(data, seeded_scope(7))
    assert first == random.Random(7).randrange(1, 999)
    draws = {intrinsic.evaluate(data, seeded_scope(seed)) for seed in range(50)}
    assert len(draws) > 40
    assert all(1 <= value < 999 for value in draws)


def test_math_random_bounds_are_truncated_and_end_is_exclusive() -> None:
    values = {run("States.MathRandom(1.6, 5.4)", scope=seeded_scope(seed)) for seed in range(200)}
    assert values == {1, 2, 3, 4}
    assert {run("States.MathRandom(0, 2)", scope=seeded_scope(s)) for s in range(100)} == {0, 1}


def test_math_random_with_seed_is_java_util_random() -> None:
    assert run("States.MathRandom(1, 100, 42)") == run("States.MathRandom(1, 100, 42)")
    assert run("States.MathRandom(0, 10, 42)") == JavaRandom(42).next_int(10) == 0
    assert run("States.MathRandom(5, 105, 42)") == 5 + 30
    assert 1 <= run("States.MathRandom(1, 10, -10)") < 10
    assert run("States.MathRandom(1, 10, 2.6)") == run("States.MathRandom(1, 10, 2)")
    value = run(
        "States.MathRandom($.start, $.end, $.seed)",
        {"start": 2147483640, "end": 2147483647, "seed": 1},
    )
    assert 2147483640 <= value < 2147483647


def test_java_random_reference_values() -> None:
    # new java.util.Random(42).nextInt() is -1170105035; new Random(0).nextInt() -1155484576.
    assert JavaRandom(42).next_int() == -1170105035
    assert JavaRandom(0).next_int() == -1155484576
    generator = JavaRandom(42)
    assert [generator.next_int(16) for _ in range(3)] == [
        (16 * (r >> 1)) >> 31 for r in _java_raw_ints(42, 3)
    ]


def _java_raw_ints(seed: int, count: int) -> list[int]:
    state = (seed ^ 0x5DEECE66D) & ((1 << 48) - 1)
    out = []
    for _ in range(count):
        state = (state * 0x5DEECE66D + 0xB) & ((1 << 48) - 1)
        out.append(state >> 16)
    return out


@pytest.mark.parametrize(
    "text",
    [
        "States.MathRandom(1, 1)",
        "States.MathRandom(10, 5)",
        "States.MathRandom(1.4, 1.6)",
        "States.MathRandom(1.49, 1.49)",
        "States.MathRandom('a', 10)",
        "States.MathRandom(1, 'b')",
        "States.MathRandom(1, 10, 'seed')",
        "States.MathRandom(1, 10, null)",
        "States.MathRandom(-2147483648, 2147483647)",
    ],
)
def test_math_random_failures(text: str) -> None:
    invalid(text)


# --- strings and ids -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "delimiters", "expected"),
    [
        ("1,2,3,4,5", ",", ["1", "2", "3", "4", "5"]),
        ("This.is+a,test=string", ".+,=", ["This", "is", "a", "test", "string"]),
        ("a,,b", ",", ["a", "b"]),
        (",a,b,", ",", ["a", "b"]),
        (",", ",", []),
        ("", ",", []),
        ("1a2b3ab4", "ab", ["1", "2", "3", "4"]),
        ("a|b+c", "|", ["a", "b+c"]),
        ("abc", "", ["abc"]),
        ("naïve🚀x", "🚀", ["naïve", "x"]),
    ],
)
def test_string_split(text: str, delimiters: str, expected: list[str]) -> None:
    assert run("States.StringSplit($.s, $.d)", {"s": text, "d": delimiters}) == expected


@pytest.mark.parametrize(
    ("value", "delimiters"), [(123, ","), (None, ","), (False, ","), ("a,b", 1), ("a,b", [","])]
)
def test_string_split_failures(value: Any, delimiters: Any) -> None:
    invalid("States.StringSplit($.s, $.d)", {"s": value, "d": delimiters})


UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def test_uuid_is_version_4_and_reproducible() -> None:
    intrinsic = compile_intrinsic("States.UUID()")
    first = intrinsic.evaluate({}, seeded_scope(3))
    assert UUID4.match(first)
    assert first == intrinsic.evaluate({}, seeded_scope(3))
    assert first != intrinsic.evaluate({}, seeded_scope(4))
    counter = iter(range(1000))
    scope = Scope(rng_factory=lambda: random.Random(next(counter)))
    assert len({intrinsic.evaluate({}, scope) for _ in range(20)}) == 20


# --- path arguments and failure causes -----------------------------------------------------


def test_paths_read_data_context_and_variables() -> None:
    scope = Scope(
        variables={"limit": {"max": 3}},
        context={"Execution": {"Input": {"suffix": "run"}}, "State": {"Name": "P"}},
    )
    text = (
        "States.Format('{}:{}:{}:{}', $.name, $$.Execution.Input.suffix, $limit.max, $$.State.Name)"
    )
    assert run(text, {"name": "job"}, scope) == "job:run:3:P"
    assert run("States.JsonToString($)", {"other": 1}) == '{"other":1}'
    assert run("States.ArrayGetItem($.items, 1)", {"items": ["a", "b"]}) == "b"


def test_path_argument_may_contain_brackets_commas_and_parentheses() -> None:
    data = {"a,b": [1, 2], "x": {"y)": 5}}
    assert run("States.Array($['a,b'][1], $.x['y)'])", data) == [2, 5]


def test_missing_path_argument_cause() -> None:
    # Causes captured from AWS (floci-io/floci, issue #2870 tests), without the state prefix.
    error = failure("States.Format('{}', $.nope)", {"other": 1})
    assert error.cause == (
        "The function 'States.Format('{}', $.nope)' had the following error: "
        "The JsonPath argument for the field '$.nope' could not be found in the input "
        "'{\"other\":1}'"
    )


def test_missing_path_cause_names_the_whole_expression_as_written() -> None:
    error = failure("States.Format('{}',States.Format('{}', $.nope))", {"other": 1})
    assert error.cause.startswith(
        "The function 'States.Format('{}',States.Format('{}', $.nope))' had the following error: "
        "The JsonPath argument for the field '$.nope'"
    )


def test_missing_path_cause_names_the_failing_argument() -> None:
    error = failure("States.Format('{} {}', $.other, $.a.b)", {"other": 1})
    assert "for the field '$.a.b' could not be found" in error.cause
    error = failure("States.Format('{}', $.items[5])", {"items": [1, 2]})
    assert error.cause.endswith(
        "The JsonPath argument for the field '$.items[5]' could not be found in the input "
        "'{\"items\":[1,2]}'"
    )


@pytest.mark.parametrize(
    "text",
    [
        "States.ArrayLength($.nope)",
        "States.Array(1, $.nope)",
        "States.JsonToString($.nope)",
        "States.StringToJson($.nope)",
        "States.MathAdd($.nope, 1)",
        "States.ArrayContains($.nope, 1)",
        "States.JsonMerge($.nope, $.other, false)",
        "States.Format($.nope, 1)",
    ],
)
def test_every_function_fails_on_a_missing_path(text: str) -> None:
    error = failure(text, {"other": 1})
    assert error.cause == (
        f"The function '{text}' had the following error: The JsonPath argument for the "
        "field '$.nope' could not be found in the input '{\"other\":1}'"
    )


def test_missing_context_path_is_named_against_the_context_object() -> None:
    scope = Scope(context={"State": {"Name": "P"}})
    error = failure("States.Format('{}', $$.Nope.Deep)", {"other": 1}, scope)
    assert error.cause.endswith(
        "The JsonPath argument for the field '$.Nope.Deep' could not be found in the input "
        "'{\"other\":1}'"
    )


def test_wildcard_path_matching_nothing_is_an_empty_array() -> None:
    assert run("States.ArrayLength($.items[*].nope)", {"items": [1, 2]}) == 0


def test_failures_are_states_runtime_and_not_catchable_intrinsic_failure() -> None:
    error = failure("States.ArrayGetItem($.a, 3)", {"a": [1]})
    assert error.error == "States.Runtime"
    assert error.cause == (
        "The function 'States.ArrayGetItem($.a, 3)' had the following error: "
        "Invalid arguments in States.ArrayGetItem"
    )


def test_evaluation_never_mutates_its_input() -> None:
    data = {
        "a": {"x": [1, 2]},
        "b": {"y": {"z": 1}},
        "arr": [3, 1, 3, [1], {"k": None}],
        "s": "a,b",
    }
    snapshot = copy.deepcopy(data)
    for text in [
        "States.JsonMerge($.a, $.b, false)",
        "States.ArrayPartition($.arr, 2)",
        "States.ArrayUnique($.arr)",
        "States.Array($.a, $.arr)",
        "States.StringSplit($.s, ',')",
        "States.JsonToString($)",
        "States.ArrayGetItem($.arr, 3)",
    ]:
        run(text, data)
    assert data == snapshot


def test_constant_calls_are_computed_once() -> None:
    intrinsic = compile_intrinsic("States.ArrayRange(1, 1000, 1)")
    assert intrinsic.evaluate({}, SCOPE) is intrinsic.evaluate({"other": 1}, SCOPE)


def test_random_calls_are_not_computed_once() -> None:
    counter = iter(range(1000))
    scope = Scope(rng_factory=lambda: random.Random(next(counter)))
    intrinsic = compile_intrinsic("States.Array(States.UUID(), States.MathRandom(0, 1000000))")
    assert intrinsic.evaluate({}, scope) != intrinsic.evaluate({}, scope)


# --- Java text, equality -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.0, "1.0"),
        (3.5, "3.5"),
        (-2.5, "-2.5"),
        (100.0, "100.0"),
        (0.001, "0.001"),
        (0.0009, "9.0E-4"),
        (9999999.0, "9999999.0"),
        (1e7, "1.0E7"),
        (123456789.0, "1.23456789E8"),
        (1e20, "1.0E20"),
        (1.5e-7, "1.5E-7"),
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (5e-324, "4.9E-324"),
    ],
)
def test_java_double(value: float, expected: str) -> None:
    assert java_double(value) == expected


def test_string_value_of_containers() -> None:
    assert string_value({"a": [1, "x", None], "b": {"c": True}}) == "{a=[1, x, null], b={c=true}}"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=12,
)


@given(json_values, json_values)
def test_json_key_agrees_with_json_equal(left: Any, right: Any) -> None:
    assert (json_key(left) == json_key(right)) is json_equal(left, right)
    assert json_equal(left, copy.deepcopy(left))


@given(json_values)
def test_json_to_string_round_trips_through_string_to_json(value: Any) -> None:
    text = run("States.JsonToString($.v)", {"v": value})
    assert json_equal(run("States.StringToJson($.t)", {"t": text}), value)
    assert text == json_text(value)


@given(st.lists(json_values, max_size=8), st.integers(min_value=1, max_value=10))
def test_array_partition_and_unique_properties(values: list[Any], size: int) -> None:
    chunks = run("States.ArrayPartition($.v, $.n)", {"v": values, "n": size})
    assert [item for chunk in chunks for item in chunk] == values
    assert all(len(chunk) == size for chunk in chunks[:-1])
    unique = run("States.ArrayUnique($.v)", {"v": values})
    assert run("States.ArrayUnique($.v)", {"v": unique}) == unique
    assert all(run("States.ArrayContains($.v, $.w)", {"v": unique, "w": item}) for item in values)


# --- compile_intrinsic never fails with anything but IntrinsicSyntaxError ------------------

_NAMES = [
    "Format",
    "StringToJson",
    "JsonToString",
    "Array",
    "ArrayPartition",
    "ArrayContains",
    "ArrayRange",
    "ArrayGetItem",
    "ArrayLength",
    "ArrayUnique",
    "Base64Encode",
    "Base64Decode",
    "Hash",
    "JsonMerge",
    "MathRandom",
    "MathAdd",
    "StringSplit",
    "UUID",
    "Nope",
]
_PIECES = [
    "States.",
    "(",
    ")",
    ",",
    " ",
    "'",
    "\\",
    "{",
    "}",
    "$",
    "$$",
    ".a",
    "[0]",
    "['x']",
    "1",
    "-2.5e3",
    "true",
    "null",
    '"',
    "[",
    "]",
    "?(@.a)",
    "*",
    "..",
    "$v",
]


@st.composite
def call_like_text(draw: st.DrawFn) -> str:
    parts = [f"States.{draw(st.sampled_from(_NAMES))}("]
    parts += draw(
        st.lists(st.sampled_from(_PIECES + [f"States.{n}(" for n in _NAMES]), max_size=12)
    )
    return "".join(parts)


def _compile_or_syntax_error(text: str) -> None:
    try:
        compiled = compile_intrinsic(text)
    except IntrinsicSyntaxError:
        return
    assert isinstance(compiled, Intrinsic)


@settings(max_examples=400)
@given(st.text())
def test_compile_any_text(text: str) -> None:
    _compile_or_syntax_error(text)


@settings(max_examples=1500)
@given(call_like_text())
def test_compile_call_like_text(text: str) -> None:
    _compile_or_syntax_error(text)
