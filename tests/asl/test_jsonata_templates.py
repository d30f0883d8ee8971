"""asl.jsonata.templates: ``{% %}`` templates anywhere in a field value."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asl import errors
from asl.jsonata import (
    UNDEFINED,
    JsonataEvaluationError,
    JsonataTemplate,
    compile_jsonata_value,
    is_template,
)

NOW = datetime(2024, 1, 1, tzinfo=UTC)
BINDINGS = {"states": {"input": {"x": 1, "name": "Ada", "none": None}}, "greeting": "hi"}


def rng() -> random.Random:
    return random.Random(0)


def evaluate(raw: Any, field: str = "Output", bindings: dict[str, Any] = BINDINGS) -> Any:
    return compile_jsonata_value(raw, field).evaluate(bindings, NOW, rng)


@pytest.mark.parametrize(
    "value",
    ["{% $x %}", "{%$x%}", "{%%}", "{% %}", "{% a\nb %}", "{%{%}%}", "{% '%}' %}"],
)
def test_a_string_that_is_wholly_a_template(value: str) -> None:
    assert is_template(value)


@pytest.mark.parametrize(
    "value",
    [
        " {% $x %}",
        "{% $x %} ",
        "{% $x",
        "$x %}",
        "Hello {% $x %}",
        "{%",
        "%}",
        "{}",
        "",
        "{ % $x % }",
        "$states.input",
        None,
        1,
        True,
        ["{% $x %}"],
        {"{% $x %}": 1},
    ],
)
def test_anything_else_is_not_a_template(value: Any) -> None:
    assert not is_template(value)


def test_a_value_without_templates_is_static_and_returned_itself() -> None:
    raw = {"a": [1, "two", {"three": None}], "b": "not {% a template", "c": "50%} off"}
    template = compile_jsonata_value(raw, "Output")
    assert template.is_static
    assert template.evaluate(BINDINGS, NOW, rng) is raw
    assert template.expression is None


@pytest.mark.parametrize("raw", [None, 0, 1.5, True, "text", "{% only opening", [], {}])
def test_scalars_and_empty_containers_are_static(raw: Any) -> None:
    template = compile_jsonata_value(raw, "Output")
    assert template.is_static
    assert template.evaluate(BINDINGS, NOW, rng) is raw


def test_a_whole_value_template_returns_its_result() -> None:
    template = compile_jsonata_value("{% $states.input.x + 1 %}", "Output")
    assert not template.is_static
    assert template.expression is not None
    assert template.expression.text == "$states.input.x + 1"
    assert template.evaluate(BINDINGS, NOW, rng) == 2


def test_templates_nested_in_objects_and_arrays() -> None:
    raw = {
        "static": "kept",
        "sum": "{% $states.input.x + 1 %}",
        "list": [1, "{% $greeting %}", {"deep": "{% $uppercase($states.input.name) %}"}],
        "literal": "Hello {% $states.input.name %}",
        "null": "{% $states.input.none %}",
    }
    assert evaluate(raw) == {
        "static": "kept",
        "sum": 2,
        "list": [1, "hi", {"deep": "ADA"}],
        "literal": "Hello {% $states.input.name %}",
        "null": None,
    }


def test_keys_keep_the_order_of_the_definition() -> None:
    raw = {"z": "{% 1 %}", "a": "static", "m": "{% 2 %}", "b": [0]}
    assert list(evaluate(raw)) == ["z", "a", "m", "b"]


def test_static_parts_are_shared_not_copied() -> None:
    static_list = [1, 2, {"k": "v"}]
    static_object = {"deep": [True]}
    raw = {"t": "{% 1 %}", "l": static_list, "o": static_object, "a": ["{% 2 %}", static_object]}
    result = evaluate(raw)
    assert result["l"] is static_list
    assert result["o"] is static_object
    assert result["a"][1] is static_object
    assert result is not raw and result["a"] is not raw["a"]


def test_evaluation_leaves_the_definition_unchanged() -> None:
    raw = {"t": "{% $states.input %}", "l": ["{% 1 %}"]}
    template = compile_jsonata_value(raw, "Output")
    result = template.evaluate(BINDINGS, NOW, rng)
    result["l"].append(2)
    assert raw == {"t": "{% $states.input %}", "l": ["{% 1 %}"]}
    assert template.evaluate(BINDINGS, NOW, rng) == {"t": BINDINGS["states"]["input"], "l": [1]}


def test_a_whole_value_template_may_yield_nothing() -> None:
    template = compile_jsonata_value("{% $states.input.missing %}", "Output")
    assert template.evaluate(BINDINGS, NOW, rng) is UNDEFINED
    error = template.undefined_error()
    # floci-io/floci#2665: AWS's cause for Output that is wholly an undefined expression.
    assert error.cause == (
        "The JSONata expression '$states.input.missing' specified for the field 'Output' "
        "returned nothing (undefined)."
    )
    assert error.error == errors.QUERY_EVALUATION_ERROR
    assert error.location == "Output"


@pytest.mark.parametrize(
    ("raw", "field", "location"),
    [
        # Recorded on AWS: 'Arguments/Input/pushLocation' (umccr data-sharing handler).
        (
            {"Input": {"pushLocation": "{% $states.input.pushLocation %}"}},
            "Arguments",
            "Arguments/Input/pushLocation",
        ),
        ({"v": "{% $states.input.pushLocation %}"}, "Output", "Output/v"),
        ({"a": {"b": ["{% $states.input.pushLocation %}"]}}, "Output", "Output/a/b[0]"),
        (["ok", "{% $states.input.pushLocation %}"], "Assign/x", "Assign/x[1]"),
    ],
)
def test_a_nested_template_that_yields_nothing_fails_naming_its_field(
    raw: Any, field: str, location: str
) -> None:
    with pytest.raises(JsonataEvaluationError) as caught:
        evaluate(raw, field)
    assert caught.value.cause == (
        "The JSONata expression '$states.input.pushLocation' specified for the field "
        f"'{location}' returned nothing (undefined)."
    )
    assert caught.value.location == location


def test_a_nested_failure_names_the_nested_field() -> None:
    with pytest.raises(JsonataEvaluationError) as caught:
        evaluate({"a": [{"b": "{% $abs('x') %}"}]}, "Output")
    assert caught.value.cause.startswith(
        "The JSONata expression '$abs('x')' specified for the field 'Output/a[0]/b' threw an "
        "error during evaluation. T0410:"
    )


def test_a_template_that_does_not_compile_is_a_definition_error() -> None:
    with pytest.raises(errors.DefinitionError) as caught:
        compile_jsonata_value({"ok": "{% 1 %}", "bad": ["{% a[1,2) %}"]}, "Output")
    assert str(caught.value) == 'Expected "]", got ","'


def test_eval_compiles_and_fails_when_called() -> None:
    # AWS accepts a definition calling $eval and fails the call at run time with T1006.
    template = compile_jsonata_value("{% $eval('1') %}", "Output")
    with pytest.raises(errors.StatesError) as caught:
        template.evaluate(BINDINGS, NOW, rng)
    assert caught.value.error == "States.QueryEvaluationError"
    assert "T1006: Attempted to invoke a non-function" in caught.value.cause


def test_one_template_evaluates_many_times() -> None:
    template = compile_jsonata_value({"n": "{% $states.input.x * 2 %}"}, "Output")
    results = [template.evaluate({"states": {"input": {"x": i}}}, NOW, rng) for i in range(3)]
    assert results == [{"n": 0}, {"n": 2}, {"n": 4}]


# ----------------------------------------------------------------------------- properties

_templates = st.builds(lambda inner: "{%" + inner + "%}", st.text())
_strings = st.one_of(st.text(), _templates, st.text(alphabet="{%} $ab.()'\"\n", max_size=12))


@given(_strings)
def test_any_string_is_a_template_a_literal_or_a_definition_error(value: str) -> None:
    try:
        template = compile_jsonata_value(value, "Output")
    except errors.DefinitionError:
        assert is_template(value)
        return
    assert isinstance(template, JsonataTemplate)
    if is_template(value):
        assert not template.is_static
        assert template.expression is not None
    else:
        assert template.is_static
        assert template.evaluate({}, NOW, rng) is value


_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), _strings),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=12,
)


def _holds_template(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_holds_template(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_template(v) for v in value)
    return is_template(value)


@given(_json)
def test_any_json_value_compiles_or_is_refused_never_crashes(value: Any) -> None:
    try:
        template = compile_jsonata_value(value, "Output")
    except errors.DefinitionError:
        assert _holds_template(value)
        return
    assert template.is_static is not _holds_template(value)
    if template.is_static:
        assert template.evaluate({}, NOW, rng) is value
