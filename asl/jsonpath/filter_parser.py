"""Filter expressions — the inside of ``[?( ... )]`` — after Jayway's ``FilterCompiler``.

Grammar (``&&`` binds tighter than ``||``)::

    or      := and ('||' and)*
    and     := operand ('&&' operand)*
    operand := '!' operand | '(' or ')' | relation
    relation:= value [operator value]      -- without an operator, value must be a path:
                                              an existence test, negated by a leading '!'
    value   := @path | $path | 'string' | "string" | number | true | false | null
             | [json] | {json} | /regex/flags

Like Jayway, a path operand ends at a space, at one of ``< > = ~ !`` or at a closing
parenthesis, and word operators (``in``, ``nin``, ``subsetof``, ``anyof``, ``noneof``,
``contains``, ``size``, ``empty``, ``all``, ``exists``, ``type``, ``matches``) are
case-insensitive and need a space after them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from asl.errors import PathSyntaxError
from asl.jsonpath.java import unescape
from asl.jsonpath.relations import OPERATORS, UNDEFINED, Pattern
from asl.jsonpath.tokens import NotFound, Token, run, walk_keys

# text -> (chain head, definite, keys when made only of single names and indexes)
SubPathCompiler = Callable[[str], tuple[Token, bool, tuple[str | int, ...] | None]]

_NUMBER = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")
_OPERATOR_CHARS = "<>=~!"


class _Operand:
    __slots__ = ()

    def value(self, item: Any, root: Any) -> Any:
        raise NotImplementedError


class _Literal(_Operand):
    __slots__ = ("constant",)

    def __init__(self, constant: Any) -> None:
        self.constant = constant

    def value(self, item: Any, root: Any) -> Any:
        return self.constant


class _PathOperand(_Operand):
    """``@.a`` (the item) or ``$.a`` (the document); UNDEFINED when it finds nothing."""

    __slots__ = ("definite", "head", "keys", "relative", "should_exist")

    def __init__(
        self,
        compiled: tuple[Token, bool, tuple[str | int, ...] | None],
        relative: bool,
        should_exist: bool,
    ) -> None:
        self.head, self.definite, self.keys = compiled
        self.relative = relative
        self.should_exist = should_exist

    def value(self, item: Any, root: Any) -> Any:
        if self.keys is not None:
            try:
                return walk_keys(item if self.relative else root, self.keys)
            except (KeyError, IndexError, TypeError):
                pass  # let the tokens decide between "not found" and an invalid step
        try:
            results = run(self.head, item if self.relative else root, root)
        except NotFound:
            return UNDEFINED
        if self.definite:
            return results[-1] if results else UNDEFINED
        return results

    def exists(self, item: Any, root: Any) -> bool:
        if self.keys is not None:
            try:
                walk_keys(item if self.relative else root, self.keys)
                return True
            except (KeyError, IndexError, TypeError):
                pass
        try:
            results = run(self.head, item if self.relative else root, root, require=True)
        except NotFound:
            return False
        return bool(results) or not self.definite


class _Relation:
    __slots__ = ("compare", "left", "right")

    def __init__(self, left: _Operand, operator: str, right: _Operand) -> None:
        self.left = left
        self.right = right
        self.compare = OPERATORS[operator]

    def test(self, item: Any, root: Any) -> bool:
        return self.compare(self.left.value(item, root), self.right.value(item, root))


class _Exists:
    __slots__ = ("path",)

    def __init__(self, path: _PathOperand) -> None:
        self.path = path

    def test(self, item: Any, root: Any) -> bool:
        return self.path.exists(item, root) == self.path.should_exist


class _And:
    __slots__ = ("parts",)

    def __init__(self, parts: list[Any]) -> None:
        self.parts = parts

    def test(self, item: Any, root: Any) -> bool:
        return all(part.test(item, root) for part in self.parts)


class _Or(_And):
    __slots__ = ()

    def test(self, item: Any, root: Any) -> bool:
        return any(part.test(item, root) for part in self.parts)


class _Not:
    __slots__ = ("part",)

    def __init__(self, part: Any) -> None:
        self.part = part

    def test(self, item: Any, root: Any) -> bool:
        return not self.part.test(item, root)


def compile_filter(text: str, compile_sub: SubPathCompiler) -> Any:
    """Compile a filter body; the result has ``test(item, root) -> bool``."""
    return _FilterReader(text, compile_sub).read()


class _NoOperator(Exception):
    pass


class _FilterReader:
    def __init__(self, text: str, compile_sub: SubPathCompiler) -> None:
        self.s = text
        self.i = 0
        self.compile_sub = compile_sub

    def fail(self, message: str) -> PathSyntaxError:
        return PathSyntaxError(f"Failed to parse filter: [?({self.s})], {message}")

    def skip(self) -> str:
        s, n = self.s, len(self.s)
        while self.i < n and s[self.i] == " ":
            self.i += 1
        return s[self.i] if self.i < n else ""

    def read(self) -> Any:
        expression = self.logical_or()
        if self.skip():
            raise self.fail(f"expected end of filter expression instead of: {self.s[self.i :]}")
        return expression

    def logical_or(self) -> Any:
        parts = [self.logical_and()]
        while self.accept("||"):
            parts.append(self.logical_and())
        return parts[0] if len(parts) == 1 else _Or(parts)

    def logical_and(self) -> Any:
        parts = [self.operand()]
        while self.accept("&&"):
            parts.append(self.operand())
        return parts[0] if len(parts) == 1 else _And(parts)

    def accept(self, symbol: str) -> bool:
        saved = self.i
        self.skip()
        if self.s.startswith(symbol, self.i):
            self.i += len(symbol)
            return True
        self.i = saved
        return False

    def operand(self) -> Any:
        saved = self.i
        char = self.skip()
        if char == "!":
            self.i += 1
            if self.skip() not in ("$", "@"):
                return _Not(self.operand())
            self.i = saved
            self.skip()
        if char == "(":
            self.i += 1
            expression = self.logical_or()
            if self.skip() != ")":
                raise self.fail(f"expected ')' at position {self.i}")
            self.i += 1
            return expression
        return self.relation()

    def relation(self) -> Any:
        left = self.value()
        saved = self.i
        try:
            operator = self.operator()
        except _NoOperator:
            self.i = saved
            if not isinstance(left, _PathOperand):
                raise self.fail(f"expected an operator at position {saved}") from None
            return _Exists(left)
        return _Relation(left, operator, self.value())

    def operator(self) -> str:
        s, n = self.s, len(self.s)
        self.skip()
        begin = self.i
        if begin < n and s[begin] in _OPERATOR_CHARS:
            while self.i < n and s[self.i] in _OPERATOR_CHARS:
                self.i += 1
        else:
            while self.i < n and s[self.i] != " ":
                self.i += 1
        operator = s[begin : self.i].lower()
        if operator not in OPERATORS:
            raise _NoOperator
        return operator

    def value(self) -> _Operand:
        char = self.skip()
        if char in ("$", "@"):
            return self.path(should_exist=True)
        if char == "!":
            self.i += 1
            if self.skip() not in ("$", "@"):
                raise self.fail("Unexpected character: !")
            return self.path(should_exist=False)
        if char in ("'", '"'):
            return _Literal(self.string(char))
        if char in ("[", "{"):
            return _Literal(self.json_literal(char))
        if char == "/":
            return _Literal(self.pattern())
        for word, constant in (("true", True), ("false", False), ("null", None)):
            if self.s.startswith(word, self.i):
                self.i += len(word)
                return _Literal(constant)
        return _Literal(self.number())

    def path(self, should_exist: bool) -> _PathOperand:
        s, n, begin = self.s, len(self.s), self.i
        self.i += 1
        while self.i < n:
            char = s[self.i]
            if char == "[":
                close = _closing_bracket(s, self.i)
                if close < 0:
                    raise self.fail("Square brackets does not match in filter")
                self.i = close + 1
                continue
            if char in _OPERATOR_CHARS or char == " ":
                break
            if char == ")" and not self.closes_call(begin):
                break
            self.i += 1
        compiled = self.compile_sub(s[begin : self.i])
        return _PathOperand(compiled, s[begin] == "@", should_exist)

    def closes_call(self, begin: int) -> bool:
        """Jayway: a ``)`` right after ``(`` in a path with a ``.`` ends a function call."""
        before = self.s[begin : self.i].rstrip(" ")
        return before.endswith("(") and "." in before[1:-1]

    def string(self, quote: str) -> str:
        s, index = self.s, self.i + 1
        while index < len(s):
            if s[index] == "\\":
                index += 2
                continue
            if s[index] == quote:
                body = s[self.i + 1 : index]
                self.i = index + 1
                try:
                    return unescape(body)
                except ValueError as exc:
                    raise self.fail(str(exc)) from None
            index += 1
        raise self.fail(f"String not closed. Expected {quote}")

    def json_literal(self, opener: str) -> Any:
        close = _closing_bracket(self.s, self.i, opener, "]" if opener == "[" else "}")
        if close < 0:
            raise self.fail(f"JSON literal not closed at position {self.i}")
        text = self.s[self.i : close + 1]
        self.i = close + 1
        return _permissive_json(text, self.fail)

    def pattern(self) -> Pattern:
        s, index = self.s, self.i + 1
        while index < len(s) and s[index] != "/":
            index += 2 if s[index] == "\\" else 1
        if index >= len(s):
            raise self.fail("Pattern not closed. Expected /")
        body = s[self.i + 1 : index]
        end = index + 1
        while end < len(s) and s[end].isascii() and s[end].isalpha():
            end += 1
        self.i = end
        try:
            return Pattern(body, s[index + 1 : end])
        except re.error as exc:
            raise self.fail(f"invalid regular expression /{body}/: {exc}") from None

    def number(self) -> int | float:
        begin = self.i
        while self.i < len(self.s) and self.s[self.i] in "0123456789-.":
            self.i += 1
        text = self.s[begin : self.i]
        if not _NUMBER.fullmatch(text):
            raise self.fail(f"unexpected value at position {begin}")
        if "." in text:
            return float(text)
        return int(text)


def _closing_bracket(text: str, start: int, opener: str = "[", closer: str = "]") -> int:
    """Index of the bracket closing ``text[start]``, skipping quoted strings; -1 if none."""
    depth, index = 0, start
    while index < len(text):
        char = text[index]
        if char in ("'", '"'):
            index = _after_string(text, index)
            continue
        if char == opener:
            depth += 1
        elif char == closer:
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def _after_string(text: str, start: int) -> int:
    index = start + 1
    while index < len(text):
        if text[index] == "\\":
            index += 2
        elif text[index] == text[start]:
            return index + 1
        else:
            index += 1
    return len(text)


def _permissive_json(text: str, fail: Callable[[str], PathSyntaxError]) -> Any:
    """Jayway parses JSON literals with json-smart's permissive mode ('single quotes' too)."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    converted: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char in ("'", '"'):
            end = _after_string(text, index)
            body = text[index + 1 : end - 1]
            try:
                converted.append(json.dumps(unescape(body)))
            except ValueError as exc:
                raise fail(str(exc)) from None
            index = end
            continue
        converted.append(char)
        index += 1
    try:
        return json.loads("".join(converted))
    except ValueError:
        raise fail(f"invalid JSON literal {text}") from None
