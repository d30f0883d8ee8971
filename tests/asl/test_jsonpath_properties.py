"""Property tests for asl.jsonpath."""

from __future__ import annotations

import contextlib
import copy
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from asl.errors import PathSyntaxError
from asl.jsonpath import (
    PathMatchFailure,
    PathNotFound,
    compile_path,
    compile_reference_path,
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["a", "b", "c", "d", "x y", "it's", ""]), children, max_size=4
        )
    ),
    max_leaves=25,
)

# Fragments that make up JSONPath text, so that generated strings reach deep into the parser.
_PIECES = [
    "$", "$$", "$v", "@", ".", "..", "[", "]", "'", '"', "*", "?", "(", ")", "a", "b", "x y",
    "0", "1", "-1", "-", ":", ",", " ", "==", "!=", "<", ">=", "=~", "&&", "||", "!", "/",
    "\\", "in", "nin", "size", "empty", "subsetof", "true", "null", "{", "}", "length()",
    "/a.*/i", "'a'", "1.5", "[1,'a']", "@.a", "$.b", "[?(", ")]", "[*]", "[0]", "[1:]",
]  # fmt: skip
path_like = st.lists(st.sampled_from(_PIECES), max_size=14).map("".join)

_NAMES = st.sampled_from(["a", "b", "c", "x y", "it's", ""])
_FILTERS = [
    "@.a", "!@.a", "@.a == 1", "@.b != 'x'", "@.a < 2 || @.b", "@.a in [1, 'a']",
    "@.a =~ /a.*/i", "@.a size 2", "@.a empty true", "@ == 1", "@.a > $.b", "@..a",
    "@.a[0] subsetof [1, 2]", "@.a anyof [1]", "@.c.length() == 1", "!(@.a && @.b)",
    "@.a === '1'", "@.a contains 'a'", "@.b[*]", "@.a >= 1.5 && @.b <= 'b'",
]  # fmt: skip


def _quoted(name: str) -> str:
    return "['" + name.replace("\\", "\\\\").replace("'", "\\'") + "']"


_small = st.integers(-3, 3)
_steps = st.one_of(
    st.sampled_from([".a", ".b", ".c", "[*]", ".*", "..a", "..b", "..*", "..[0]"]),
    _NAMES.map(_quoted),
    _small.map(lambda i: f"[{i}]"),
    st.tuples(st.none() | _small, st.none() | _small)
    .filter(lambda pair: pair != (None, None))
    .map(lambda pair: "[" + ":".join("" if i is None else str(i) for i in pair) + "]"),
    st.lists(_small, min_size=2, max_size=3).map(lambda xs: "[" + ",".join(map(str, xs)) + "]"),
    st.lists(_NAMES, min_size=2, max_size=3).map(
        lambda names: "[" + ",".join(_quoted(n)[1:-1] for n in names) + "]"
    ),
    st.sampled_from(_FILTERS).map(lambda body: f"[?({body})]"),
)
valid_paths = st.lists(_steps, max_size=5).map(lambda steps: "$" + "".join(steps))
path_texts = st.one_of(
    path_like, path_like.map(lambda text: "$" + text), st.text(max_size=20), valid_paths
)

reference_keys = st.lists(
    st.one_of(st.sampled_from(["a", "b", "x y", "it's", ""]), st.integers(0, 3)), max_size=4
)


def reference_text(keys: list[str | int]) -> str:
    parts = []
    for key in keys:
        if isinstance(key, int):
            parts.append(f"[{key}]")
        else:
            parts.append("['" + key.replace("\\", "\\\\").replace("'", "\\'") + "']")
    return "$" + "".join(parts)


@settings(max_examples=1500)
@given(path_texts)
def test_compile_raises_nothing_but_path_syntax_error(text: str) -> None:
    with contextlib.suppress(PathSyntaxError):
        compile_path(text)
    with contextlib.suppress(PathSyntaxError):
        compile_reference_path(text)


@given(json_values)
def test_dollar_selects_the_document_itself(document: Any) -> None:
    assert compile_path("$").select(document) is document


@settings(max_examples=800)
@given(valid_paths, json_values)
def test_select_raises_only_path_not_found_and_never_mutates(text: str, document: Any) -> None:
    path = compile_path(text)
    snapshot = copy.deepcopy(document)
    try:
        result = path.select(document)
    except PathNotFound:
        pass
    else:
        if not path.definite:
            assert isinstance(result, list)
    assert document == snapshot


@settings(max_examples=500)
@given(reference_keys, json_values, json_values)
def test_assign_then_select_round_trips(keys: list[str | int], document: Any, value: Any) -> None:
    path = compile_reference_path(reference_text(keys))
    snapshot = copy.deepcopy(document)
    try:
        updated = path.assign(document, value)
    except PathMatchFailure:
        assume(False)
        return
    assert path.select(updated) is value
    assert document == snapshot


@given(reference_keys, json_values)
def test_fast_walk_agrees_with_the_token_walk(keys: list[str | int], document: Any) -> None:
    # Simple definite paths take a shortcut; it must not change results or messages.
    path = compile_path(reference_text(keys).replace("[0]", "[-1]"))
    try:
        fast: Any = ("value", path.select(document))
    except PathNotFound as exc:
        fast = ("missing", str(exc))
    try:
        slow: Any = ("value", path._evaluate(document))
    except PathNotFound as exc:
        slow = ("missing", str(exc))
    assert fast[0] == slow[0]
    if fast[0] == "value":
        assert fast[1] is slow[1]
    else:
        assert fast[1] == slow[1]
