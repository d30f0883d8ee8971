"""Compiled paths: :class:`Path` (any JSONPath) and :class:`ReferencePath` (one node).

Roots: ``$`` is the state's data, ``$$`` the context object, ``$name`` a workflow
variable; what follows the root is a Jayway JsonPath evaluated against that value.

Results follow Jayway, as Step Functions does:

* a *definite* path (only single names and single indexes, or a final ``['a','b']``
  which yields one object) returns its value, or raises :class:`PathNotFound` with
  Jayway's message ("No results for path: $['a']", "Missing property in path $['a']", ...);
* an *indefinite* path returns a new list of matches.  When nothing matches — including
  when a property on the way is missing — the list is empty: AWS returns ``[]`` for
  ``$.items[*]`` on ``{}`` where plain Jayway would throw (localstack issue 12318 and the
  AWS-checked fix in moto's ``stepfunctions/parser/asl/utils/json_path.py``).  A slice or
  index applied to a non-array right under a definite prefix (``$[1:]`` on ``{}``) is
  still an error there.

Definite paths made of names and indexes are walked by a tight loop over precomputed
keys; anything else, and every failure (to word the message), goes through the tokens.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from asl import jsontext
from asl.errors import PathSyntaxError
from asl.jsonpath.filter_parser import compile_filter
from asl.jsonpath.parser import tokenize
from asl.jsonpath.tokens import (
    Index,
    InvalidPath,
    NotFound,
    Property,
    Token,
    link,
    run,
    simple_keys,
)

if TYPE_CHECKING:
    from asl.scope import Scope

_VARIABLE = re.compile(r"[^\W\d]\w*")
_MISSING: Any = object()


class PathNotFound(Exception):
    """A definite path selected nothing, a step could not apply (an index on an object,
    a filter on a number) or a ``$name`` variable is not set.  ``str(exc)`` is Jayway's
    message, e.g. "No results for path: $['a']['b']" or "Missing property in path $['a']"."""


class PathMatchFailure(Exception):
    """A ReferencePath could not be applied (ResultPath): ``str(exc)`` is the cause."""


def is_path(text: str) -> bool:
    """Whether a ``.$`` value is a path (else an intrinsic function call)."""
    return text.startswith("$")


class Path:
    __slots__ = ("_head", "_keys", "_plain", "definite", "normalized", "root", "text", "var_name")

    def __init__(self, text: str, root: str, var_name: str | None, tokens: list[Token]) -> None:
        self.text = text
        self.root = root
        self.var_name = var_name
        self._head = link(tokens)
        self.definite = all(token.definite for token in tokens)
        self.normalized = self._head.chain()
        self._keys = simple_keys(tokens)
        self._plain = self._keys is not None and all(isinstance(k, str) for k in self._keys)

    def select(self, data: Any, scope: Scope | None = None) -> Any:
        """The value at this path (definite) or a new list of matches (indefinite)."""
        if self.root != "$":
            data = self._base(scope)
        keys = self._keys
        if keys is not None:
            node = data
            try:
                if self._plain:
                    for key in keys:
                        node = node[key]
                else:
                    for key in keys:
                        if key.__class__ is int and node.__class__ is not list:
                            raise TypeError
                        node = node[key]
                return node
            except (KeyError, IndexError, TypeError):
                pass  # evaluate again below, for Jayway's exact message
        return self._evaluate(data)

    def _evaluate(self, data: Any) -> Any:
        try:
            results = run(self._head, data, data)
        except NotFound as exc:
            if self.definite:
                raise PathNotFound(str(exc)) from None
            return []
        except InvalidPath as exc:
            raise PathNotFound(str(exc)) from None
        if not self.definite:
            return results
        if not results:
            raise PathNotFound("No results for path: " + self.normalized)
        return results[-1]

    def _base(self, scope: Scope | None) -> Any:
        if self.root == "$$":
            return None if scope is None else scope.context
        name = self.var_name
        assert name is not None
        if scope is None or name not in scope.variables:
            raise PathNotFound(f"The variable '${name}' is not defined")
        return scope.variables[name]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Path) and type(other) is type(self) and other.text == self.text

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.text))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.text!r})"


class ReferencePath(Path):
    """A Reference Path: names and single non-negative indexes only, one node at most.
    https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html"""

    __slots__ = ()

    def assign(self, data: Any, value: Any) -> Any:
        """A new document equal to ``data`` with ``value`` at this path (ResultPath).

        Missing objects on the way are created; only the containers along the path are
        copied, everything else is shared.  ``$`` returns ``value`` itself.
        """
        keys = self._keys
        assert keys is not None
        if self.root != "$":
            raise PathMatchFailure(f'Unable to apply step "{self.text}" to input {_dumps(data)}')
        if not keys:
            return value
        return self._put(data, data, keys, 0, value)

    def _put(self, data: Any, node: Any, keys: tuple[str | int, ...], at: int, value: Any) -> Any:
        key = keys[at]
        last = at + 1 == len(keys)
        if isinstance(key, str):
            if isinstance(node, dict):
                copy = dict(node)
                child = node.get(key, _MISSING)
            elif node is _MISSING:
                copy, child = {}, _MISSING
            else:
                raise self._failure(data, key)
            copy[key] = value if last else self._put(data, child, keys, at + 1, value)
            return copy
        if isinstance(node, list) and key < len(node):
            items = list(node)
            items[key] = value if last else self._put(data, node[key], keys, at + 1, value)
            return items
        if node is _MISSING and key == 0:
            # "ResultPath": "$.list[0]" on input without "list" creates a one-item array.
            return [value if last else self._put(data, _MISSING, keys, at + 1, value)]
        raise self._failure(data, key)

    def _failure(self, data: Any, key: str | int) -> PathMatchFailure:
        # Recorded wording: 'Unable to apply step "items" to input {...}'.
        return PathMatchFailure(f'Unable to apply step "{key}" to input {_dumps(data)}')


def _dumps(value: Any) -> str:
    try:
        return jsontext.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def _split_root(text: str) -> tuple[str, str | None, str]:
    """(root, variable name, the Jayway path evaluated against that root's value)."""
    if not isinstance(text, str) or not text.startswith("$"):
        raise PathSyntaxError(f"Path must start with '$': {text!r}")
    if text.startswith("$$"):
        return "$$", None, "$" + text[2:]
    match = _VARIABLE.match(text, 1)
    if match:
        return "var", match.group(), "$" + text[match.end() :]
    return "$", None, text


def _sub_path(text: str) -> tuple[Token, bool, tuple[str | int, ...] | None]:
    tokens = tokenize(text, _filter)
    head = link(tokens)
    return head, all(token.definite for token in tokens), simple_keys(tokens)


def _filter(text: str) -> Any:
    return compile_filter(text, _sub_path)


def _reference_error(tokens: list[Token]) -> str | None:
    for token in tokens[1:]:
        if isinstance(token, Property):
            if token.function:
                return "functions such as length() are not supported"
            if len(token.names) != 1:
                return "only a single field name is allowed in brackets"
        elif isinstance(token, Index):
            if len(token.indexes) != 1:
                return "only a single array index is allowed"
            if token.indexes[0] < 0:
                return "array indexes must not be negative"
        else:
            return f"'{token.fragment()}' is not allowed: a reference path selects a single node"
    return None


@lru_cache(maxsize=4096)
def _compile(text: str, reference: bool) -> Path:
    root, var_name, jayway = _split_root(text)
    try:
        tokens = tokenize(jayway, _filter)
    except PathSyntaxError as exc:
        raise PathSyntaxError(f"Invalid JSONPath '{text}': {exc}") from None
    except (ValueError, IndexError, RecursionError) as exc:
        raise PathSyntaxError(f"Invalid JSONPath '{text}': {exc}") from None
    if not reference:
        return Path(text, root, var_name, tokens)
    problem = _reference_error(tokens)
    if problem:
        raise PathSyntaxError(f"Invalid ReferencePath '{text}': {problem}")
    return ReferencePath(text, root, var_name, tokens)


def compile_path(text: str) -> Path:
    """Compile a Path; raises PathSyntaxError."""
    return _compile(text, False)


def compile_reference_path(text: str) -> ReferencePath:
    """Compile a Reference Path; raises PathSyntaxError saying why one is not valid."""
    path = _compile(text, True)
    assert isinstance(path, ReferencePath)
    return path
