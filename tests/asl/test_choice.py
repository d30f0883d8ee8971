from __future__ import annotations

import copy
import functools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asl.choice import ChoiceRule, compile_choice_rule
from asl.errors import RUNTIME, DefinitionError, PathSyntaxError, StatesError
from asl.scope import Scope

MISSING = "Invalid path '{}': The choice state's condition path references an invalid value."


def top(spec: dict[str, Any]) -> ChoiceRule:
    return compile_choice_rule({**spec, "Next": "Matched"}, top_level=True)


def evaluate(
    spec: dict[str, Any],
    data: Any,
    *,
    variables: dict[str, Any] | None = None,
    context: Any = None,
) -> bool:
    return top(spec).evaluate(data, Scope(variables=variables, context=context))


def runtime_cause(spec: dict[str, Any], data: Any, **kwargs: Any) -> str:
    with pytest.raises(StatesError) as caught:
        evaluate(spec, data, **kwargs)
    assert caught.value.error == RUNTIME
    return caught.value.cause


# -- every comparison operator, literal and ...Path, matching and not ---------------------

T0 = "2012-10-09T19:00:55Z"
T1 = "2012-10-09T19:00:56Z"
T0_PLUS_ONE = "2012-10-09T20:00:55+01:00"  # the same instant as T0

COMPARISONS = [
    # operator, variable value, operand, expected
    ("StringEquals", "Hello", "Hello", True),
    ("StringEquals", "Hello", "hello", False),
    ("StringEquals", " ", "     ", False),
    ("StringEquals", "\t\n", "\t\r\n", False),
    ("StringEquals", "", "", True),
    ("StringLessThan", "A", "AB", True),
    ("StringLessThan", "AB", "A", False),
    ("StringLessThan", "", "", False),
    ("StringLessThan", "B", "a", True),  # uppercase sorts first
    ("StringGreaterThan", "AB", "A", True),
    ("StringGreaterThan", "A", "A ", False),
    ("StringGreaterThan", "", "", False),
    ("StringLessThanEquals", "A", "A", True),
    ("StringLessThanEquals", "A", "AB", True),
    ("StringLessThanEquals", "AB", "A", False),
    ("StringGreaterThanEquals", "", "", True),
    ("StringGreaterThanEquals", "AB", "A", True),
    ("StringGreaterThanEquals", "A", "AB", False),
    ("NumericEquals", 1, 1.0, True),
    ("NumericEquals", 0.0, 0, True),
    ("NumericEquals", 2.22, 2.22, True),
    ("NumericEquals", 1.1, 1, False),
    ("NumericEquals", -0.0, 0, True),
    ("NumericLessThan", 0, 1, True),
    ("NumericLessThan", 1, 1, False),
    ("NumericLessThan", -1.5, -1, True),
    ("NumericGreaterThan", 1, 0, True),
    ("NumericGreaterThan", 1, 1.0, False),
    ("NumericLessThanEquals", 1, 1.0, True),
    ("NumericLessThanEquals", 2, 1, False),
    ("NumericGreaterThanEquals", 1.0, 1, True),
    ("NumericGreaterThanEquals", 0, 1, False),
    ("BooleanEquals", True, True, True),
    ("BooleanEquals", False, False, True),
    ("BooleanEquals", True, False, False),
    ("BooleanEquals", False, True, False),
    ("TimestampEquals", T0, T0, True),
    ("TimestampEquals", T0, T1, False),
    ("TimestampEquals", T0_PLUS_ONE, T0, True),
    ("TimestampEquals", "2012-10-09T19:00:55.000Z", T0, True),
    ("TimestampLessThan", T0, T1, True),
    ("TimestampLessThan", T1, T0, False),
    ("TimestampLessThan", T0, T0, False),
    ("TimestampLessThan", "2012-10-09T19:00:55.999Z", T1, True),
    ("TimestampGreaterThan", T1, T0, True),
    ("TimestampGreaterThan", T0, T1, False),
    ("TimestampGreaterThan", "2012-10-09T19:00:56+01:00", T0, False),  # 18:00:56 UTC
    ("TimestampLessThanEquals", T0, T0, True),
    ("TimestampLessThanEquals", T0, T1, True),
    ("TimestampLessThanEquals", T1, T0, False),
    ("TimestampGreaterThanEquals", T0, T0, True),
    ("TimestampGreaterThanEquals", T1, T0, True),
    ("TimestampGreaterThanEquals", T0, T1, False),
]


