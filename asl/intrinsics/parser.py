"""The syntax of an intrinsic function call, parsed once when a definition loads.

https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html

    call      = "States." name "(" [ argument { "," argument } ] ")"
    argument  = string | number | "true" | "false" | "null" | path | call

* A string is single-quoted; ``\\'``, ``\\{``, ``\\}`` and ``\\\\`` are its only escapes
  (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#amazon-states-language-intrinsic-functions-escapes).
  "If an open escape backslash \\ is found in the intrinsic invocation string, the
  interpreter will throw a runtime error": AWS rejects it when the definition is created
  (recorded for ``'YWJj\\nZA=='``), so it is a syntax error here.
* A number is a JSON number; AWS accepts exponents (recorded: ``MathAdd(1e309, 1)`` parses).
* A path starts with ``$``: ``$.a``, ``$$.Execution.Id`` (context) or ``$name.a`` (variable),
  and runs to the next ``,`` or ``)`` outside brackets, parentheses and quotes.
* "You can nest up to 10 intrinsic functions within a field": a call nested deeper than ten
  levels is a syntax error.

Spaces, tabs and line breaks may surround any token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container
from dataclasses import dataclass
from typing import Any

from asl.errors import DefinitionError, IntrinsicSyntaxError

MAX_DEPTH = 10
ESCAPABLE = "'{}\\"


@dataclass(frozen=True, slots=True)
class Literal:
    value: Any
    source: str | None = None  # a string literal's text between its quotes, escapes unread


@dataclass(frozen=True, slots=True)
class PathArgument:
    text: str
    path: Any  # an asl.jsonpath.Path


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Node, ...]


Node = Literal | PathArgument | Call

_NAME = re.compile(r"States\.[A-Za-z0-9]+")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_KEYWORD = re.compile(r"(?:true|false|null)(?![A-Za-z0-9_])")
_KEYWORDS = {"true": True, "false": False, "null": None}
_SPACE = re.compile(r"[ \t\r\n]*")
_QUOTE_OR_BACKSLASH = re.compile(r"['\\]")


def parse(text: str, names: Container[str], compile_path: Callable[[str], Any]) -> Call:
    """Parse ``text``; ``names`` are the known functions; ``compile_path`` compiles a path."""
    return _Parser(text, names, compile_path).parse()


class _Parser:
    def __init__(
        self, text: str, names: Container[str], compile_path: Callable[[str], Any]
    ) -> None:
        self.text = text
        self.names = names
        self.compile_path = compile_path
        self.pos = 0

    def fail(self, reason: str, pos: int | None = None) -> IntrinsicSyntaxError:
        where = self.pos if pos is None else pos
        return IntrinsicSyntaxError(
            f"Invalid intrinsic function call {self.text!r}: {reason} (at offset {where})"
        )

    def skip_space(self) -> None:
        match = _SPACE.match(self.text, self.pos)
        self.pos = match.end() if match else self.pos

    def parse(self) -> Call:
        self.skip_space()
        if not _NAME.match(self.text, self.pos):
            raise self.fail("expected a call such as States.Format(...)")
        call = self.call(1)
        self.skip_space()
        if self.pos != len(self.text):
            raise self.fail("unexpected text after the closing parenthesis")
        return call

    def call(self, depth: int) -> Call:
        start = self.pos
        match = _NAME.match(self.text, self.pos)
        if not match:
            raise self.fail("expected a call such as States.Format(...)")
        name = match.group()
        if name not in self.names:
            raise self.fail(f"'{name}' is not an intrinsic function", start)
        if depth > MAX_DEPTH:
            raise self.fail(f"intrinsic functions nest at most {MAX_DEPTH} deep", start)
        self.pos = match.end()
        self.skip_space()
        if not self.text.startswith("(", self.pos):
            raise self.fail(f"expected '(' after {name}")
        self.pos += 1
        self.skip_space()
        args: list[Node] = []
        if self.text.startswith(")", self.pos):
            self.pos += 1
            return Call(name, ())
        while True:
            args.append(self.argument(depth))
            self.skip_space()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                self.skip_space()
                continue
            if self.text.startswith(")", self.pos):
                self.pos += 1
                return Call(name, tuple(args))
            raise self.fail("expected ',' or ')' after an argument")

    def argument(self, depth: int) -> Node:
        if self.pos >= len(self.text):
            raise self.fail("unexpected end of the expression")
        char = self.text[self.pos]
        if char == "'":
            return self.string()
        if char == "$":
            return self.path()
        if char == "-" or char.isdigit():
            return self.number()
        if _NAME.match(self.text, self.pos):
            return self.call(depth + 1)
        keyword = _KEYWORD.match(self.text, self.pos)
        if keyword:
            self.pos = keyword.end()
            return Literal(_KEYWORDS[keyword.group()])
        raise self.fail(f"unexpected character {char!r}")

    def string(self) -> Literal:
        start = self.pos + 1
        index = start
        pieces: list[str] = []
        while True:
            found = _QUOTE_OR_BACKSLASH.search(self.text, index)
            if found is None:
                raise self.fail("unterminated string literal", start - 1)
            at = found.start()
            pieces.append(self.text[index:at])
            if self.text[at] == "'":
                self.pos = at + 1
                return Literal("".join(pieces), self.text[start:at])
            escaped = self.text[at + 1 : at + 2]
            if not escaped or escaped not in ESCAPABLE:
                raise self.fail("a backslash must escape one of ' { } \\", at)
            pieces.append(escaped)
            index = at + 2

    def number(self) -> Literal:
        match = _NUMBER.match(self.text, self.pos)
        if not match:
            raise self.fail("invalid number")
        self.pos = match.end()
        literal = match.group()
        if match.group(1) is None and match.group(2) is None:
            return Literal(int(literal))
        return Literal(float(literal))

    def path(self) -> PathArgument:
        start = index = self.pos
        text, length = self.text, len(self.text)
        depth = 0
        quote = ""
        while index < length:
            char = text[index]
            if quote:
                if char == "\\":
                    index += 1
                elif char == quote:
                    quote = ""
            elif char in "'\"" and depth:
                quote = char
            elif char in "[(":
                depth += 1
            elif char in "])":
                if depth == 0:
                    break
                depth -= 1
            elif char == "," and depth == 0:
                break
            index += 1
        source = text[start:index].rstrip(" \t\r\n")
        self.pos = start + len(source)
        try:
            return PathArgument(source, self.compile_path(source))
        except DefinitionError as exc:
            raise self.fail(f"invalid path {source!r}: {exc}", start) from None
