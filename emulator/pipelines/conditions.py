"""The ``if`` expressions of ``condition`` and ``on_condition`` rules, compiled into JSONata.

stepIQ declares ``on_condition: [{if: string, goto, max_loops}]`` without saying what the
string holds.  Stepline gives it a small, safe language over the same names templates read::

    steps.review.output.score < 7
    steps.check.output.approved == false and input.strict
    contains(steps.draft.output, "TODO") or length(steps.list.output.items) > 3
    not exists(vars.skip)           {{steps.review.output.ok}} == true

* values: paths rooted at ``input``, ``vars`` (or ``variables``) and ``steps.ID`` (written
  bare or in ``{{ }}``), numbers, ``"strings"`` or ``'strings'``, ``true``, ``false``, ``null``;
* comparisons ``== != < <= > >=`` (``=`` is ``==``), ``and``/``&&``, ``or``/``||``,
  ``not``/``!``, parentheses;
* functions ``exists(x)``, ``length(x)`` (of a string or an array), ``contains(x, y)`` (a
  substring, or an array member), ``number(x)``, ``string(x)``, ``lower(x)``, ``upper(x)``.

A bare value is tested as ``#if`` tests it.  Secrets (``env``) cannot be read here.  The result
is a JSONata expression for a Choice rule's ``Condition``; comparing values of different types
(a string with a number) fails the execution with ``States.QueryEvaluationError``, as JSONata
does, rather than guess.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from emulator.pipelines.templating import Ref, Resolve, TemplateError, literal, parse_template

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
    | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
    | (?P<ref>\{\{[^}]*\}\})
    | (?P<op>==|!=|<=|>=|&&|\|\||[<>=!(),])
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.(?:[A-Za-z0-9_$-]+|\[[^\]\[`]+\]))*)
    )""",
    re.VERBOSE,
)
_FUNCTIONS = {"exists": 1, "length": 1, "contains": 2, "number": 1, "string": 1, "lower": 1,
              "upper": 1}  # fmt: skip
_KEYWORDS = {"and", "or", "not", "true", "false", "null"}


@dataclass(frozen=True, slots=True)
class Condition:
    """A parsed ``if``: its references and a function building the JSONata text."""

    source: str
    refs: tuple[Ref, ...]
    _tokens: tuple[tuple[str, str], ...]

    def to_jsonata(self, resolve: Resolve) -> str:
        parser = _Parser(self._tokens, resolve)
        return f"({parser.boolean(parser.parse())} = true)"


@functools.lru_cache(maxsize=1024)
def parse_condition(source: str) -> Condition:
    """Parse ``source``; raises TemplateError saying what is wrong."""
    tokens = _tokenize(source)
    refs: list[Ref] = []

    def collect(ref: Ref) -> str:
        refs.append(ref)
        return "$x"

    parser = _Parser(tokens, collect)
    parser.parse()
    return Condition(source, tuple(refs), tokens)


def _tokenize(source: str) -> tuple[tuple[str, str], ...]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = source.rstrip()
    if not text.strip():
        raise TemplateError("the condition is empty")
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise TemplateError(f"unexpected text at {text[pos:].strip()[:20]!r}")
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tuple(tokens)


class _Parser:
    def __init__(self, tokens: tuple[tuple[str, str], ...], resolve: Resolve) -> None:
        self.tokens = tokens
        self.pos = 0
        self.resolve = resolve

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise TemplateError("the condition ends too soon")
        if value is not None and token[1] != value:
            raise TemplateError(f"expected {value!r}, found {token[1]!r}")
        self.pos += 1
        return token

    def parse(self) -> tuple[str, bool]:
        result = self.disjunction()
        if self.peek() is not None:
            raise TemplateError(f"unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return result

    @staticmethod
    def boolean(item: tuple[str, bool]) -> str:
        text, is_boolean = item
        return text if is_boolean else f"($boolean({text}) = true)"

    def disjunction(self) -> tuple[str, bool]:
        left = self.conjunction()
        while self.peek() in (("op", "||"), ("name", "or")):
            self.take()
            right = self.conjunction()
            left = (f"({self.boolean(left)} or {self.boolean(right)})", True)
        return left

    def conjunction(self) -> tuple[str, bool]:
        left = self.negation()
        while self.peek() in (("op", "&&"), ("name", "and")):
            self.take()
            right = self.negation()
            left = (f"({self.boolean(left)} and {self.boolean(right)})", True)
        return left

    def negation(self) -> tuple[str, bool]:
        if self.peek() in (("op", "!"), ("name", "not")):
            self.take()
            return (f"$not({self.boolean(self.negation())})", True)
        return self.comparison()

    def comparison(self) -> tuple[str, bool]:
        left = self.primary()
        token = self.peek()
        if (
            token is not None
            and token[0] == "op"
            and token[1] in ("==", "=", "!=", "<", "<=", ">", ">=")
        ):
            self.take()
            right = self.primary()
            op = "=" if token[1] == "==" else token[1]
            return (f"({left[0]} {op} {right[0]})", True)
        return left

    def primary(self) -> tuple[str, bool]:
        kind, value = self.take()
        if kind == "num":
            return (value, False)
        if kind == "str":
            return (literal(_unquote(value)), False)
        if kind == "ref":
            template = parse_template(value)
            if len(template.nodes) != 1 or not isinstance(template.nodes[0], Ref):
                raise TemplateError(f"{value!r} is not a reference")
            return (self._ref(template.nodes[0]), False)
        if kind == "op" and value == "(":
            inner = self.disjunction()
            self.take(")")
            return (f"({inner[0]})", inner[1])
        if kind == "name":
            if value in ("true", "false", "null"):
                return (value, value != "null")
            if value in _KEYWORDS:
                raise TemplateError(f"unexpected {value!r}")
            if self.peek() == ("op", "("):
                return self.call(value)
            template = parse_template("{{" + value + "}}")
            node = template.nodes[0]
            assert isinstance(node, Ref)
            return (self._ref(node), False)
        raise TemplateError(f"unexpected {value!r}")

    def _ref(self, ref: Ref) -> str:
        if ref.root == "env":
            raise TemplateError("a secret ({{env.…}}) cannot be read in a condition")
        return self.resolve(ref)

    def call(self, name: str) -> tuple[str, bool]:
        if name not in _FUNCTIONS:
            raise TemplateError(
                f"unknown function {name!r}; use one of {', '.join(sorted(_FUNCTIONS))}"
            )
        self.take("(")
        args: list[str] = []
        if self.peek() != ("op", ")"):
            args.append(self.disjunction()[0])
            while self.peek() == ("op", ","):
                self.take()
                args.append(self.disjunction()[0])
        self.take(")")
        if len(args) != _FUNCTIONS[name]:
            raise TemplateError(f"{name}() takes {_FUNCTIONS[name]} argument(s), got {len(args)}")
        a = args[0]
        if name == "exists":
            return (f"($exists({a}) and $type({a}) != 'null')", True)
        if name == "length":
            return (f"($type({a}) = 'string' ? $length({a}) : $count({a}))", False)
        if name == "contains":
            b = args[1]
            return (f"($type({a}) = 'string' ? $contains({a}, {b}) : ({b} in {a}))", True)
        if name == "number":
            return (f"$number({a})", False)
        if name == "string":
            return (f"$string({a})", False)
        return (f"${name}case({a})", False)


def _unquote(token: str) -> str:
    body = token[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)