@pytest.mark.parametrize(("operator", "value", "operand", "expected"), COMPARISONS)
def test_literal_comparison(operator: str, value: Any, operand: Any, expected: bool) -> None:
    assert evaluate({"Variable": "$.v", operator: operand}, {"v": value}) is expected


@pytest.mark.parametrize(("operator", "value", "operand", "expected"), COMPARISONS)
def test_path_comparison(operator: str, value: Any, operand: Any, expected: bool) -> None:
    spec = {"Variable": "$.v", operator + "Path": "$.other"}
    assert evaluate(spec, {"v": value, "other": operand}) is expected


def test_covers_every_comparison_operator() -> None:
    names = {name for name, *_ in COMPARISONS}
    kinds = ("String", "Numeric", "Timestamp")
    relations = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
    assert names == {k + r for k in kinds for r in relations} | {"BooleanEquals"}
    for name in names:
        values = {expected for n, *_, expected in COMPARISONS if n == name}
        assert values == {True, False}, name


# -- type mismatches are false, never errors ------------------------------------------------

OTHER_TYPES: list[Any] = [
    None,
    0,
    0.0,
    1,
    1.1,
    "",
    " ",
    "HelloWorld",
    [],
    [""],
    {},
    {"A": 0},
    False,
    True,
    T0,
]


ACCEPTS = {
    "String": lambda v: isinstance(v, str),
    "Numeric": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "Boolean": lambda v: isinstance(v, bool),
    "Timestamp": lambda v: v == T0,
}

MISMATCH_CASES = [
    (operator, value, operand)
    for kind, operator, operand in [
        ("String", "StringEquals", "HelloWorld"),
        ("String", "StringLessThanEquals", "HelloWorld"),
        ("Numeric", "NumericEquals", 0),
        ("Numeric", "NumericEquals", 1),
        ("Numeric", "NumericGreaterThanEquals", 0),
        ("Numeric", "NumericLessThanEquals", 1),
        ("Boolean", "BooleanEquals", True),
        ("Boolean", "BooleanEquals", False),
        ("Timestamp", "TimestampEquals", T0),
        ("Timestamp", "TimestampLessThanEquals", T0),
        ("Timestamp", "TimestampGreaterThanEquals", T0),
    ]
    for value in OTHER_TYPES
    if not ACCEPTS[kind](value)
]


@pytest.mark.parametrize(("operator", "value", "operand"), MISMATCH_CASES)
def test_type_mismatch_is_false(operator: str, value: Any, operand: Any) -> None:
    assert evaluate({"Variable": "$.v", operator: operand}, {"v": value}) is False
    path_spec = {"Variable": "$.v", operator + "Path": "$.other"}
    assert evaluate(path_spec, {"v": value, "other": operand}) is False
    # ... and on the other side of a ...Path comparison too
    assert evaluate(path_spec, {"v": operand, "other": value}) is False


def test_booleans_are_not_numbers_and_numbers_not_booleans() -> None:
    assert evaluate({"Variable": "$.v", "NumericEquals": 1}, {"v": True}) is False
    assert evaluate({"Variable": "$.v", "NumericEquals": 0}, {"v": False}) is False
    assert evaluate({"Variable": "$.v", "BooleanEquals": True}, {"v": 1}) is False
    assert evaluate({"Variable": "$.v", "BooleanEqualsPath": "$.w"}, {"v": 1, "w": True}) is False
    assert evaluate({"Variable": "$.v", "NumericEqualsPath": "$.w"}, {"v": 1, "w": True}) is False


def test_a_timestamp_is_also_a_string() -> None:
    assert evaluate({"Variable": "$.v", "StringEquals": T0}, {"v": T0}) is True
    # same instant, different text: equal as timestamps, not as strings
    assert evaluate({"Variable": "$.v", "StringEquals": T0}, {"v": T0_PLUS_ONE}) is False


