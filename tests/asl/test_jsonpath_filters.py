"""asl.jsonpath filter expressions ``[?(...)]``: operators and Jayway's comparison rules."""

from __future__ import annotations

from typing import Any

import pytest

from asl.errors import PathSyntaxError
from asl.jsonpath import PathNotFound, compile_path

ITEMS: list[dict[str, Any]] = [
    {"id": 1, "price": 8, "name": "Apple", "tags": ["red", "fruit"], "ok": True, "sku": "5"},
    {"id": 2, "price": 12.5, "name": "banana", "tags": ["yellow"], "ok": False, "sku": "5.0"},
    {"id": 3, "price": 10, "name": "", "tags": [], "ok": None, "note": "n/a"},
    {"id": 4, "price": "10", "name": "Cherry pie", "tags": ["red"], "nested": {"depth": 2}},
]
DOC = {"items": ITEMS, "limit": 10, "wanted": ["Apple", "Cherry pie"]}


def ids(expression: str, data: Any = DOC) -> list[int]:
    return [item["id"] for item in compile_path(f"$.items[?({expression})]").select(data)]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("@.price < 10", [1]),
        ("@.price <= 10", [1, 3]),
        ("@.price > 10", [2]),
        ("@.price >= 10", [2, 3]),
        ("@.price == 10", [3, 4]),  # "10" reads as the number 10
        ("@.price === 10", [3]),  # === also requires the same type
        ("@.price != 10", [1, 2]),
        ("@.price !== 10", [1, 2, 4]),
        ("@.price<10", [1]),  # symbolic operators need no spaces
        ("@.price < '10'", []),  # number vs string never orders
        ("@.name > 'a'", [2]),  # Java compareTo: upper case sorts before lower case
        ("@.name < 'B'", [1, 3]),
        ("@.sku == 5", [1]),  # string vs number: the number's text "5"
        ("@.id == '1'", [1]),  # number vs string: numeric when the string is a number
        ("@.id == '1.0'", [1]),
        ("@.name == 'Apple'", [1]),
        ('@.name == "Apple"', [1]),
        ("@.ok == true", [1]),
        ("@.ok == false", [2]),
        ("@.ok == null", [3]),
        ("@.ok != null", [1, 2, 4]),  # missing 'ok' is undefined, unequal to anything
        ("@.missing != 1", [1, 2, 3, 4]),
        ("@.missing == null", []),
        ("@.tags == ['red', 'fruit']", [1]),
        ('@.tags == ["red"]', [4]),
        ("@.tags[0] == 'red'", [1, 4]),
        ("@.nested.depth == 2", [4]),
        ("@['name'] == 'banana'", [2]),
        ("@.price <= $.limit", [1, 3]),  # $ is the document being queried
        ("@.name in $.wanted", [1, 4]),
    ],
)
def test_relational_operators(expression: str, expected: list[int]) -> None:
    assert ids(expression) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("@.name =~ /ban.*/", [2]),
        ("@.name =~ /BAN.*/i", [2]),
        ("@.name =~ /an/", []),  # the whole string must match
        ("@.name =~ /.*an.*/", [2]),
        ("@.id =~ /[12]/", [1, 2]),  # numbers match as their text
        ("@.ok =~ /true/", [1]),
        ("@.missing =~ /^$/", [1, 2, 3, 4]),  # no value matches as the empty string
        ("@.tags =~ /yel.*/", [2]),  # an array matches when any item does
        ("/app.*/i =~ @.name", [1]),  # the pattern may stand on the left
        ("@.note =~ /n\\/a/", [3]),
        ("@.name =~ /\\w+ \\w+/", [4]),
    ],
)
def test_regex_operator(expression: str, expected: list[int]) -> None:
    assert ids(expression) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("@.name in ['Apple', 'banana']", [1, 2]),
        ("@.name IN ['Apple']", [1]),  # word operators ignore case
        ("@.name nin ['Apple', 'banana']", [3, 4]),
        ("@.id in [1, '2']", [1, 2]),
        ("@.name in 'Apple'", []),  # not a list: the item is rejected
        ("@.name nin 'Apple'", []),
        ("@.tags subsetof ['red', 'fruit', 'green']", [1, 3, 4]),
        ("@.tags anyof ['yellow', 'fruit']", [1, 2]),
        ("@.tags noneof ['red']", [2, 3]),
        ("@.tags contains 'red'", [1, 4]),
        ("@.name contains 'an'", [2]),
        ("@.tags size 1", [2, 4]),
        ("@.name size 5", [1]),
        ("@.nested size 1", []),  # size counts arrays and strings only
        ("@.tags empty true", [3]),
        ("@.tags empty false", [1, 2, 4]),
        ("@.name empty true", [3]),
        ("@.tags all ['red']", []),  # needs an operand a filter string cannot build
        ("@.nested exists true", []),  # 'exists' compares booleans only
        ("@.ok exists true", [1]),
    ],
)
def test_word_operators(expression: str, expected: list[int]) -> None:
    assert ids(expression) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("@.note", [3]),
        ("@.ok", [1, 2, 3]),  # a null value exists
        ("!@.note", [1, 2, 4]),
        ("@.nested.depth", [4]),
        ("@.tags[0]", [1, 2, 4]),
        ("@.price < 10 || @.price > 12", [1, 2]),
        ("@.price > 5 && @.name == 'banana'", [2]),
        ("@.id == 1 || @.id == 2 && @.ok == false", [1, 2]),  # && binds tighter
        ("(@.id == 1 || @.id == 2) && @.ok == false", [2]),
        ("!(@.id == 1)", [2, 3, 4]),
        ("!(@.id == 1 || @.id == 4)", [2, 3]),
        ("@.id == 1 || !@.note && @.id > 2", [1, 4]),
        ("((@.id > 1))", [2, 3, 4]),
        ("@.in == 1", []),
        ("@.name in 'x' || @.id in [1]", []),  # an invalid operand rejects the whole item
        ("@.id in [1] || @.name in 'x'", [1]),  # ... unless an earlier alternative matched
    ],
)
def test_existence_and_logic(expression: str, expected: list[int]) -> None:
    assert ids(expression) == expected


