"""The steps of a compiled JSONPath and how each one walks a document, Jayway-style.

A compiled path is a chain of tokens (``$``, ``['a']``, ``[0]``, ``[*]``, ``..``, ``[?]``),
ending in a :class:`Collect` that gathers results.  Each token's ``evaluate`` mirrors
Jayway JsonPath's ``PathToken`` classes, including when a missing property is an error
and when it is quietly skipped: that depends on whether everything before the token
selects a single node ("upstream definite").

Two internal errors stand for Jayway's exceptions: :class:`NotFound`
(``PathNotFoundException``) and :class:`InvalidPath` (``InvalidPathException`` raised
while evaluating).  Locations are built lazily as linked ``(parent, fragment)`` pairs and
only rendered into ``$['a'][0]`` text when a message needs them.
"""

from __future__ import annotations

from typing import Any, Protocol

from asl.jsonpath.java import JSON_PROVIDER, class_name, to_string

Location = tuple[Any, Any] | None  # (parent location, name | index | Verbatim)
_MISSING: Any = object()


class NotFound(Exception):
    """Jayway's PathNotFoundException."""


class InvalidPath(Exception):
    """Jayway's InvalidPathException, thrown while evaluating."""


class Verbatim(str):
    """A location step printed as is (the root, a merged ``['a', 'b']``)."""

    __slots__ = ()


def render(loc: Location) -> str:
    """Jayway's path text for a location: ``$['a'][0]``."""
    parts: list[str] = []
    while loc is not None:
        loc, step = loc
        if step.__class__ is int:
            parts.append(f"[{step}]")
        elif isinstance(step, Verbatim):
            parts.append(step)
        else:
            parts.append("['" + step + "']")
    return "".join(reversed(parts))


class Context:
    __slots__ = ("require", "results", "root")

    def __init__(self, root: Any, require: bool) -> None:
        self.root = root
        self.require = require  # Jayway's REQUIRE_PROPERTIES option (existence checks)
        self.results: list[Any] = []


class Predicate(Protocol):
    def test(self, item: Any, root: Any) -> bool: ...


class Token:
    __slots__ = ("definite", "leaf", "next", "upstream_definite")

    def __init__(self) -> None:
        self.next: Token = self
        self.leaf = True
        self.definite = True
        self.upstream_definite = True

    def fragment(self) -> str:
        raise NotImplementedError

    def chain(self) -> str:
        """Jayway's ``PathToken.toString``: this fragment and every one after it."""
        token: Token = self
        parts: list[str] = []
        while not isinstance(token, Collect):
            parts.append(token.fragment())
            token = token.next
        return "".join(parts)

    def evaluate(self, loc: Location, model: Any, ctx: Context) -> None:
        raise NotImplementedError


class Collect(Token):
    """The end of every chain: what reaches it is a result."""

    __slots__ = ()

    def fragment(self) -> str:
        return ""

    def evaluate(self, loc: Location, model: Any, ctx: Context) -> None:
        ctx.results.append(model)


class Root(Token):
    __slots__ = ("char", "location")

    def __init__(self, char: str) -> None:
        super().__init__()
        self.char = char
        self.location: Location = (None, Verbatim(char))

    def fragment(self) -> str:
        return self.char

    def evaluate(self, loc: Location, model: Any, ctx: Context) -> None:
        self.next.evaluate(self.location, model, ctx)