@pytest.mark.parametrize(
    "value",
    [
        "2012-10-09T19:00:55",
        "2023-02-24",
        "2023-02-24 12:15:56.832957",
        "2012-10-09t19:00:55z",
        "2023-02-30T00:00:00Z",
        "",
        "later",
    ],
)
def test_unparsable_timestamps_never_match(value: str) -> None:
    for operator in ("TimestampEquals", "TimestampLessThan", "TimestampGreaterThanEquals"):
        assert evaluate({"Variable": "$.v", operator: T0}, {"v": value}) is False
        spec = {"Variable": "$.v", operator + "Path": "$.w"}
        assert evaluate(spec, {"v": value, "w": T0}) is False
        assert evaluate(spec, {"v": T0, "w": value}) is False


# -- strings order by UTF-16 code units, like Java's String.compareTo ---------------------


def test_string_order_is_by_utf16_code_units() -> None:
    astral = "\U0001f600"  # D83D DE00 in UTF-16
    private_use = "\uffff"
    # Python orders by code point (astral last); Java by code unit (the surrogate first).
    assert astral > private_use
    assert evaluate({"Variable": "$.v", "StringLessThan": private_use}, {"v": astral}) is True
    assert evaluate({"Variable": "$.v", "StringGreaterThan": private_use}, {"v": astral}) is False
    assert (
        evaluate(
            {"Variable": "$.v", "StringGreaterThanPath": "$.w"},
            {"v": "x" + private_use, "w": "x" + astral},
        )
        is True
    )
    assert evaluate({"Variable": "$.v", "StringLessThanEquals": "é"}, {"v": "e"}) is True


def test_surrogate_pair_spelling_equals_the_astral_character() -> None:
    spelled = "\ud83d\ude00"
    assert evaluate({"Variable": "$.v", "StringEquals": "\U0001f600"}, {"v": spelled}) is True
    assert evaluate({"Variable": "$.v", "StringEquals": "\U0001f601"}, {"v": spelled}) is False
    assert evaluate({"Variable": "$.v", "StringEquals": "\ud83d"}, {"v": "\ud83d"}) is True


# -- type tests -----------------------------------------------------------------------------

TYPE_TESTS = [
    ("IsNull", None, True),
    ("IsNull", 0, False),
    ("IsNull", "", False),
    ("IsNull", {}, False),
    ("IsNull", False, False),
    ("IsNumeric", 0, True),
    ("IsNumeric", 1.1, True),
    ("IsNumeric", -3, True),
    ("IsNumeric", True, False),
    ("IsNumeric", "1", False),
    ("IsNumeric", None, False),
    ("IsString", "", True),
    ("IsString", "HelloWorld", True),
    ("IsString", T0, True),
    ("IsString", 1, False),
    ("IsString", None, False),
    ("IsString", [""], False),
    ("IsBoolean", True, True),
    ("IsBoolean", False, True),
    ("IsBoolean", 0, False),
    ("IsBoolean", "true", False),
    ("IsBoolean", None, False),
    ("IsTimestamp", T0, True),
    ("IsTimestamp", T0_PLUS_ONE, True),
    ("IsTimestamp", "2016-03-14T01:59:00.123Z", True),
    ("IsTimestamp", "2012-10-09T19:00:55", False),
    ("IsTimestamp", "2023-02-24", False),
    ("IsTimestamp", "HelloWorld", False),
    ("IsTimestamp", 1349809255, False),
    ("IsTimestamp", None, False),
    ("IsPresent", None, True),
    ("IsPresent", 0, True),
    ("IsPresent", False, True),
    ("IsPresent", {}, True),
    ("IsPresent", [], True),
]


@pytest.mark.parametrize(("operator", "value", "expected"), TYPE_TESTS)
def test_type_tests(operator: str, value: Any, expected: bool) -> None:
    assert evaluate({"Variable": "$.v", operator: True}, {"v": value}) is expected
    assert evaluate({"Variable": "$.v", operator: False}, {"v": value}) is (not expected)


def test_is_present_on_missing_paths_is_false_not_an_error() -> None:
    assert evaluate({"Variable": "$.v", "IsPresent": True}, {}) is False
    assert evaluate({"Variable": "$.v", "IsPresent": False}, {}) is True
    assert evaluate({"Variable": "$.a.b.c", "IsPresent": True}, {"a": {}}) is False
    assert evaluate({"Variable": "$.a[3]", "IsPresent": False}, {"a": [1]}) is True
    assert evaluate({"Variable": "$.a.b", "IsPresent": True}, {"a": "text"}) is False
    assert evaluate({"Variable": "$nothing", "IsPresent": False}, {}, variables={}) is True
    assert (
        evaluate({"Variable": "$$.Task.Token", "IsPresent": True}, {}, context={"Execution": {}})
        is False
    )


