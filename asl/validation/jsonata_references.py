"""What a JSONata expression reads that AWS refuses at create time.

A Step Functions expression is evaluated with no context item: the state input is
``$states.input`` and workflow variables are ``$name``.  AWS refuses a definition whose
expression reads the context item at the top level, and names the reference, in the recorded
wording (floci-io/floci #2670, PR #2699, measured with ``aws stepfunctions
validate-state-machine-definition``)::

    UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at the top level is not supported.
    UNSUPPORTED_JSONATA_EXPRESSION: Reference to '$$' is not supported.
    UNSUPPORTED_JSONATA_EXPRESSION: Field '$states.errorOutput' does not exist.

Only the first step of a path is read against the top-level context; later steps, predicates,
sort terms and groupings run against the value before them, so a name there is fine.  A
lambda body keeps the context of the expression that defines it.  ``$states.result`` and
``$states.errorOutput`` are "caught at creation, update, or validation of the state machine"
where they are not available:
https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html

The parse follows JSONata's own grammar (jsonata-js 2.0 src/parser.js, the Pratt parser and
its binding powers).  It runs only on expressions the engine (asl.jsonata) has compiled; when
it cannot follow an expression it reports nothing rather than guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from asl.validation.jsonata_lexer import END, Lexer, LexError, Token

# Binding powers of the operators that continue an expression (JSONata's ``operators`` table).
_LBP = {
    ".": 75, "[": 80, "{": 70, "(": 80, "@": 80, "#": 80, "?": 20, "+": 50, "-": 50,
    "*": 60, "/": 60, "%": 60, "=": 40, "<": 40, ">": 40, "^": 40, "!=": 40, "<=": 40,
    ">=": 40, "~>": 40, "in": 40, "&": 50, "and": 30, "or": 25, ":=": 10,
}  # fmt: skip
_BINARY = frozenset(
    {".", "+", "-", "*", "/", "%", "=", "<", ">", "&", "!=", "<=", ">=", "~>", "and", "or", "in"}
)
_KNOWN = frozenset(_LBP) | {":", ";", ",", ")", "]", "}", "..", "**", "|"}
# Nodes whose first part is evaluated where the node is and whose other parts are evaluated
# against the first part's value.
_RELATIVE = frozenset({"predicate", "group", "sort", "focus", "index"})

TOP_LEVEL = "top-level"  # a name (or "$", the context item) read at the top level
ROOT = "root"  # "$$"
ERROR_OUTPUT = "errorOutput"  # $states.errorOutput
RESULT = "result"  # $states.result


class _Unparsable(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Node:
    kind: str
    value: str = ""
    parts: tuple[Node, ...] = ()


@dataclass(frozen=True, slots=True)
class Reference:
    kind: str  # TOP_LEVEL, ROOT, ERROR_OUTPUT or RESULT
    name: str = ""


def references(expression: str) -> list[Reference] | None:
    """The distinct references AWS refuses (or may refuse, depending on the field) in
    ``expression`` (the text inside ``{% %}``), in the order written; None when the
    expression cannot be followed."""
    try:
        tree = _Parser(expression).parse()
        found: dict[Reference, None] = {}
        _walk(tree, True, found)
    except (_Unparsable, LexError, RecursionError):
        return None
    return list(found)


def _walk(node: Node, top: bool, found: dict[Reference, None]) -> None:
    kind, parts = node.kind, node.parts
    if kind == "name":
        if top:
            found[Reference(TOP_LEVEL, node.value)] = None
    elif kind == "var":
        if node.value == "" and top:
            found[Reference(TOP_LEVEL, "$")] = None
        elif node.value == "$":
            found[Reference(ROOT)] = None
    elif kind == "binary" and node.value == ".":
        _states_field(node, found)
        lhs = parts[0]
        if lhs.kind == "str":  # a string literal as a path step is a name
            lhs = Node("name", lhs.value)
        _walk(lhs, top, found)
        _walk(parts[1], False, found)
    elif kind in _RELATIVE:
        _walk(parts[0], top, found)
        for part in parts[1:]:
            _walk(part, False, found)
    elif kind == "transform":
        for part in parts:
            _walk(part, False, found)
    elif kind == "bind":
        _walk(parts[1], top, found)
    else:
        for part in parts:
            _walk(part, top, found)


def _states_field(path: Node, found: dict[Reference, None]) -> None:
    """``$states.errorOutput`` / ``$states.result``, wherever it stands."""
    first, second = _base(path.parts[0]), _base(path.parts[1])
    if first.kind == "var" and first.value == "states" and second.kind in ("name", "str"):
        if second.value == "errorOutput":
            found[Reference(ERROR_OUTPUT)] = None
        elif second.value == "result":
            found[Reference(RESULT)] = None


def _base(node: Node) -> Node:
    while node.kind in _RELATIVE:
        node = node.parts[0]
    return node


class _Parser:
    """JSONata's top-down operator precedence parser, reduced to the tree shape above."""

    __slots__ = ("lexer", "token")

    def __init__(self, text: str) -> None:
        self.lexer = Lexer(text)
        self.token = END

    def parse(self) -> Node:
        self.advance()
        tree = self.expression(0)
        if self.token is not END:
            raise _Unparsable
        return tree

    # -- tokens -------------------------------------------------------------------------

    def at(self, operator: str) -> bool:
        return self.token.kind == "operator" and self.token.value == operator

    def advance(self, expected: str | None = None, infix: bool = False) -> Token:
        if expected is not None and not self.at(expected):
            raise _Unparsable
        token = self.lexer.next(operand=not infix)
        if token.kind == "operator" and token.value not in _KNOWN:
            raise _Unparsable
        self.token = token
        return token

    def lbp(self) -> int:
        return _LBP.get(self.token.value, 0) if self.token.kind == "operator" else 0

    # -- Pratt ----------------------------------------------------------------------------

    def expression(self, rbp: int) -> Node:
        token = self.token
        self.advance(infix=True)
        left = self.nud(token)
        while rbp < self.lbp():
            token = self.token
            self.advance()
            left = self.led(token, left)
        return left

    def nud(self, token: Token) -> Node:
        kind, value = token.kind, token.value
        if kind == "name":
            return Node("name", value)
        if kind == "variable":
            return Node("var", value)
        if kind == "string":
            return Node("str", value)
        if kind in ("number", "value", "regex"):
            return Node("literal", value)
        if kind != "operator":
            raise _Unparsable
        if value in ("and", "or", "in"):
            return Node("name", value)
        if value == "-":
            return Node("neg", parts=(self.expression(70),))
        if value in ("*", "**", "%"):
            return Node("wildcard", value)
        if value == "(":
            return Node("block", parts=self.block())
        if value == "[":
            return Node("array", parts=self.array())
        if value == "{":
            return Node("object", parts=self.pairs())
        if value == "|":
            return Node("transform", parts=self.transform())
        raise _Unparsable

    def led(self, token: Token, left: Node) -> Node:
        value = token.value
        if value in _BINARY:
            return Node("binary", value, (left, self.expression(_LBP[value])))
        if value == "(":
            return self.call(left)
        if value == "[":
            if self.at("]"):  # "[]": keep singleton arrays
                self.advance("]")
                return left
            predicate = self.expression(0)
            self.advance("]", infix=True)
            return Node("predicate", parts=(left, predicate))
        if value == "^":
            return Node("sort", parts=(left, *self.sort_terms()))
        if value == "{":
            return Node("group", parts=(left, *self.pairs()))
        if value == ":=":
            if left.kind != "var":
                raise _Unparsable
            return Node("bind", parts=(left, self.expression(9)))
        if value in ("@", "#"):
            bound = self.expression(80)
            if bound.kind != "var":
                raise _Unparsable
            return Node("focus" if value == "@" else "index", parts=(left, bound))
        if value == "?":
            parts = [left, self.expression(0)]
            if self.at(":"):
                self.advance(":")
                parts.append(self.expression(0))
            return Node("condition", parts=tuple(parts))
        raise _Unparsable

    # -- constructs -----------------------------------------------------------------------

    def block(self) -> tuple[Node, ...]:
        parts: list[Node] = []
        while not self.at(")"):
            parts.append(self.expression(0))
            if not self.at(";"):
                break
            self.advance(";")
        self.advance(")", infix=True)
        return tuple(parts)

    def array(self) -> tuple[Node, ...]:
        items: list[Node] = []
        if not self.at("]"):
            while True:
                item = self.expression(0)
                if self.at(".."):
                    self.advance("..")
                    item = Node("range", parts=(item, self.expression(0)))
                items.append(item)
                if not self.at(","):
                    break
                self.advance(",")
        self.advance("]", infix=True)
        return tuple(items)

    def pairs(self) -> tuple[Node, ...]:
        """``{key: value, ...}``, flattened to key, value, key, value..."""
        flat: list[Node] = []
        if not self.at("}"):
            while True:
                flat.append(self.expression(0))
                self.advance(":")
                flat.append(self.expression(0))
                if not self.at(","):
                    break
                self.advance(",")
        self.advance("}", infix=True)
        return tuple(flat)

    def transform(self) -> tuple[Node, ...]:
        parts = [self.expression(0)]
        self.advance("|")
        parts.append(self.expression(0))
        if self.at(","):
            self.advance(",")
            parts.append(self.expression(0))
        self.advance("|")
        return tuple(parts)

    def sort_terms(self) -> list[Node]:
        self.advance("(")
        terms: list[Node] = []
        while True:
            if self.at("<"):
                self.advance("<")
            elif self.at(">"):
                self.advance(">")
            terms.append(self.expression(0))
            if not self.at(","):
                break
            self.advance(",")
        self.advance(")")
        return terms

    def call(self, procedure: Node) -> Node:
        arguments: list[Node] = []
        if not self.at(")"):
            while True:
                if self.at("?"):  # partial application placeholder
                    arguments.append(Node("placeholder"))
                    self.advance("?")
                else:
                    arguments.append(self.expression(0))
                if not self.at(","):
                    break
                self.advance(",")
        self.advance(")", infix=True)
        if procedure.kind == "name" and procedure.value in ("function", "\u03bb"):
            return self.lambda_body(arguments)
        return Node("call", parts=(procedure, *arguments))

    def lambda_body(self, arguments: list[Node]) -> Node:
        if any(argument.kind != "var" for argument in arguments):
            raise _Unparsable
        if self.at("<"):  # a signature, e.g. <n-n:n>: skipped
            depth = 1
            while depth > 0 and not self.at("{") and self.token is not END:
                token = self.advance()
                if token.kind == "operator" and token.value == ">":
                    depth -= 1
                elif token.kind == "operator" and token.value == "<":
                    depth += 1
            self.advance(">")
        self.advance("{")
        body = self.expression(0)
        self.advance("}")
        return Node("lambda", parts=(body,))
