"""asl.jsonata: compiling and evaluating expressions, Step Functions' functions, failures."""

from __future__ import annotations

import copy
import random
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from asl import errors
from asl.jsonata import (
    INVALID_JSONATA_EXPRESSION,
    UNDEFINED,
    JsonataDefinitionError,
    JsonataEvaluationError,
    compile_expression,
)
from asl.jsonata import expression as expression_module

NOW = datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)


def rng() -> random.Random:
    return random.Random(7)


def run(text: str, bindings: dict[str, Any] | None = None, **states: Any) -> Any:
    scope = dict(bindings or {})
    if states:
        scope["states"] = states
    return compile_expression(text).evaluate(scope, NOW, rng)


def failure(text: str, bindings: dict[str, Any] | None = None) -> JsonataEvaluationError:
    with pytest.raises(JsonataEvaluationError) as caught:
        compile_expression(text, field="Output/v").evaluate(bindings or {}, NOW, rng)
    assert caught.value.error == errors.QUERY_EVALUATION_ERROR
    return caught.value


# --------------------------------------------------------------------------- compiling


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # AWS's INVALID_JSONATA_EXPRESSION messages, as validate-state-machine-definition
        # answered them in us-east-1 (floci-io/floci's validation tests).
        ("a[1,2)", 'Expected "]", got ","'),
        ('"unterminated', "String literal must be terminated by a matching quote"),
        ("1 +", "Unexpected end of expression"),
        ('{"a":}', 'The symbol "}" cannot be used as a unary operator'),
        ("$x :=", "Unexpected end of expression"),
        ('$match("a", /abc', "No terminating / in regular expression"),
        ("phone %.other", 'The symbol "." cannot be used as a unary operator'),
        ("", "Unexpected end of expression"),
        ("   ", "Unexpected end of expression"),
    ],
)
def test_a_syntax_error_is_a_definition_error_in_aws_words(text: str, message: str) -> None:
    with pytest.raises(JsonataDefinitionError) as caught:
        compile_expression(text)
    assert str(caught.value) == message
    assert caught.value.code == INVALID_JSONATA_EXPRESSION
    assert isinstance(caught.value, errors.DefinitionError)


@pytest.mark.parametrize(
    "text",
    [
        "$eval('1 + 1')",
        "$map(['1', '2'], $eval)",
        "$states.input.list ~> $map(function($v){ $eval($v) })",
    ],
)
def test_eval_compiles_and_fails_when_called(text: str) -> None:
    # AWS accepts a definition that calls $eval and fails the call at run time:
    # "$eval is not available" (transforming-data.html), T1006 as jsonata-js words it.
    caught = failure(text, {"states": {"input": {"list": ["1"]}}})
    assert caught.error == "States.QueryEvaluationError"
    assert "T1006: Attempted to invoke a non-function" in caught.cause


def test_a_name_that_only_contains_eval_is_not_refused() -> None:
    assert run("$evaluate", {"evaluate": 3}) == 3
    assert run("'$eval'") == "$eval"


def test_an_unpaired_surrogate_is_a_definition_error_not_a_crash() -> None:
    with pytest.raises(JsonataDefinitionError):
        compile_expression("'\ud800'")


def test_the_text_is_kept_without_surrounding_blanks() -> None:
    assert compile_expression("  $states.input \n").text == "$states.input"


# --------------------------------------------------------------------------- evaluating


def test_arithmetic_on_an_integer_input_gives_an_integer() -> None:
    result = run('{"a": $states.input.x + 1}', input={"x": 1})
    assert result == {"a": 2}
    assert type(result["a"]) is int  # JSON text "2", not "2.0"


def test_a_whole_float_is_written_without_a_fraction_and_a_fraction_is_kept() -> None:
    # AWS answers {"v": 1} for an input of 1.0 (floci-io/floci, measured in us-east-1).
    assert type(run("$states.input.x", input={"x": 1.0})) is int
    assert type(run("$states.input.x * 1", input={"x": 1.0})) is int
    assert run("$states.input.x / 4", input={"x": 1}) == 0.25