def test_filter_on_an_object_tests_the_object_itself() -> None:
    data = {"a": {"b": 1, "c": {"b": 2}}}
    assert compile_path("$.a[?(@.b == 1)]").select(data) == [data["a"]]
    assert compile_path("$.a[?(@.b == 2)]").select(data) == []


def test_filters_do_not_match_scalar_items() -> None:
    # AWS: "The @ operator ... does not match scalar values. It only matches objects."
    data = {"n": [1, 5, 10, {"v": 7}], "m": [[1], [2]]}
    assert compile_path("$.n[?(@ > 2)]").select(data) == []
    assert compile_path("$.n[?(@.v > 2)]").select(data) == [{"v": 7}]
    assert compile_path("$.m[?(@[0] == 1)]").select(data) == []


def test_filter_then_more_steps() -> None:
    # item 4's price is the string "10": strings and numbers never order
    assert compile_path("$.items[?(@.price > 9)].name").select(DOC) == ["banana", ""]
    assert compile_path("$.items[?(@.id == 4)].nested.depth").select(DOC) == [2]


def test_deep_scan_with_a_filter_finds_objects_at_any_depth() -> None:
    data: dict[str, Any] = {
        "price": 30,
        "a": [{"price": 5}, {"b": {"price": 50}}],
        "c": {"price": 40},
    }
    assert compile_path("$..[?(@.price > 20)]").select(data) == [
        data,
        data["a"][1]["b"],
        data["c"],
    ]


def test_nested_filters() -> None:
    data = {"groups": [{"m": [{"x": 1}]}, {"m": [{"x": 2}]}, {"m": []}, {"n": 1}]}
    selected = compile_path("$.groups[?(@.m[?(@.x == 2)] size 1)]").select(data)
    assert selected == [data["groups"][1]]
    # Jayway: an indefinite path "exists" whenever it evaluates, even to nothing
    assert compile_path("$.groups[?(@.m[?(@.x == 2)])]").select(data) == data["groups"][:3]


def test_string_literal_escapes() -> None:
    data = {"xs": [{"s": "it's"}, {"s": 'say "hi"'}, {"s": "back\\slash"}]}
    assert compile_path("$.xs[?(@.s == 'it\\'s')].s").select(data) == ["it's"]
    assert compile_path('$.xs[?(@.s == "say \\"hi\\"")].s').select(data) == ['say "hi"']
    assert compile_path("$.xs[?(@.s == 'back\\\\slash')].s").select(data) == ["back\\slash"]
    assert compile_path("$.xs[?(@.s == 'it)s' || @.s == 'it\\'s')].s").select(data) == ["it's"]


def test_json_literals() -> None:
    data = {"xs": [{"v": {"a": [1, 2]}}, {"v": [1.0]}, {"v": [1]}]}
    assert compile_path('$.xs[?(@.v == {"a": [1, 2]})]').select(data) == [data["xs"][0]]
    assert compile_path("$.xs[?(@.v == {'a': [1, 2]})]").select(data) == [data["xs"][0]]
    # Java equality: Integer 1 is not Double 1.0
    assert compile_path("$.xs[?(@.v == [1])]").select(data) == [data["xs"][2]]


def test_filter_on_a_primitive_under_a_definite_prefix_is_an_error() -> None:
    with pytest.raises(PathNotFound, match="can not be applied to primitives"):
        compile_path("$.limit[?(@.a)]").select(DOC)


def test_filter_results_share_the_matched_items() -> None:
    result = compile_path("$.items[?(@.id == 2)]").select(DOC)
    assert result[0] is ITEMS[1]


@pytest.mark.parametrize(
    "text",
    [
        "$.items[?(@.a ==)]",
        "$.items[?(@.a == 'x)]",
        "$.items[?(@.a <> 1)]",
        "$.items[?(@.a && )]",
        "$.items[?(@.a =~ /(/)]",
        "$.items[?('a' == )]",
        "$.items[?(@.a == {'x': )]",
        "$.items[?(@.a == tru)]",
        "$.items[?(@.a == 1) extra]",
    ],
)
def test_filter_syntax_errors(text: str) -> None:
    with pytest.raises(PathSyntaxError):
        compile_path(text)