@pytest.mark.parametrize(
    "operator", ["IsNull", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"]
)
def test_other_type_tests_fail_on_missing_paths(operator: str) -> None:
    assert runtime_cause({"Variable": "$.v", operator: False}, {}) == MISSING.format("$.v")


# -- missing paths ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [
        {"StringEquals": "x"},
        {"StringMatches": "*"},
        {"NumericLessThan": 5},
        {"BooleanEquals": True},
        {"TimestampEquals": T0},
        {"NumericEqualsPath": "$.n"},
    ],
)
def test_missing_variable_is_a_runtime_error(spec: dict[str, Any]) -> None:
    cause = runtime_cause({"Variable": "$.type", **spec}, {"n": 1, "value": 22})
    assert cause == MISSING.format("$.type")


def test_missing_comparison_path_is_a_runtime_error() -> None:
    spec = {"Variable": "$.left", "NumericLessThanEqualsPath": "$.right"}
    assert runtime_cause(spec, {"left": 8}) == MISSING.format("$.right")
    # the Variable is read first
    assert runtime_cause(spec, {}) == MISSING.format("$.left")


def test_null_is_present_and_compares_false() -> None:
    assert evaluate({"Variable": "$.v", "StringEquals": "null"}, {"v": None}) is False
    assert evaluate({"Variable": "$.v", "NumericEqualsPath": "$.w"}, {"v": 1, "w": None}) is False


def test_variable_reads_context_and_workflow_variables() -> None:
    context = {"Execution": {"Name": "run-1"}, "State": {"RetryCount": 2}}
    assert (
        evaluate({"Variable": "$$.Execution.Name", "StringEquals": "run-1"}, {}, context=context)
        is True
    )
    assert (
        evaluate({"Variable": "$$.State.RetryCount", "NumericGreaterThan": 2}, {}, context=context)
        is False
    )
    assert (
        evaluate(
            {"Variable": "$limit", "NumericGreaterThanPath": "$.count"},
            {"count": 3},
            variables={"limit": 10},
        )
        is True
    )
    assert (
        evaluate(
            {"Variable": "$.count", "NumericLessThanPath": "$cfg.max"},
            {"count": 3},
            variables={"cfg": {"max": 3}},
        )
        is False
    )
    assert runtime_cause(
        {"Variable": "$undefinedVariable", "StringEquals": "value"},
        {},
        variables={"other": "value"},
    ) == MISSING.format("$undefinedVariable")


def test_whole_input_and_array_elements() -> None:
    assert evaluate({"Variable": "$", "StringEquals": "No messages"}, "No messages") is True
    assert evaluate({"Variable": "$[1]", "NumericEquals": 20}, [10, 20]) is True
    assert evaluate({"Variable": "$.a[0].b", "IsNull": True}, {"a": [{"b": None}]}) is True


def test_evaluation_never_mutates_its_input() -> None:
    data = {"a": [{"b": "x"}], "n": 1, "t": T0}
    snapshot = copy.deepcopy(data)
    rule = top(
        {
            "And": [
                {"Variable": "$.a[0].b", "StringMatches": "*"},
                {"Variable": "$.n", "NumericEqualsPath": "$.n"},
                {"Variable": "$.t", "TimestampLessThanEquals": T1},
                {"Not": {"Variable": "$.missing", "IsPresent": True}},
            ]
        }
    )
    assert rule.evaluate(data, Scope()) is True
    assert data == snapshot


# -- And / Or / Not -----------------------------------------------------------------------


