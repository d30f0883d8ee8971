"""Reads JSONPath text into tokens, following Jayway JsonPath's ``PathCompiler``.

The grammar is Jayway's, quirks included: a dot-notation name runs until ``.``, ``[`` or
``(`` (so ``$.a-b`` and ``$.a:b`` are plain names); ``$.['a']`` and ``$..['a']`` are allowed;
a slice ignores a third ``:step`` part; whitespace after the path is ignored.

Path functions (``.length()``, ``.sum()``, ...) are not evaluated.  AWS documents them as
unsupported ("Functions such as length() aren't supported",
https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html) and
recorded executions show such a path is accepted in the definition but finds nothing at
run time: "Invalid path '$.list.length()' : Property ['length()'] not found in path
$['list']" (awsdocs/aws-step-functions-developer-guide pull request 5) and "The JSONPath
'$.Jobs.sum()' specified for the field 'Jobs.$' could not be found in the input"
(re:Post QUYiQKP0XfThWEc_ahsMnLOA).  So ``name(...)`` is read as a property whose name is
the call text, which is exactly that behaviour.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from asl.errors import PathSyntaxError
from asl.jsonpath.java import unescape
from asl.jsonpath.scan import Scan
from asl.jsonpath.tokens import (
    Filter,
    Index,
    Predicate,
    Property,
    Root,
    Slice,
    Token,
    Wildcard,
)

FilterCompiler = Callable[[str], Predicate]

_INDEX = re.compile(r"-?[0-9]+")
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def tokenize(text: str, compile_filter: FilterCompiler) -> list[Token]:
    """``text`` starts with ``$`` or ``@`` (the caller strips ``$$`` / ``$name`` prefixes)."""
    return _Reader(text, compile_filter).read()


def _trim_right(text: str) -> str:
    """Java's ``String.trim`` on the right: drops every character up to U+0020."""
    end = len(text)
    while end and text[end - 1] <= " ":
        end -= 1
    return text[:end]


def _int(token: str, what: str) -> int:
    token = token.strip()
    if not _INDEX.fullmatch(token):
        raise PathSyntaxError(f"Failed to parse {what}: {token!r} is not an integer")
    value = int(token)
    if not _INT_MIN <= value <= _INT_MAX:
        raise PathSyntaxError(f"Failed to parse {what}: {token} is out of range")
    return value


