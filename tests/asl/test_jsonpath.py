"""asl.jsonpath: syntax, selection and errors of Step Functions' JSONPath (Jayway semantics).

Expected values for Jayway edge cases come from reading Jayway JsonPath's source and from
https://cburgmer.github.io/json-path-comparison/ (column "Java (com.jayway.jsonpath)").
"""

from __future__ import annotations

from typing import Any

import pytest

from asl.errors import DefinitionError, PathSyntaxError
from asl.jsonpath import (
    Path,
    PathNotFound,
    ReferencePath,
    compile_path,
    compile_reference_path,
    is_path,
)
from asl.scope import Scope

STORE: dict[str, Any] = {
    "store": {
        "book": [
            {"category": "reference", "author": "Nigel Rees", "price": 8.95},
            {"category": "fiction", "author": "Evelyn Waugh", "price": 12.99},
            {"category": "fiction", "author": "Herman Melville", "isbn": "0-553", "price": 8.99},
            {"category": "fiction", "author": "Tolkien", "isbn": "0-395", "price": 22.99},
        ],
        "bicycle": {"color": "red", "price": 19.95},
    },
    "expensive": 10,
}
SIX = [2, "a", 4, 5, 100, "nice"]
ODD_NAMES = {
    "a b": 1,
    "a.b": 2,
    "it's": 3,
    "back\\slash": 4,
    'dq"x': 5,
    "": 6,
    "é": 7,
    "a-b": 8,
    "a:b": 9,
    "$": 10,
}


def select(text: str, data: Any, scope: Scope | None = None) -> Any:
    return compile_path(text).select(data, scope)


def not_found(text: str, data: Any, scope: Scope | None = None) -> str:
    with pytest.raises(PathNotFound) as caught:
        select(text, data, scope)
    return str(caught.value)


# -- names and indexes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$.expensive", 10),
        ("$['expensive']", 10),
        ('$["expensive"]', 10),
        ("$.['expensive']", 10),
        ("$[ 'expensive' ]", 10),
        ("$.store.bicycle.color", "red"),
        ("$['store']['bicycle'].color", "red"),
        ("$.store.book[0].author", "Nigel Rees"),
        ("$.store.book[-1].author", "Tolkien"),
        ("$.store.book[-4].author", "Nigel Rees"),
        ("$.store.book[ 1 ].author", "Evelyn Waugh"),
        ("$.expensive   ", 10),  # trailing whitespace is trimmed, as Jayway does
    ],
)
def test_definite_paths_return_the_value(text: str, expected: Any) -> None:
    assert select(text, STORE) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("$['a b']", "a b"),
        ("$['a.b']", "a.b"),
        ("$['it\\'s']", "it's"),
        ("$['back\\\\slash']", "back\\slash"),
        ('$["dq\\"x"]', 'dq"x'),
        ("$['']", ""),
        ("$['\\u00e9']", "é"),
        ("$.a-b", "a-b"),  # a dot name runs until '.', '[' or '('
        ("$.a:b", "a:b"),
        ("$['$']", "$"),
    ],
)
def test_bracket_notation_reaches_unusual_names(text: str, key: str) -> None:
    assert select(text, ODD_NAMES) == ODD_NAMES[key]


def test_dollar_alone_returns_the_data_itself() -> None:
    assert select("$", STORE) is STORE


def test_definite_selection_returns_the_node_not_a_copy() -> None:
    assert select("$.store.book", STORE) is STORE["store"]["book"]


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("$", "$"),
        ("$.a.b[0]", "$['a']['b'][0]"),
        ("$['a']", "$['a']"),
        ('$["a"]', '$["a"]'),  # Jayway keeps the quote the name was written with
        ("$['it\\'s']", "$['it\\'s']"),
        ("$['a','b']", "$['a','b']"),
        ("$..a", "$..['a']"),
        ("$.a[*]", "$['a'][*]"),
        ("$.*", "$[*]"),
        ("$[0,2]", "$[0,2]"),
        ("$[1:3]", "$[1:3]"),
        ("$[:2]", "$[:2]"),
        ("$[-2:]", "$[-2:]"),
        ("$.a[?(@.b)]", "$['a'][?]"),
        ("$$.Execution.Id", "$['Execution']['Id']"),
        ("$var.x[1]", "$['x'][1]"),
    ],
)
def test_normalized_form(text: str, normalized: str) -> None:
    assert compile_path(text).normalized == normalized