def test_nothing_found_is_undefined_and_null_is_null() -> None:
    assert run("$states.input.missing", input={}) is UNDEFINED
    assert run("$states.input.a.b.c", input={"a": {}}) is UNDEFINED
    assert run("$states.input.n", input={"n": None}) is None
    assert run("$states.input.n.m", input={"n": None}) is UNDEFINED
    assert run("null") is None
    assert run("$exists($states.input.n)", input={"n": None}) is True


def test_variables_are_read_by_name_without_the_dollar() -> None:
    assert run("$myVar * 2", {"myVar": 21}) == 42
    assert run("$unknown") is UNDEFINED
    assert run("[$a, $b.c]", {"a": 1, "b": {"c": [2]}}) == [1, 2]  # arrays flatten


def test_an_expression_sees_no_context_item() -> None:
    # Step Functions gives no context item: a top-level name or $ finds nothing, even when a
    # variable of that name exists.
    assert run("states", input={"x": 1}) is UNDEFINED
    assert run("$", input={"x": 1}) is UNDEFINED
    assert run("$$", {"myVar": 1}) is UNDEFINED
    assert run("myVar", {"myVar": 1}) is UNDEFINED
    assert run("$string()", input={"x": 1}) is UNDEFINED
    assert run("$keys()", {"myVar": 1}) is UNDEFINED


def test_an_object_constructor_and_paths_over_arrays() -> None:
    states = {"input": {"items": [{"a": 1}, {"a": 2}], "one": [{"a": 3}]}}
    assert run('{"x": $states.input.items.a}', **states) == {"x": [1, 2]}
    assert run("$states.input.items.a", **states) == [1, 2]
    assert run("$states.input.one.a", **states) == 3  # a singleton sequence is its value
    assert run("$states.input.items[a > 1]", **states) == {"a": 2}
    assert run("$count($states.input.items)", **states) == 2


def test_a_variable_path_returns_the_value_itself_not_a_copy() -> None:
    payload = {"Payload": {"deep": [1, {"x": 2}]}}
    bindings = {"states": {"result": payload}}
    result = compile_expression("$states.result.Payload").evaluate(bindings, NOW, rng)
    assert result is payload["Payload"]
    # and agrees with the engine where the walk gives way to it
    assert run("$states.result.Payload.deep", **{"result": payload}) == [1, {"x": 2}]


def test_evaluation_never_changes_its_bindings() -> None:
    bindings = {
        "states": {"input": {"items": [3, 1, 2], "o": {"k": [1]}}},
        "v": {"a": [1, 2]},
    }
    before = copy.deepcopy(bindings)
    for text in [
        "$sort($states.input.items)",
        "$merge([$states.input.o, {'k': 2}])",
        "$append($v.a, 3)",
        "$states.input ~> |o|{'k': 5}|",
        "$states.input",
    ]:
        run(text, bindings)
    assert bindings == before


def test_a_large_input_is_read_only_where_the_expression_reads_it() -> None:
    items = [{"id": i, "name": f"item{i}"} for i in range(20000)]
    expression = compile_expression("$states.input.items[19999].name")
    bindings = {"states": {"input": {"items": items}}}
    assert expression.evaluate(bindings, NOW, rng) == "item19999"
    assert run("{'n': $count($states.input.items)}", bindings) == {"n": 20000}


def test_bindings_may_be_any_mapping() -> None:
    from types import MappingProxyType

    bindings = MappingProxyType({"states": {"input": {"x": 2}}, "k": 3})
    assert compile_expression("$states.input.x * $k").evaluate(bindings, NOW, rng) == 6
    assert compile_expression("$states.input.x").evaluate(bindings, NOW, rng) == 2


def test_one_expression_evaluates_many_times_with_different_bindings() -> None:
    expression = compile_expression("$states.input.x + $y")
    results = [
        expression.evaluate({"states": {"input": {"x": i}}, "y": 10 * i}, NOW, rng)
        for i in range(5)
    ]
    assert results == [0, 11, 22, 33, 44]


# --------------------------------------------------------------------------- the clock