def test_the_documented_example() -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
    rules = [
        compile_choice_rule(raw, top_level=True)
        for raw in [
            {"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "Public"},
            {"Variable": "$.value", "NumericEquals": 0, "Next": "ValueIsZero"},
            {
                "And": [
                    {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                    {"Variable": "$.value", "NumericLessThan": 30},
                ],
                "Next": "ValueInTwenties",
            },
        ]
    ]

    def choose(data: Any) -> str | None:
        return next((rule.next for rule in rules if rule.evaluate(data, Scope())), None)

    assert choose({"type": "Private", "value": 22}) == "ValueInTwenties"
    assert choose({"type": "Public", "value": 22}) == "Public"
    assert choose({"type": "Private", "value": 0}) == "ValueIsZero"
    assert choose({"type": "Private", "value": 30}) is None
    with pytest.raises(StatesError):
        choose({"value": 22})


def test_nested_combinators() -> None:
    spec = {
        "Or": [
            {
                "And": [
                    {"Variable": "$.a", "IsNumeric": True},
                    {"Not": {"Variable": "$.a", "NumericLessThan": 10}},
                ]
            },
            {
                "Not": {
                    "Or": [
                        {"Variable": "$.b", "StringEquals": "x"},
                        {"Variable": "$.b", "StringEquals": "y"},
                    ]
                }
            },
        ]
    }
    assert evaluate(spec, {"a": 10, "b": "x"}) is True  # first branch
    assert evaluate(spec, {"a": 9, "b": "z"}) is True  # second branch
    assert evaluate(spec, {"a": 9, "b": "y"}) is False
    assert evaluate(spec, {"a": "10", "b": "x"}) is False
    assert evaluate({"Not": {"Not": {"Variable": "$.a", "IsNull": True}}}, {"a": None}) is True
    assert evaluate({"And": [{"Variable": "$.a", "IsNull": True}]}, {"a": None}) is True
    assert evaluate({"Or": [{"Variable": "$.a", "IsNull": False}]}, {"a": None}) is False


def test_combinators_short_circuit_left_to_right() -> None:
    broken = {"Variable": "$.missing", "StringEquals": "x"}
    assert (
        evaluate({"And": [{"Variable": "$.a", "BooleanEquals": False}, broken]}, {"a": True})
        is False
    )
    assert (
        evaluate({"Or": [{"Variable": "$.a", "BooleanEquals": True}, broken]}, {"a": True}) is True
    )
    assert runtime_cause(
        {"And": [{"Variable": "$.a", "BooleanEquals": True}, broken]}, {"a": True}
    ) == MISSING.format("$.missing")
    assert runtime_cause({"Not": broken}, {}) == MISSING.format("$.missing")


def test_next_is_kept_on_top_level_rules_only() -> None:
    rule = compile_choice_rule(
        {"Variable": "$.a", "IsNull": True, "Next": "Somewhere"}, top_level=True
    )
    assert rule.next == "Somewhere"
    nested = compile_choice_rule({"Variable": "$.a", "IsNull": True}, top_level=False)
    assert nested.next is None
    assert nested.evaluate({"a": None}, Scope()) is True


def test_comment_and_assign_are_accepted_on_top_level_rules() -> None:
    rule = compile_choice_rule(
        {"Comment": "why", "Variable": "$.a", "IsNull": True, "Assign": {"x": 1}, "Next": "N"},
        top_level=True,
    )
    assert rule.evaluate({"a": None}, Scope()) is True
    nested = compile_choice_rule(
        {"Comment": "c", "Variable": "$.a", "IsNull": True}, top_level=False
    )
    assert nested.evaluate({"a": 1}, Scope()) is False


# -- StringMatches ------------------------------------------------------------------------

# Patterns as the Python strings JSON decodes to: JSON "\\*" is the two characters \ and *.
MATCHES = [
    ("foo*.log", "foo23.log", True),
    ("*.log", "zebra.log", True),
    ("foo*.*", "foobar.zebra", True),
    ("foo*.log", "foo23.txt", False),
    ("log-*.txt", "log-.txt", True),
    ("*", "", True),
    ("*", "anything\nat all", True),
    ("", "", True),
    ("", "x", False),
    ("abc", "abc", True),
    ("abc", "abcd", False),
    ("a*a", "a", False),
    ("a*a", "aa", True),
    ("*a*b*", "xxaxxbxx", True),
    ("*a*b*", "xxbxxaxx", False),
    ("ab*ba", "aba", False),
    ("a.c", "abc", False),  # regex characters are literal
    ("a.c", "a.c", True),
    ("[ab]+?(x)|^$", "[ab]+?(x)|^$", True),
    ("\\*", "*", True),
    ("\\*", "x", False),
    ("\\*", "", False),
    ("a\\*b", "a*b", True),
    ("a\\*b", "axb", False),
    ("\\\\", "\\", True),
    ("\\\\", "\\\\", False),
    ("\\\\*", "\\anything", True),
    ("*\\\\\\*", "x\\*", True),
    ("*\\\\\\*", "x\\y", False),
    ("Hello \\* world", "Hello * world", True),
    ("Hello \\* world", "Hello big world", False),
    ("*é*", "café", True),
    ("*\U0001f600", "smile \U0001f600", True),
]


@pytest.mark.parametrize(("pattern", "text", "expected"), MATCHES)
def test_string_matches(pattern: str, text: str, expected: bool) -> None:
    assert evaluate({"Variable": "$.v", "StringMatches": pattern}, {"v": text}) is expected


@pytest.mark.parametrize("value", [None, 1, 1.5, True, [], ["a"], {}, {"a": "a"}])
def test_string_matches_non_strings_is_false(value: Any) -> None:
    assert evaluate({"Variable": "$.v", "StringMatches": "*"}, {"v": value}) is False


@pytest.mark.parametrize("pattern", ["\\", "abc\\", "a\\b", "\\n*", "*\\\\\\"])
def test_string_matches_open_escape_is_a_runtime_error(pattern: str) -> None:
    cause = runtime_cause({"Variable": "$.v", "StringMatches": pattern}, {"v": "abc"})
    assert pattern in cause
    # a missing Variable is still reported as such
    assert runtime_cause({"Variable": "$.v", "StringMatches": pattern}, {}) == MISSING.format("$.v")


def test_string_matches_does_not_backtrack() -> None:
    pattern = "*a" * 30 + "b"
    text = "a" * 20_000
    assert evaluate({"Variable": "$.v", "StringMatches": pattern}, {"v": text}) is False
    assert evaluate({"Variable": "$.v", "StringMatches": pattern}, {"v": text + "b"}) is True


def _reference_tokens(pattern: str) -> list[str | None] | None:
    """None stands for a wildcard; an open escape gives None overall."""
    tokens: list[str | None] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            if index + 1 == len(pattern) or pattern[index + 1] not in "*\\":
                return None
            tokens.append(pattern[index + 1])
            index += 2
        else:
            tokens.append(None if char == "*" else char)
            index += 1
    return tokens


def _reference_match(tokens: list[str | None], text: str) -> bool:
    @functools.cache
    def match(t: int, s: int) -> bool:
        if t == len(tokens):
            return s == len(text)
        if tokens[t] is None:
            return match(t + 1, s) or (s < len(text) and match(t, s + 1))
        return s < len(text) and text[s] == tokens[t] and match(t + 1, s + 1)

    return match(0, 0)


small_alphabet = st.text(alphabet="ab*\\", max_size=12)


@given(pattern=small_alphabet | st.text(max_size=20), text=small_alphabet | st.text(max_size=30))
def test_string_matches_agrees_with_a_reference(pattern: str, text: str) -> None:
    tokens = _reference_tokens(pattern)
    rule = top({"Variable": "$.v", "StringMatches": pattern})  # compiling never fails
    if tokens is None:
        with pytest.raises(StatesError) as caught:
            rule.evaluate({"v": text}, Scope())
        assert caught.value.error == RUNTIME
    else:
        assert rule.evaluate({"v": text}, Scope()) is _reference_match(tokens, text)


@given(pattern=st.text(alphabet="xy*", max_size=15), text=st.text(alphabet="xy*", max_size=25))
def test_string_matches_without_backslashes_never_raises(pattern: str, text: str) -> None:
    result = top({"Variable": "$.v", "StringMatches": pattern}).evaluate({"v": text}, Scope())
    assert result is _reference_match(_reference_tokens(pattern) or [], text)


# -- malformed rules ----------------------------------------------------------------------

BAD_RULES: list[tuple[Any, bool, str]] = [
    # raw rule, top_level, fragment of the message
    ({"Variable": "$.a", "Next": "N"}, True, "exactly one"),
    ({"Variable": "$.a", "StringEqual": "x", "Next": "N"}, True, "exactly one"),
    ({"Variable": "$.a", "StringEquals": "x", "IsNull": True, "Next": "N"}, True, "IsNull"),
    (
        {
            "And": [{"Variable": "$.a", "IsNull": True}],
            "Not": {"Variable": "$.a", "IsNull": True},
            "Next": "N",
        },
        True,
        "exactly one",
    ),
    ({"Variable": "$.a", "StringEquals": "x"}, True, "Next"),
    ({"Variable": "$.a", "StringEquals": "x", "Next": ""}, True, "Next"),
    ({"Variable": "$.a", "StringEquals": "x", "Next": 3}, True, "Next"),
    ({"Variable": "$.a", "StringEquals": "x", "Next": "N"}, False, "Next"),
    ({"Variable": "$.a", "StringEquals": "x", "Assign": {}}, False, "Assign"),
    ({"StringEquals": "x", "Next": "N"}, True, "Variable"),
    (
        {"Variable": "$.a", "And": [{"Variable": "$.a", "IsNull": True}], "Next": "N"},
        True,
        "Variable",
    ),
    ({"Variable": "$.a", "StringEquals": "x", "Extra": 1, "Next": "N"}, True, "Extra"),
    ({"Condition": "{% true %}", "Next": "N"}, True, "exactly one"),
    (
        {"Condition": "{% true %}", "Variable": "$.a", "IsNull": True, "Next": "N"},
        True,
        "Condition",
    ),
    ({"Variable": "$.a", "StringEquals": "x", "Comment": 5, "Next": "N"}, True, "Comment"),
    ("not a rule", True, "JSON object"),
    ({"Variable": "$.a", "StringEquals": 1, "Next": "N"}, True, "string"),
    ({"Variable": "$.a", "StringLessThan": None, "Next": "N"}, True, "string"),
    ({"Variable": "$.a", "StringMatches": 1, "Next": "N"}, True, "string"),
    ({"Variable": "$.a", "NumericEquals": "1", "Next": "N"}, True, "number"),
    ({"Variable": "$.a", "NumericLessThan": True, "Next": "N"}, True, "number"),
    ({"Variable": "$.a", "BooleanEquals": "true", "Next": "N"}, True, "boolean"),
    ({"Variable": "$.a", "BooleanEquals": 1, "Next": "N"}, True, "boolean"),
    ({"Variable": "$.a", "IsNull": "true", "Next": "N"}, True, "boolean"),
    ({"Variable": "$.a", "IsPresent": 1, "Next": "N"}, True, "boolean"),
    ({"Variable": "$.a", "TimestampEquals": "2016-03-14", "Next": "N"}, True, "timestamp"),
    ({"Variable": "$.a", "TimestampLessThan": 1457920740, "Next": "N"}, True, "timestamp"),
    ({"Variable": "$.a", "NumericEqualsPath": 5, "Next": "N"}, True, "reference path"),
    ({"Variable": 5, "StringEquals": "x", "Next": "N"}, True, "reference path"),
    ({"And": [], "Next": "N"}, True, "non-empty array"),
    ({"Or": {"Variable": "$.a", "IsNull": True}, "Next": "N"}, True, "non-empty array"),
    ({"Not": [{"Variable": "$.a", "IsNull": True}], "Next": "N"}, True, "single Choice Rule"),
    ({"And": [{"Variable": "$.a", "IsNull": True, "Next": "N"}], "Next": "N"}, True, "Next"),
    ({"Not": {"Variable": "$.a", "IsNull": True, "Next": "N"}, "Next": "N"}, True, "Next"),
    (
        {"Or": [{"Variable": "$.a", "IsNull": True}, {"Variable": "$.a"}], "Next": "N"},
        True,
        "exactly one",
    ),
    ({"Or": [{"Not": {"And": ["x"]}}], "Next": "N"}, True, "JSON object"),
]


@pytest.mark.parametrize(("raw", "top_level", "fragment"), BAD_RULES)
def test_malformed_rules_are_definition_errors(raw: Any, top_level: bool, fragment: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        compile_choice_rule(raw, top_level=top_level)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    "spec",
    [
        {"Variable": "a.b", "IsNull": True},
        {"Variable": "$.a[*]", "IsNull": True},
        {"Variable": "$..a", "IsNull": True},
        {"Variable": "$.a", "StringEqualsPath": "$.b[?(@.c)]"},
        {"Variable": "$.a", "TimestampLessThanPath": "not a path"},
    ],
)
def test_bad_paths_are_path_syntax_errors(spec: dict[str, Any]) -> None:
    with pytest.raises(PathSyntaxError) as caught:
        top(spec)
    assert isinstance(caught.value, DefinitionError)
    field = "Variable" if spec["Variable"] != "$.a" else next(k for k in spec if k != "Variable")
    assert f"'{field}'" in str(caught.value)