@pytest.mark.parametrize(
    ("text", "definite"),
    [
        ("$", True),
        ("$.a.b[0]", True),
        ("$[-1]", True),
        ("$['a','b']", True),  # a final union of names yields one merged object
        ("$['a','b'].c", False),
        ("$[0,1]", False),
        ("$[0:1]", False),
        ("$.*", False),
        ("$[*]", False),
        ("$..a", False),
        ("$[?(@.a)]", False),
        ("$.a.length()", True),
    ],
)
def test_definite(text: str, definite: bool) -> None:
    assert compile_path(text).definite is definite


# -- unions, slices, wildcards, deep scan -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "data", "expected"),
    [
        ("$[0,2]", ["a", "b", "c"], ["a", "c"]),
        ("$[2,0]", ["a", "b", "c"], ["c", "a"]),
        ("$[0,0]", ["a"], ["a", "a"]),
        ("$[0,9]", ["a"], ["a"]),
        ("$['a','b']", {"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 2}),
        ("$['a','a']", {"a": 1}, {"a": 1}),
        ("$['missing','b']", {"b": 2}, {"b": 2}),
        ("$[1:3]", SIX, ["a", 4]),
        ("$[:2]", SIX, [2, "a"]),
        ("$[-2:]", SIX, [100, "nice"]),
        ("$[-10:]", SIX, SIX),
        ("$[4:]", SIX, [100, "nice"]),
        ("$[9:]", SIX, []),
        ("$[:-4]", SIX, [2, "a"]),
        ("$[1:1]", SIX, []),
        # Jayway: in [from:to] a negative 'to' is not counted from the end ...
        ("$[3:-2]", SIX, []),
        # ... and a negative 'from' wraps index by index (json-path-comparison records this)
        ("$[-4:3]", SIX, [4, 5, 100, "nice", 2, "a", 4]),
        ("$[-4:1]", SIX, [4, 5, 100, "nice", 2]),
        ("$[3:0:-2]", SIX, []),  # the step is ignored
        ("$[0:4:2]", SIX, [2, "a", 4, 5]),
        ("$.*", {"z": 1, "a": 2, "m": 3}, [1, 2, 3]),  # insertion order, not sorted
        ("$[*]", ["x", "y"], ["x", "y"]),
        ("$.*", "scalar", []),
        ("$.*.k", {"a": {"k": 1}, "b": {"j": 2}, "c": 5}, [1]),
        ("$..k", {"k": 1, "a": {"k": 2, "b": [{"k": 3}]}, "c": {"k": 4}}, [1, 2, 3, 4]),
        ("$..k", {"k": {"k": 1}}, [{"k": 1}, 1]),  # parent before children
        ("$..[0]", {"a": [1, [2, 3]], "b": 4}, [1, 2]),
        ("$..*", {"a": [1, {"b": 2}]}, [[1, {"b": 2}], 1, {"b": 2}, 2]),
    ],
)
def test_indefinite_and_merged_selections(text: str, data: Any, expected: Any) -> None:
    assert select(text, data) == expected


def test_store_queries_in_jayway_order() -> None:
    assert select("$.store.book[*].author", STORE) == [
        "Nigel Rees",
        "Evelyn Waugh",
        "Herman Melville",
        "Tolkien",
    ]
    assert select("$.store..price", STORE) == [8.95, 12.99, 8.99, 22.99, 19.95]
    assert select("$..book[2].author", STORE) == ["Herman Melville"]
    assert select("$.store.*", STORE) == [STORE["store"]["book"], STORE["store"]["bicycle"]]


def test_deep_scan_array_step_quirk() -> None:
    # Jayway's ScanPathToken hands every item of a matching array to the step *after*
    # the index: json-path-comparison's "$..[1].key" (Jayway-family results) shows it.
    data = {
        "k": [{"key": "some value"}, {"key": 42}],
        "kk": [[{"key": 100}, {"key": 200}, {"key": 300}], [{"key": 400}, {"key": 500}]],
        "key": [0, 1],
    }
    assert select("$..[1].key", data) == ["some value", 42, 100, 200, 300, 400, 500]


def test_indefinite_paths_skip_items_lacking_the_property() -> None:
    data = {"items": [{"id": 1}, {"name": "x"}, "scalar", None, {"id": None}, {"id": 3}]}
    assert select("$.items[*].id", data) == [1, None, 3]


def test_indefinite_results_are_a_new_list() -> None:
    data = {"a": [1, 2]}
    result = select("$.a[*]", data)
    assert result == [1, 2]
    assert result is not data["a"]


@pytest.mark.parametrize(
    ("text", "data"),
    [
        ("$.items[*]", {}),  # AWS returns [] here (localstack issue 12318)
        ("$.items[1:]", {}),
        ("$[*].type", {}),
        ("$.a.b[*]", {"a": "text"}),
        ("$.missing[*].x", {"other": 1}),
        ("$..nothing", {"a": [1, {"b": 2}]}),
        ("$[?(@.a)]", []),
    ],
)
def test_indefinite_paths_that_match_nothing_give_an_empty_list(text: str, data: Any) -> None:
    assert select(text, data) == []


# -- not found --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "data", "message"),
    [
        ("$.x", {}, "No results for path: $['x']"),
        ("$.a.x", {"a": {}}, "No results for path: $['a']['x']"),
        ('$["x"]', {}, 'No results for path: $["x"]'),
        ("$[3]", [1], "No results for path: $[3]"),
        ("$[-3]", [1], "No results for path: $[-3]"),
        ("$.a[5].b", {"a": [1]}, "No results for path: $['a'][5]['b']"),
        ("$.x.y.z", {}, "Missing property in path $['x']"),
        ("$.a.x.y", {"a": {}}, "Missing property in path $['a']['x']"),
        (
            "$.a.b",
            {"a": [1]},
            "Expected to find an object with property ['b'] in path $['a'] but found "
            "'net.minidev.json.JSONArray'. This is not a json object according to the "
            "JsonProvider: 'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.",
        ),
        (
            "$.a.b",
            {"a": "text"},
            "Expected to find an object with property ['b'] in path $['a'] but found "
            "'java.lang.String'. This is not a json object according to the JsonProvider: "
            "'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.",
        ),
        ("$.a[0]", {"a": None}, "The path $['a'] is null"),
        (
            "$.a[0]",
            {"a": {"k": 1}},
            'Filter: [0] can only be applied to arrays. Current context is: {"k":1}',
        ),
        ("$[1:]", {}, "Filter: [1:] can only be applied to arrays. Current context is: {}"),
        (
            "$.a[?(@.b)]",
            {"a": 7},
            "Filter: [?] can not be applied to primitives. Current context is: 7",
        ),
        ("$.list.length()", {"list": {}}, "No results for path: $['list']['length()']"),
    ],
)
def test_not_found_messages(text: str, data: Any, message: str) -> None:
    assert not_found(text, data) == message


