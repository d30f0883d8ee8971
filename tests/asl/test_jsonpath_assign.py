"""asl.jsonpath Reference Paths: what they accept, and ResultPath-style copy-on-write assign."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from asl.errors import PathSyntaxError
from asl.jsonpath import PathMatchFailure, ReferencePath, compile_reference_path
from asl.scope import Scope


@pytest.mark.parametrize(
    ("text", "root", "var_name"),
    [
        ("$", "$", None),
        ("$.a.b", "$", None),
        ("$['a b'][0]", "$", None),
        ('$["x"].y[3]', "$", None),
        ("$.a-b", "$", None),
        ("$$", "$$", None),
        ("$$.Map.Item.Value", "$$", None),
        ("$myVar", "var", "myVar"),
        ("$myVar.list[2]", "var", "myVar"),
    ],
)
def test_valid_reference_paths(text: str, root: str, var_name: str | None) -> None:
    path = compile_reference_path(text)
    assert isinstance(path, ReferencePath)
    assert (path.root, path.var_name, path.definite) == (root, var_name, True)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("$.a[*]", "single node"),
        ("$.*", "single node"),
        ("$..a", "single node"),
        ("$.a[?(@.b)]", "single node"),
        ("$.a[1:2]", "single node"),
        ("$.a[0,1]", "single array index"),
        ("$['a','b']", "single field name"),
        ("$.a[-1]", "negative"),
        ("$.a.length()", "functions"),
        ("$.a b", "blank characters"),
        ("a.b", "start with"),
    ],
)
def test_invalid_reference_paths_say_why(text: str, reason: str) -> None:
    with pytest.raises(PathSyntaxError, match=reason):
        compile_reference_path(text)


def test_reference_paths_select_like_paths() -> None:
    scope = Scope(variables={"v": {"k": [1, 2]}}, context={"Map": {"Item": {"Index": 3}}})
    assert compile_reference_path("$.a[1]").select({"a": [5, 6]}) == 6
    assert compile_reference_path("$v.k[0]").select({}, scope) == 1
    assert compile_reference_path("$$.Map.Item.Index").select({}, scope) == 3


# -- assign -----------------------------------------------------------------------------------


def test_dollar_returns_the_value_itself() -> None:
    value = {"result": [1]}
    assert compile_reference_path("$").assign({"input": 1}, value) is value


@pytest.mark.parametrize(
    ("text", "data", "expected"),
    [
        ("$.a", {}, {"a": "V"}),
        ("$.a.b", {}, {"a": {"b": "V"}}),
        ("$.a.b", {"a": {"c": 1}}, {"a": {"c": 1, "b": "V"}}),
        ("$.a", {"a": {"old": 1}, "z": 2}, {"a": "V", "z": 2}),
        ("$['a b'].c", {"x": 1}, {"x": 1, "a b": {"c": "V"}}),
        ("$.list[1]", {"list": [0, 1, 2]}, {"list": [0, "V", 2]}),
        ("$.list[0].k", {"list": [{"k": 1, "j": 2}]}, {"list": [{"k": "V", "j": 2}]}),
        ("$[1]", [0, 1], [0, "V"]),
        ("$.a[0]", {}, {"a": ["V"]}),  # a missing array is created for index 0
        ("$.a[0].b", {}, {"a": [{"b": "V"}]}),
    ],
)
def test_assign_places_the_value(text: str, data: Any, expected: Any) -> None:
    assert compile_reference_path(text).assign(data, "V") == expected


def test_assign_keeps_key_order_and_appends_new_keys() -> None:
    result = compile_reference_path("$.b").assign({"a": 1, "b": 2, "c": 3}, "V")
    assert list(result) == ["a", "b", "c"]
    result = compile_reference_path("$.d").assign({"a": 1, "c": 3}, "V")
    assert list(result) == ["a", "c", "d"]


def test_assign_is_copy_on_write() -> None:
    data: dict[str, Any] = {
        "keep": {"deep": [1, 2]},
        "path": {"sibling": {"x": 1}, "list": [{"old": True}, {"other": 1}]},
    }
    before = copy.deepcopy(data)
    result = compile_reference_path("$.path.list[0].new").assign(data, {"v": 1})

    assert data == before  # the input is untouched
    assert result["path"]["list"][0] == {"old": True, "new": {"v": 1}}
    # containers along the path are new ...
    assert result is not data
    assert result["path"] is not data["path"]
    assert result["path"]["list"] is not data["path"]["list"]
    assert result["path"]["list"][0] is not data["path"]["list"][0]
    # ... and everything else is shared
    assert result["keep"] is data["keep"]
    assert result["path"]["sibling"] is data["path"]["sibling"]
    assert result["path"]["list"][1] is data["path"]["list"][1]


def test_assigned_value_is_not_copied() -> None:
    value = {"big": list(range(5))}
    result = compile_reference_path("$.r").assign({}, value)
    assert result["r"] is value


@pytest.mark.parametrize(
    ("text", "data", "message"),
    [
        ("$.a", "input1", 'Unable to apply step "a" to input "input1"'),
        ("$.a", [1, 2], 'Unable to apply step "a" to input [1,2]'),
        ("$.a.b", {"a": "text"}, 'Unable to apply step "b" to input {"a":"text"}'),
        ("$.a.b", {"a": 5}, 'Unable to apply step "b" to input {"a":5}'),
        ("$.a.b", {"a": None}, 'Unable to apply step "b" to input {"a":null}'),
        ("$.a.b", {"a": [1]}, 'Unable to apply step "b" to input {"a":[1]}'),
        ("$.a[0]", {"a": {"k": 1}}, 'Unable to apply step "0" to input {"a":{"k":1}}'),
        ("$.a[3]", {"a": [1]}, 'Unable to apply step "3" to input {"a":[1]}'),
        ("$.a[1]", {}, 'Unable to apply step "1" to input {}'),
        ("$[0]", {}, 'Unable to apply step "0" to input {}'),
    ],
)
def test_assign_failures(text: str, data: Any, message: str) -> None:
    before = copy.deepcopy(data)
    with pytest.raises(PathMatchFailure) as caught:
        compile_reference_path(text).assign(data, "V")
    assert str(caught.value) == message
    assert data == before


@pytest.mark.parametrize("text", ["$$.a", "$v.a"])
def test_assign_only_targets_state_data(text: str) -> None:
    with pytest.raises(PathMatchFailure):
        compile_reference_path(text).assign({}, 1)