class Property(Token):
    """``.name``, ``['name']``, ``['a','b']``; ``.fn()`` is kept as a name (see parser)."""

    __slots__ = ("delimiter", "function", "names")

    def __init__(self, names: list[str], delimiter: str = "'", function: bool = False) -> None:
        super().__init__()
        self.names = names
        self.delimiter = delimiter
        self.function = function

    def fragment(self) -> str:
        quote = self.delimiter
        escaped = (n.replace("\\", "\\\\").replace("'", "\\'") for n in self.names)
        return "[" + ",".join(quote + n + quote for n in escaped) + "]"

    def evaluate(self, loc: Location, model: Any, ctx: Context) -> None:
        if not isinstance(model, dict):
            if not self.upstream_definite:
                return
            raise NotFound(
                f"Expected to find an object with property {self.fragment()} in path "
                f"{render(loc)} but found '{class_name(model)}'. This is not a json object "
                f"according to the JsonProvider: '{JSON_PROVIDER}'."
            )
        names = self.names
        if len(names) == 1:
            self._one(names[0], loc, model, ctx)
        elif self.leaf:
            self._merge(loc, model, ctx)
        else:
            # Jayway's PropertyPathToken: several properties only as the last step.
            # Recorded on AWS: "Invalid path '$['a', 'b'].v' : Multi properties can only be
            # used as path leafs: $['a', 'b']".
            fragment = Verbatim("[" + ", ".join("'" + n + "'" for n in names) + "]")
            raise InvalidPath(
                "Multi properties can only be used as path leafs: " + render((loc, fragment))
            )

    def _one(self, name: str, loc: Location, model: dict[str, Any], ctx: Context) -> None:
        value = model.get(name, _MISSING)
        where = (loc, name)
        if value is _MISSING:
            if self.leaf:
                if ctx.require:
                    raise NotFound("No results for path: " + render(where))
                return
            if (self.upstream_definite and self.definite) or ctx.require:
                raise NotFound("Missing property in path " + render(where))
            return
        self.next.evaluate(where, value, ctx)

    def _merge(self, loc: Location, model: dict[str, Any], ctx: Context) -> None:
        # A leaf ['a','b'] yields one object holding the properties that exist.
        fragment = Verbatim("[" + ", ".join("'" + n + "'" for n in self.names) + "]")
        merged: dict[str, Any] = {}
        for name in self.names:
            if name in model:
                merged[name] = model[name]
            elif ctx.require:
                raise NotFound("Missing property in path " + render((loc, fragment)))
        self.next.evaluate((loc, fragment), merged, ctx)


def _check_array(token: Token, loc: Location, model: Any) -> bool:
    if isinstance(model, list):
        return True
    if not token.upstream_definite:
        return False
    if model is None:
        raise NotFound(f"The path {render(loc)} is null")
    raise InvalidPath(
        f"Filter: {token.chain()} can only be applied to arrays. Current context is: "
        f"{to_string(model)}"
    )


def _take(token: Token, index: int, loc: Location, model: list[Any], ctx: Context) -> None:
    size = len(model)
    effective = index + size if index < 0 else index
    if 0 <= effective < size:
        token.next.evaluate((loc, index), model[effective], ctx)


class Index(Token):
    """``[0]``, ``[-1]``, ``[0,2]``."""

    __slots__ = ("indexes",)

    def __init__(self, indexes: list[int]) -> None:
        super().__init__()
        self.indexes = indexes

    def fragment(self) -> str:
        return "[" + ",".join(map(str, self.indexes)) + "]"

    def evaluate(self, loc: Location, model: Any, ctx: Context) -> None:
        if _check_array(self, loc, model):
            for index in self.indexes:
                _take(self, index, loc, model, ctx)


class Slice(Token):
    """``[1:3]``, ``[:2]``, ``[-2:]`` with Jayway's arithmetic: in ``[from:to]`` a negative
    ``to`` is not counted from the end, and a negative ``from`` wraps index by index, so
    ``$[-4:3]`` of six items yields items 2,3,4,5,0,1,2 (json-path-comparison records it)."""

    __slots__ = ("start", "stop")

    def __init__(self, start: int | None, stop: int | None) -> None:
        super().__init__()
        self.start = start
        self.stop = stop

    def fragment(self) -> str:
        start = "" if self.start is None else str(self.start)
        stop = "" if self.stop is None else str(self.stop)
        return f"[{start}:{stop}]"

    def evaluate(self, loc: Location, model: Any, ctx: Context) -> None:
        if not _check_array(self, loc, model):
            return
        size = len(model)
        start, stop = self.start, self.stop
        if stop is None:  # [from:]
            assert start is not None
            first = max(0, size + start if start < 0 else start)
            indexes = range(first, size)
        elif start is None:  # [:to]
            indexes = range(0, min(size, size + stop if stop < 0 else stop))
        else:  # [from:to]
            indexes = range(start, min(size, stop))
        for index in indexes:
            _take(self, index, loc, model, ctx)


