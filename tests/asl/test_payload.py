"""Payload templates: ``.$`` keys, static subtrees shared, AWS's causes for missing paths."""

from __future__ import annotations

import pytest

from asl.errors import DefinitionError, StatesError
from asl.payload import compile_template
from asl.scope import Scope


def test_static_template_is_returned_as_is() -> None:
    raw = {"a": [1, {"b": 2}]}
    template = compile_template(raw)
    assert template.is_static
    assert template.evaluate({"ignored": 1}, Scope()) is raw


def test_dynamic_keys_drop_the_suffix_and_static_siblings_are_shared() -> None:
    static = {"deep": [1, 2]}
    template = compile_template({"x.$": "$.v", "s": static, "n": {"y.$": "$.w[0]"}})
    out = template.evaluate({"v": 1, "w": ["z"]}, Scope())
    assert out == {"x": 1, "s": static, "n": {"y": "z"}}
    assert out["s"] is static


def test_templates_inside_arrays_are_evaluated() -> None:
    template = compile_template({"list": [{"a.$": "$.a"}, 2]})
    assert template.evaluate({"a": True}, Scope()) == {"list": [{"a": True}, 2]}


def test_context_and_intrinsic_values() -> None:
    template = compile_template({"id.$": "$$.Execution.Id", "s.$": "States.Format('x{}', $.n)"})
    scope = Scope(context={"Execution": {"Id": "arn"}})
    assert template.evaluate({"n": 3}, scope) == {"id": "arn", "s": "x3"}


def test_missing_path_fails_with_aws_cause() -> None:
    template = compile_template({"address.$": "$.application.address"})
    with pytest.raises(StatesError) as info:
        template.evaluate({"flagged": False}, Scope())
    assert info.value.error == "States.Runtime"
    assert info.value.cause == (
        "The JSONPath '$.application.address' specified for the field 'address.$' "
        "could not be found in the input '{\"flagged\":false}'"
    )


def test_null_input_fails_with_aws_cause() -> None:
    with pytest.raises(StatesError) as info:
        compile_template({"a.$": "$.a"}).evaluate(None, Scope())
    assert info.value.cause == "Unable to apply Path transformation to null or empty input."


def test_bad_values_are_refused_at_compile_time() -> None:
    with pytest.raises(DefinitionError):
        compile_template({"a.$": 5})
    with pytest.raises(DefinitionError):
        compile_template({"a.$": "$.a["})
    with pytest.raises(DefinitionError):
        compile_template({"a.$": "States.NoSuchFunction()"})