def test_null_is_a_value_not_a_missing_property() -> None:
    assert select("$.a", {"a": None}) is None


def test_path_functions_are_accepted_but_find_nothing() -> None:
    # AWS: "Functions such as length() aren't supported"; executions fail at run time.
    path = compile_path("$.items.length()")
    assert path.definite
    assert "length()" in not_found("$.items.length()", {"items": [1, 2]})
    assert select("$.x.sum()", {"x": {"sum()": 3}}) == 3  # it is just a name
    assert compile_path("$.a.concat($.b, 'c')").normalized == "$['a']['concat($.b, \\'c\\')']"


# -- roots ------------------------------------------------------------------------------------


def test_context_object_paths() -> None:
    context = {"Execution": {"Id": "arn:x"}, "Map": {"Item": {"Value": {"k": [5]}}}}
    scope = Scope(context=context)
    assert select("$$", {"data": 1}, scope) is context
    assert select("$$.Execution.Id", {}, scope) == "arn:x"
    assert select("$$.Map.Item.Value.k[0]", {}, scope) == 5
    assert select("$$['Execution']['Id']", {}, scope) == "arn:x"
    assert (
        not_found("$$.Execution.Name", {}, scope) == "No results for path: $['Execution']['Name']"
    )
    path = compile_path("$$.Execution.Id")
    assert (path.root, path.var_name) == ("$$", None)


def test_context_paths_built_lazily_from_the_scope() -> None:
    built: list[int] = []

    def factory() -> dict[str, Any]:
        built.append(1)
        return {"State": {"Name": "S"}}

    scope = Scope(context_factory=factory)
    assert select("$.a", {"a": 1}, scope) == 1
    assert built == []
    assert select("$$.State.Name", {}, scope) == "S"


