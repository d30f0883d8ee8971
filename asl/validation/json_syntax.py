"""Describe a JSON syntax error the way Step Functions does: with Jackson's message.

The service parses definitions with Jackson (``ObjectMapper.readTree`` on the string) and
returns the parser's message as an INVALID_JSON_DESCRIPTION diagnostic whose location is the
parser's location text.  Recorded (LocalStack snapshot
tests/aws/services/stepfunctions/v2/test_sfn_api_validation.snapshot.json, NOT_A_DEF)::

    message:  Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or
              token 'null', 'true' or 'false')\\n at [Source: (String)"not a definition"; line: 1,
              column: 4]
    location: [Source: (String)"not a definition"; line: 1, column: 4]

This module reproduces jackson-core 2.12-2.15's ReaderBasedJsonParser for the first error
in a document: the same messages, the same line/column (1-based, counted in UTF-16 units,
pointing just past the offending character), the same source snippet (the first 500
characters, then "[truncated N chars]").  Only the message above is verified against the
service; the others are Jackson's texts.  It runs only after the fast parser has failed.
"""

from __future__ import annotations

import re
import unicodedata

_VALUE_LIST = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
_MAX_SNIPPET = 500
_MAX_TOKEN = 256
_MAX_DEPTH = 1000  # jackson-core 2.15 StreamReadConstraints default
_WS = " \t\r\n"
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class _Failure(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def describe(text: str) -> tuple[str, str] | None:
    """(message, location) of the first error Jackson reports while reading the first JSON
    value of ``text``, or None when that value reads cleanly."""
    scanner = _Scanner(_utf16_units(text))
    try:
        scanner.run()
    except _Failure as failure:
        location = scanner.location()
        return _readable(f"{failure.message}\n at {location}"), _readable(location)
    return None


def _utf16_units(text: str) -> str:
    """``text`` with each astral character split into its two surrogates, as Java sees it."""
    if text.isascii() or _ASTRAL.search(text) is None:
        return text

    def split(match: re.Match[str]) -> str:
        code = ord(match.group()) - 0x10000
        return chr(0xD800 + (code >> 10)) + chr(0xDC00 + (code & 0x3FF))

    return _ASTRAL.sub(split, text)


def _readable(text: str) -> str:
    """Re-join surrogate pairs; a lone surrogate becomes U+FFFD."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _char_desc(c: str) -> str:
    code = ord(c)
    if code <= 0x1F or 0x7F <= code <= 0x9F:
        return f"(CTRL-CHAR, code {code})"
    if code > 255:
        return f"'{c}' (code {code} / 0x{code:x})"
    return f"'{c}' (code {code})"


_START = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nl", "Sc", "Pc"})
_PART = _START | {"Nd", "Mn", "Mc", "Cf"}


def _identifier_start(c: str) -> bool:  # Character.isJavaIdentifierStart
    return unicodedata.category(c) in _START


def _identifier_part(c: str) -> bool:  # Character.isJavaIdentifierPart
    code = ord(c)
    if code <= 0x08 or 0x0E <= code <= 0x1B or 0x7F <= code <= 0x9F:
        return True
    return unicodedata.category(c) in _PART


class _Frame:
    __slots__ = ("column", "kind", "row", "seen_entry")

    def __init__(self, kind: str, row: int, column: int) -> None:
        self.kind = kind  # "Array" or "Object"
        self.row = row  # where its bracket is (1-based line and column)
        self.column = column
        self.seen_entry = False  # the next entry must follow a comma


class _Scanner:
    __slots__ = ("n", "pos", "row", "row_start", "s", "stack")

    def __init__(self, s: str) -> None:
        self.s = s
        self.n = len(s)
        self.pos = 0
        self.row = 1
        self.row_start = 0
        self.stack: list[_Frame] = []

    # -- locations ------------------------------------------------------------------------

    def _source(self) -> str:
        snippet = self.s[:_MAX_SNIPPET]
        desc = f'(String)"{snippet}"'
        if self.n > _MAX_SNIPPET:
            desc += f"[truncated {self.n - _MAX_SNIPPET} chars]"
        return desc

    def _at(self, row: int, column: int) -> str:
        return f"[Source: {self._source()}; line: {row}, column: {column}]"

    def location(self) -> str:
        return self._at(self.row, self.pos - self.row_start + 1)

    def _start_marker(self) -> str:
        if not self.stack:
            return self._at(1, 0)
        frame = self.stack[-1]
        return self._at(frame.row, frame.column)

    # -- errors ---------------------------------------------------------------------------

    def _unexpected(self, c: str, comment: str) -> _Failure:
        return _Failure(f"Unexpected character ({_char_desc(c)}): {comment}")

    def _eof(self, suffix: str) -> _Failure:
        return _Failure(f"Unexpected end-of-input{suffix}")

    def _invalid_token(self, matched: str) -> _Failure:
        token = matched
        while self.pos < self.n and _identifier_part(self.s[self.pos]):
            token += self.s[self.pos]
            self.pos += 1
            if len(token) >= _MAX_TOKEN:
                token += "..."
                break
        return _Failure(f"Unrecognized token '{token}': was expecting {_VALUE_LIST}")

    # -- reading --------------------------------------------------------------------------

    def _next_char(self) -> str | None:
        """Skip white space; the next character (consumed), or None at the end."""
        s, n = self.s, self.n
        while self.pos < n:
            c = s[self.pos]
            self.pos += 1
            if c > " ":
                if c == "/":
                    raise self._unexpected(
                        c,
                        "maybe a (non-standard) comment? (not recognized as one since Feature "
                        "'ALLOW_COMMENTS' not enabled for parser)",
                    )
                return c
            if c == "\n":
                self.row += 1
                self.row_start = self.pos
            elif c == "\r":
                if self.pos < n and s[self.pos] == "\n":
                    self.pos += 1
                self.row += 1
                self.row_start = self.pos
            elif c != " " and c != "\t":
                raise _Failure(
                    f"Illegal character ({_char_desc(c)}): only regular white space "
                    "(\\r, \\n, \\t) is allowed between tokens"
                )
        return None

    def run(self) -> None:
        c = self._next_char()
        if c is None:
            return
        self._value(c, "root")
        while self.stack:
            self._step()

    def _step(self) -> None:
        frame = self.stack[-1]
        kind = frame.kind
        c = self._next_char()
        if c is None:
            raise self._eof(
                f": expected close marker for {kind} (start marker at {self._start_marker()})"
            )
        if c in "]}":
            expected = "]" if kind == "Array" else "}"
            if c != expected:
                raise _Failure(
                    f"Unexpected close marker '{c}': expected '{expected}' "
                    f"(for {kind} starting at {self._start_marker()})"
                )
            self.stack.pop()
            return
        if frame.seen_entry:
            if c != ",":
                raise self._unexpected(c, f"was expecting comma to separate {kind} entries")
            c = self._next_char()
            if c is None:
                raise self._eof(f" within/between {kind} entries")
        frame.seen_entry = True
        if kind == "Object":
            if c != '"':
                raise self._unexpected(c, "was expecting double-quote to start field name")
            self._string(" in field name", "name")
            c = self._next_char()
            if c is None:
                raise self._eof(" within/between Object entries")
            if c != ":":
                raise self._unexpected(c, "was expecting a colon to separate field name and value")
            c = self._next_char()
            if c is None:
                raise self._eof(" within/between Object entries")
            self._value(c, "Object")
        else:
            self._value(c, "Array")

    def _value(self, c: str, where: str) -> None:
        if c == '"':
            self._string(": was expecting closing quote for a string value", "string value")
        elif c == "[" or c == "{":
            if len(self.stack) >= _MAX_DEPTH:
                raise _Failure(
                    f"Document nesting depth ({len(self.stack) + 1}) exceeds the maximum allowed "
                    f"({_MAX_DEPTH}, from `StreamReadConstraints.getMaxNestingDepth()`)"
                )
            kind = "Array" if c == "[" else "Object"
            self.stack.append(_Frame(kind, self.row, self.pos - self.row_start))
        elif c == "t":
            self._literal("true")
        elif c == "f":
            self._literal("false")
        elif c == "n":
            self._literal("null")
        elif c == "-" or "0" <= c <= "9":
            self._number(c, root=where == "root")
        elif c == "}" and where == "Array":
            raise self._unexpected(c, "expected a value")
        else:
            self._odd_value(c)

    def _odd_value(self, c: str) -> None:
        if c == "N":
            self._literal("NaN")
            raise _Failure(
                "Non-standard token 'NaN': enable JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS "
                "to allow"
            )
        if c == "I":
            self._literal("Infinity")
            raise _Failure(
                "Non-standard token 'Infinity': enable "
                "JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS to allow"
            )
        if c == "+":
            if self.pos >= self.n:
                raise self._eof(" in a Number value")
            self._invalid_number_start(self._take(), "+")
        if _identifier_start(c):
            raise self._invalid_token(c)
        raise self._unexpected(c, f"expected a valid value {_VALUE_LIST}")

    def _take(self) -> str:
        c = self.s[self.pos]
        self.pos += 1
        return c

    def _literal(self, word: str) -> None:
        """The rest of ``word`` (its first character is consumed), not followed by a letter."""
        s = self.s
        for index in range(1, len(word)):
            if self.pos >= self.n or s[self.pos] != word[index]:
                raise self._invalid_token(word[:index])
            self.pos += 1
        if self.pos < self.n:
            c = s[self.pos]
            if c >= "0" and c not in "]}" and _identifier_part(c):
                raise self._invalid_token(word)

    def _invalid_number_start(self, c: str, sign: str) -> None:
        if c == "I":
            self._literal("Infinity")
            raise _Failure(
                f"Non-standard token '{sign}Infinity': enable "
                "JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS to allow"
            )
        raise _Failure(
            f"Unexpected character ({_char_desc(c)}) in numeric value: expected digit (0-9) "
            "to follow minus sign, for valid numeric value"
        )

    def _number(self, c: str, root: bool) -> None:
        s, n = self.s, self.n
        if c == "-":
            if self.pos >= n:
                raise self._eof(" in a Number value")
            c = self._take()
            if not "0" <= c <= "9":
                self._invalid_number_start(c, "-")
        if c == "0" and self.pos < n and "0" <= s[self.pos] <= "9":
            raise _Failure("Invalid numeric value: Leading zeroes not allowed")
        while self.pos < n and "0" <= s[self.pos] <= "9":
            self.pos += 1
        if self.pos < n and s[self.pos] == ".":
            self.pos += 1
            self._digits("Decimal point not followed by a digit")
        if self.pos < n and s[self.pos] in "eE":
            self.pos += 1
            if self.pos < n and s[self.pos] in "+-":
                self.pos += 1
            self._digits("Exponent indicator not followed by a digit")
        if root and self.pos < n and s[self.pos] not in _WS:
            raise self._unexpected(self._take(), "Expected space separating root-level values")

    def _digits(self, complaint: str) -> None:
        if self.pos >= self.n:
            raise self._eof(" in a Number value")
        if not "0" <= self.s[self.pos] <= "9":
            c = self._take()
            raise _Failure(f"Unexpected character ({_char_desc(c)}) in numeric value: {complaint}")
        while self.pos < self.n and "0" <= self.s[self.pos] <= "9":
            self.pos += 1

    def _string(self, eof_suffix: str, what: str) -> None:
        s, n = self.s, self.n
        while True:
            if self.pos >= n:
                raise self._eof(eof_suffix)
            c = s[self.pos]
            self.pos += 1
            if c == '"':
                return
            if c == "\\":
                self._escape()
            elif c < " ":
                raise _Failure(
                    f"Illegal unquoted character ({_char_desc(c)}): has to be escaped using "
                    f"backslash to be included in {what}"
                )

    def _escape(self) -> None:
        if self.pos >= self.n:
            raise self._eof(" in character escape sequence")
        c = self._take()
        if c in '"\\/bfnrt':
            return
        if c != "u":
            raise _Failure(f"Unrecognized character escape {_char_desc(c)}")
        for _ in range(4):
            if self.pos >= self.n:
                raise self._eof(" in character escape sequence")
            digit = self._take()
            if digit not in "0123456789abcdefABCDEF":
                raise self._unexpected(digit, "expected a hex-digit for character escape sequence")