class Wildcard(Token):
    """``*`` and ``[*]``: an object's values in insertion order, or an array's items."""

    __slots__ = ()

    def fragment(self) -> str:
        return "[*]"

    def evaluate(self, loc: Location, model: Any, ctx: Context) -> None:
        nxt = self.next
        if isinstance(model, dict):
            for key, value in model.items():
                nxt.evaluate((loc, key), value, ctx)
        elif isinstance(model, list):
            for index, value in enumerate(model):
                try:
                    nxt.evaluate((loc, index), value, ctx)
                except NotFound:
                    if ctx.require:
                        raise


class Filter(Token):
    """``[?(...)]``.  On an array it keeps the items that pass; on an object it tests the
    object itself (Jayway's PredicatePathToken), not the object's values."""

    __slots__ = ("predicate",)

    def __init__(self, predicate: Predicate) -> None:
        super().__init__()
        self.predicate = predicate

    def fragment(self) -> str:
        return "[?]"

    def accept(self, item: Any, ctx: Context) -> bool:
        # AWS: "The @ operator, matching the current node being processed in a filter, does
        # not match scalar values. It only matches objects."
        # https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html
        if not isinstance(item, dict):
            return False
        try:
            return self.predicate.test(item, ctx.root)
        except InvalidPath:
            return False

    def evaluate(self, loc: Location, model: Any, ctx: Context) -> None:
        if isinstance(model, dict):
            if self.accept(model, ctx):
                self.next.evaluate(loc, model, ctx)
        elif isinstance(model, list):
            for index, item in enumerate(model):
                if self.accept(item, ctx):
                    self.next.evaluate((loc, index), item, ctx)
        elif self.upstream_definite:
            raise InvalidPath(
                f"Filter: {self.chain()} can not be applied to primitives. Current context "
                f"is: {to_string(model)}"
            )


def link(tokens: list[Token]) -> Token:
    """Chain the tokens, settle which are leaves and which are definite; return the head."""
    tail = Collect()
    for position, token in enumerate(tokens):
        token.next = tokens[position + 1] if position + 1 < len(tokens) else tail
        token.leaf = position + 1 == len(tokens)
        if isinstance(token, Property):
            token.definite = len(token.names) == 1 or token.leaf
        elif isinstance(token, Index):
            token.definite = len(token.indexes) == 1
        elif not isinstance(token, Root):
            token.definite = False  # slices, wildcards, filters, deep scans
    upstream = True
    for token in tokens:
        token.upstream_definite = upstream
        upstream = upstream and token.definite
    return tokens[0]


def simple_keys(tokens: list[Token]) -> tuple[str | int, ...] | None:
    """The names and indexes of a path made only of single names and indexes, else None."""
    keys: list[str | int] = []
    for token in tokens[1:]:
        if isinstance(token, Property) and len(token.names) == 1:
            keys.append(token.names[0])
        elif isinstance(token, Index) and len(token.indexes) == 1:
            keys.append(token.indexes[0])
        else:
            return None
    return tuple(keys)


def walk_keys(node: Any, keys: tuple[str | int, ...]) -> Any:
    """Follow ``keys``; raises KeyError, IndexError or TypeError where a step fails."""
    for key in keys:
        if key.__class__ is int and node.__class__ is not list:
            raise TypeError(key)
        node = node[key]
    return node


def run(head: Token, model: Any, root: Any, require: bool = False) -> list[Any]:
    """Evaluate a chain; raises NotFound / InvalidPath as Jayway would."""
    ctx = Context(root, require)
    head.evaluate(None, model, ctx)
    return ctx.results
