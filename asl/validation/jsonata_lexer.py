"""Tokens of a JSONata expression, for the static reference checks (jsonata_references.py).

The token rules are JSONata's own (jsonata-js 2.0 ``tokenizer`` in src/parser.js; AWS runs
JSONata 2.0.6: https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html):
white space and ``/* */`` comments between tokens, ``/regex/flags`` where an operand is
expected, two-character operators, ``"..."``/``'...'`` strings with JSON escapes, numbers,
backtick-quoted names, ``$variables`` and plain names (``and``, ``or``, ``in`` are operators;
``true``, ``false``, ``null`` are values).  Syntax errors are the engine's business (asl.jsonata
compiles every expression first); here any problem only stops the analysis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Single-character operators; every one of them also ends a name.  "!" and "~" are not
# operators on their own but stop a name, as in JSONata.
OPERATOR_CHARS = frozenset(".[]{}(),@#;:?+-*/%|=<>^&!~")
_PAIRS = ("..", ":=", "!=", ">=", "<=", "**", "~>")
_WHITE_SPACE = " \t\n\r\v"
_NUMBER = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[Ee][-+]?[0-9]+)?")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_KEYWORD_OPERATORS = frozenset({"and", "or", "in"})
_VALUES = frozenset({"true", "false", "null"})


class LexError(Exception):
    """The text is not a JSONata token stream."""


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "operator", "name", "variable", "string", "number", "value", "regex", "end"
    value: str


END = Token("end", "(end)")


class Lexer:
    """Hands out one token at a time; the parser says whether an operand may start here
    (only then is ``/`` a regular expression, as in JSONata)."""

    __slots__ = ("position", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def next(self, operand: bool) -> Token:
        text = self.text
        length = len(text)
        while True:
            while self.position < length and text[self.position] in _WHITE_SPACE:
                self.position += 1
            if text.startswith("/*", self.position):
                end = text.find("*/", self.position + 2)
                if end < 0:
                    raise LexError("comment not closed")
                self.position = end + 2
                continue
            break
        if self.position >= length:
            return END
        char = text[self.position]
        if operand and char == "/":
            self.position += 1
            return Token("regex", self._regex())
        for pair in _PAIRS:
            if text.startswith(pair, self.position):
                self.position += 2
                return Token("operator", pair)
        if char in OPERATOR_CHARS:
            self.position += 1
            return Token("operator", char)
        if char in "\"'":
            return Token("string", self._string(char))
        number = _NUMBER.match(text, self.position)
        if number is not None:
            self.position = number.end()
            return Token("number", number.group())
        if char == "`":
            end = text.find("`", self.position + 1)
            if end < 0:
                raise LexError("quoted name not closed")
            name = text[self.position + 1 : end]
            self.position = end + 1
            return Token("name", name)
        return self._name()

    def _name(self) -> Token:
        text = self.text
        start = end = self.position
        while end < len(text) and text[end] not in _WHITE_SPACE and text[end] not in OPERATOR_CHARS:
            end += 1
        self.position = end
        word = text[start:end]
        if word.startswith("$"):
            return Token("variable", word[1:])
        if word in _KEYWORD_OPERATORS:
            return Token("operator", word)
        if word in _VALUES:
            return Token("value", word)
        if not word:
            raise LexError("unexpected character")
        return Token("name", word)

    def _string(self, quote: str) -> str:
        text = self.text
        position = self.position + 1
        out: list[str] = []
        while position < len(text):
            char = text[position]
            if char == "\\":
                position += 1
                escaped = text[position : position + 1]
                if escaped in _ESCAPES:
                    out.append(_ESCAPES[escaped])
                elif escaped == "u" and re.fullmatch(
                    r"[0-9a-fA-F]{4}", text[position + 1 : position + 5]
                ):
                    out.append(chr(int(text[position + 1 : position + 5], 16)))
                    position += 4
                else:
                    raise LexError("bad escape")
            elif char == quote:
                self.position = position + 1
                return "".join(out)
            else:
                out.append(char)
            position += 1
        raise LexError("string not closed")

    def _regex(self) -> str:
        # The closing "/" is the first one not escaped and not inside (), [] or {}.
        text = self.text
        start = position = self.position
        depth = 0
        while position < len(text):
            char = text[position]
            escaped = position > 0 and text[position - 1] == "\\"
            if char == "/" and not escaped and depth == 0:
                if position == start:
                    raise LexError("empty regular expression")
                pattern = text[start:position]
                position += 1
                while position < len(text) and text[position] in "im":
                    position += 1
                self.position = position
                return pattern
            if char in "([{" and not escaped:
                depth += 1
            elif char in ")]}" and not escaped:
                depth -= 1
            position += 1
        raise LexError("regular expression not closed")