def test_now_is_the_given_instant_in_utc_with_milliseconds() -> None:
    assert run("$now()") == "2024-01-02T03:04:05.678Z"
    assert run("$millis()") == 1704164645678
    later = NOW + timedelta(days=1)
    assert compile_expression("$now()").evaluate({}, later, rng) == "2024-01-03T03:04:05.678Z"


def test_now_from_another_offset_or_naive_is_the_same_instant() -> None:
    plus_two = NOW.astimezone(timezone(timedelta(hours=2)))
    naive = NOW.replace(tzinfo=None)
    for moment in (plus_two, naive):
        assert compile_expression("$millis()").evaluate({}, moment, rng) == 1704164645678


def test_now_takes_a_picture_and_a_timezone() -> None:
    assert run("$now('[Y0001]-[M01]-[D01]')") == "2024-01-02"
    assert run("$now('[H01]:[m01]', '+0100')") == "04:04"
    assert run("$fromMillis($millis())") == "2024-01-02T03:04:05.678Z"


def test_the_clock_is_the_same_for_every_call_in_one_evaluation() -> None:
    assert run("$now() = $now() and $millis() = $millis()") is True


# --------------------------------------------------------------------------- failures


def test_an_evaluation_error_names_the_expression_and_the_field() -> None:
    # The shape recorded on AWS (LocalStack test_math_operations_jsonata.snapshot.json).
    error = failure("$randomSeeded($states.input.FunctionInput.fst)")
    assert error.cause == (
        "The JSONata expression '$randomSeeded($states.input.FunctionInput.fst)' specified for "
        "the field 'Output/v' threw an error during evaluation. T1006: Attempted to invoke a "
        "non-function"
    )
    assert error.location == "Output/v"
    assert error.jsonata_code == "T1006"
    assert isinstance(error, errors.StatesError)


@pytest.mark.parametrize(
    ("text", "tail"),
    [
        ("$sum(['a'])", 'T0412: Argument 1 of function "sum" must be an array of "numbers"'),
        ("$abs('x')", 'T0410: Argument 1 of function "abs" does not match function signature'),
        ("1 + 'a'", 'T2002: The right side of the "+" operator must evaluate to a number'),
        ("$error('boom')", "D3137: boom"),
        ("$number('abc')", 'D3030: Unable to cast value to a number: "abc"'),
    ],
)
def test_jsonata_errors_keep_jsonata_js_wording(text: str, tail: str) -> None:
    assert failure(text).cause.endswith(". " + tail)


def test_without_a_field_the_cause_is_the_jsonata_error_alone() -> None:
    with pytest.raises(JsonataEvaluationError) as caught:
        compile_expression("$abs('x')").evaluate({}, NOW, rng)
    assert caught.value.cause == (
        'T0410: Argument 1 of function "abs" does not match function signature'
    )
    assert caught.value.location == ""


def test_too_deep_a_recursion_is_a_stack_overflow_without_a_code() -> None:
    recursion = "($f := function($x){{ $x <= 0 ? 0 : 1 + $f($x-1) }}; $f({}))"
    assert run(recursion.format(31)) == 31  # AWS's last accepted depth
    assert failure(recursion.format(32)).cause.endswith(
        "threw an error during evaluation: Stack overflow error: Check for non-terminating "
        "recursive function. Consider rewriting as tail-recursive"
    )
    assert run("+".join(["1"] * 100)) == 100
    assert "Stack overflow" in failure("+".join(["1"] * 101)).cause


def test_an_endless_loop_stops_at_the_step_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(expression_module._LIMITS, "max_steps", 20_000)
    error = failure("($f := function($x){ $f($x+1) }; $f(1))")
    assert error.cause.endswith(
        "threw an error during evaluation: Expression evaluation timeout: Check for infinite loop"
    )


def test_a_failing_expression_leaves_no_generator_behind() -> None:
    with pytest.raises(JsonataEvaluationError):
        compile_expression("[$uuid(), $abs('x')]").evaluate({}, NOW, rng)
    from asl.jsonata import functions

    assert functions.DRAWS.get() is None