def test_variable_paths() -> None:
    scope = Scope(variables={"myVar": {"a": [10, 20]}, "_x1": "v", "n": None})
    assert select("$myVar", {}, scope) == {"a": [10, 20]}
    assert select("$myVar.a[1]", {}, scope) == 20
    assert select("$myVar['a'][*]", {}, scope) == [10, 20]
    assert select("$_x1", {}, scope) == "v"
    assert select("$n", {}, scope) is None
    path = compile_path("$myVar.a[0]")
    assert (path.root, path.var_name, path.normalized) == ("var", "myVar", "$['a'][0]")


def test_missing_variable_is_not_found() -> None:
    with pytest.raises(PathNotFound):
        select("$nope", {}, Scope(variables={"other": 1}))
    with pytest.raises(PathNotFound):
        select("$nope.a", {}, None)


def test_filters_inside_a_variable_path_compare_against_the_variable() -> None:
    scope = Scope(variables={"v": {"limit": 2, "xs": [{"n": 1}, {"n": 3}]}})
    assert select("$v.xs[?(@.n > $.limit)]", {"limit": 0}, scope) == [{"n": 3}]


def test_plain_root_paths() -> None:
    path = compile_path("$.a")
    assert (path.root, path.var_name, path.text) == ("$", None, "$.a")
    assert isinstance(path, Path)
    assert not isinstance(path, ReferencePath)


@pytest.mark.parametrize(
    ("text", "expected"), [("$.a", True), ("$", True), ("$$", True), ("a", False), ("", False)]
)
def test_is_path(text: str, expected: bool) -> None:
    assert is_path(text) is expected


# -- syntax errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a.b",
        " $.a",
        "$.",
        "$..",
        "$.a.",
        "$...a",
        "$$$",
        "$1a",
        "$-a",
        "$a b",
        "$.a b",
        "$. a",
        "$[",
        "$[]",
        "$['a'",
        "$['a]",
        "$['a' 'b']",
        "$['a',]",
        "$['a',,'b']",
        "$[x]",
        "$[1:y]",
        "$[:]",
        "$[0,]",
        "$[1 : 2]",
        "$[9999999999]",
        "$[*",
        "$[* x]",
        "$.a(",
        "$.a(b",
        "$['\\uZZZZ']",
        "$[?(@.a]",
        "$[?(@.a)",
        "$[?@.a]",
        "$[?(@.a == )]",
        "$[?(@.a == 'x)]",
        "$[?(@.a <> 1)]",
        "$[?(@.a foo 1)]",
        "$[?(1)]",
        "$[?('x')]",
        "$[?(@.a == 1 &&)]",
        "$[?((@.a == 1)]",
        "$[?(@.a =~ /[/)]",
        "$[?(@.a == [1,)]",
        "$[?(@.a == 1.2.3)]",
        "$[?(!1)]",
    ],
)
def test_syntax_errors(text: str) -> None:
    with pytest.raises(PathSyntaxError):
        compile_path(text)


def test_path_syntax_error_is_a_definition_error_with_a_reason() -> None:
    with pytest.raises(DefinitionError, match="blank characters"):
        compile_path("$.a b")


def test_compile_is_cached_and_paths_compare_by_text() -> None:
    assert compile_path("$.a") is compile_path("$.a")
    assert compile_path("$.a") == compile_path("$.a")
    assert compile_path("$.a") != compile_path("$['a']")
    assert compile_path("$.a") != compile_reference_path("$.a")
    assert hash(compile_path("$.a")) == hash(compile_path("$.a"))
    assert repr(compile_path("$.a")) == "Path('$.a')"


def test_several_properties_before_the_last_step_fail_as_recorded_on_aws() -> None:
    # Recorded AWS output: "Invalid path '$['a', 'b'].v' : Multi properties can only be used
    # as path leafs: $['a', 'b']" (the interpreter adds the "Invalid path" prefix).
    with pytest.raises(PathNotFound) as info:
        compile_path("$['x','y'].k").select({"x": {"k": 1}, "y": {"j": 2}})
    assert str(info.value) == "Multi properties can only be used as path leafs: $['x', 'y']"