class _Reader:
    def __init__(self, text: str, compile_filter: FilterCompiler) -> None:
        self.s = _trim_right(text)
        self.i = 0
        self.compile_filter = compile_filter
        self.tokens: list[Token] = []

    def fail(self, message: str) -> PathSyntaxError:
        return PathSyntaxError(message)

    def significant(self, start: int) -> int:
        """Index of the first non-space character at or after ``start``."""
        s, n = self.s, len(self.s)
        while start < n and s[start] == " ":
            start += 1
        return start

    def read(self) -> list[Token]:
        s = self.s
        if s.endswith("."):
            raise self.fail("Path must not end with a '.' or '..'")
        self.tokens.append(Root(s[0]))
        if len(s) == 1:
            return self.tokens
        if s[1] not in ".[":
            raise self.fail("Illegal character at position 1 expected '.' or '['")
        self.i = 1
        while self.i < len(s):
            char = s[self.i]
            if char == "[":
                self.bracket()
            elif char == ".":
                self.dot()
            elif char == "*":
                self.tokens.append(Wildcard())
                self.i += 1
            else:
                self.name()
        return self.tokens

    def dot(self) -> None:
        s, i = self.s, self.i
        if s.startswith("..", i):
            self.tokens.append(Scan())
            i += 2
        else:
            i += 1
        if i < len(s) and s[i] == ".":
            raise self.fail(f"Character '.' on position {i} is not valid.")
        if i < len(s) and s[i] == " ":
            raise self.fail(f"Could not parse token starting at position {i}")
        self.i = i

    def name(self) -> None:
        s, start = self.s, self.i
        end = start
        while end < len(s):
            char = s[end]
            if char == " ":
                raise self.fail(
                    "Use bracket notion ['my prop'] if your property contains blank "
                    f"characters. position: {start}"
                )
            if char in ".[":
                break
            if char == "(":
                end = self.call_end(start, end)
                self.tokens.append(Property([s[start:end]], function=True))
                self.i = end
                return
            end += 1
        self.tokens.append(Property([s[start:end]]))
        self.i = end

    def call_end(self, start: int, open_index: int) -> int:
        depth = 0
        for index in range(open_index, len(self.s)):
            if self.s[index] == "(":
                depth += 1
            elif self.s[index] == ")":
                depth -= 1
                if depth == 0:
                    return index + 1
        name = self.s[start:open_index]
        raise self.fail(f"Arguments to function: '{name}' are not closed properly.")

    def bracket(self) -> None:
        s = self.s
        first = self.significant(self.i + 1)
        char = s[first] if first < len(s) else ""
        if char in ("'", '"'):
            self.quoted_names(char)
        elif char.isascii() and (char.isdigit() or char in "-:"):
            self.array()
        elif char == "*":
            close = self.significant(first + 1)
            if close >= len(s) or s[close] != "]":
                raise self.fail(f"Expected wildcard token to end with ']' on position {first + 1}")
            self.tokens.append(Wildcard())
            self.i = close + 1
        elif char == "?":
            self.filter(first)
        else:
            raise self.fail(
                f"Could not parse token starting at position {self.i}. Expected ?, ', 0-9, * "
            )

    def array(self) -> None:
        s = self.s
        close = s.find("]", self.i + 1)
        if close < 0:
            raise self.fail(f"Could not parse token starting at position {self.i}")
        expression = s[self.i + 1 : close].strip()
        if any(not (c.isascii() and c.isdigit()) and c not in ",-: " for c in expression):
            raise self.fail(f"Could not parse token starting at position {self.i}")
        if ":" in expression:
            if " " in expression:
                raise self.fail(f"Failed to parse SliceOperation: {expression}")
            parts = expression.split(":")
            while parts and not parts[-1]:  # Java's String.split drops trailing empties
                parts.pop()
            start = _int(parts[0], "SliceOperation") if parts and parts[0] else None
            stop = _int(parts[1], "SliceOperation") if len(parts) > 1 and parts[1] else None
            if start is None and stop is None:
                raise self.fail(f"Failed to parse SliceOperation: {expression}")
            self.tokens.append(Slice(start, stop))
        else:
            indexes = [_int(part, "ArrayIndexOperation") for part in expression.split(",")]
            self.tokens.append(Index(indexes))
        self.i = close + 1

    def quoted_names(self, quote: str) -> None:
        s, n = self.s, len(self.s)
        names: list[str] = []
        read = self.i + 1
        start = end = 0
        in_name = escaped = last_was_comma = False
        while read < n:
            char = s[read]
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == "]" and not in_name:
                if last_was_comma:
                    raise self.fail(f"Found empty property at index {read}")
                break
            elif char == quote:
                if in_name:
                    after = self.significant(read + 1)
                    if after >= n or s[after] not in "],":
                        raise self.fail(
                            "Property must be separated by comma or Property must be "
                            f"terminated close square bracket at index {read}"
                        )
                    end = read
                    try:
                        names.append(unescape(s[start:end]))
                    except ValueError as exc:
                        raise self.fail(str(exc)) from None
                    in_name = False
                else:
                    start, in_name, last_was_comma = read + 1, True, False
            elif char == "," and not in_name:
                if last_was_comma:
                    raise self.fail(f"Found empty property at index {read}")
                last_was_comma = True
            read += 1
        if in_name:
            raise self.fail(f"Property has not been closed - missing closing {quote}")
        close = self.significant(end + 1)
        if close >= n or s[close] != "]":
            raise self.fail("Property has not been closed - missing closing ]")
        self.tokens.append(Property(names, quote))
        self.i = close + 1

    def filter(self, question: int) -> None:
        s = self.s
        open_index = self.significant(question + 1)
        if open_index >= len(s) or s[open_index] != "(":
            raise self.fail(f"Could not parse token starting at position {self.i}")
        close_index = closing_parenthesis(s, open_index)
        end = self.significant(close_index + 1) if close_index >= 0 else len(s)
        if close_index < 0 or end >= len(s) or s[end] != "]":
            raise self.fail(f"Could not parse token starting at position {self.i}")
        predicate = self.compile_filter(s[open_index + 1 : close_index])
        self.tokens.append(Filter(predicate))
        self.i = end + 1


def closing_parenthesis(text: str, open_index: int) -> int:
    """Index of the ``)`` matching ``text[open_index]``, skipping quoted strings and
    ``/regex/`` literals; -1 when there is none."""
    depth = 0
    index, n = open_index, len(text)
    while index < n:
        char = text[index]
        if char in "'\"/":
            index = _skip_literal(text, index)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def _skip_literal(text: str, start: int) -> int:
    """Index just past the string or regex literal opened at ``start``."""
    quote = text[start]
    index = start + 1
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == quote:
            return index + 1
        index += 1
    return len(text)
