"""JSON values whose strings may be ``{% ... %}`` templates: Output, Arguments, Assign, ...

https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html: in a JSONata state
a string value that is wholly ``{% <expression> %}`` is evaluated, at any depth inside objects
and arrays; any other string, one that merely contains ``{%`` included, is a literal.

Evaluation builds new containers only along the paths that hold templates; every static part
of the value is the very object of the definition, shared, never copied.  An expression nested
in an object or an array that yields nothing fails the state with AWS's recorded cause
(``... specified for the field 'Arguments/Input/pushLocation' returned nothing
(undefined).``, see asl.jsonata.failures); a template that is the whole field returns
:data:`~asl.jsonata.expression.UNDEFINED` and the caller decides.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from asl.jsonata.expression import UNDEFINED, Expression
from asl.jsonata.failures import JsonataEvaluationError, returned_nothing

# The template pattern of AWS's ASL schema, ^{%(.*)%}$, matched over the whole string (as the
# validator's is_jsonata does, newlines included).
_TEMPLATE = re.compile(r"\{%(.*)%\}", re.DOTALL)


def is_template(value: Any) -> bool:
    """Whether ``value`` is a string that is wholly ``{% ... %}``."""
    return type(value) is str and _TEMPLATE.fullmatch(value) is not None


class _Node:
    """A compiled part of a value that holds at least one template."""

    __slots__ = ()

    def evaluate(
        self, bindings: Mapping[str, Any], now: datetime, rng: Callable[[], random.Random]
    ) -> Any:
        raise NotImplementedError


class _Leaf(_Node):
    __slots__ = ("expression",)

    def __init__(self, expression: Expression) -> None:
        self.expression = expression

    def evaluate(
        self, bindings: Mapping[str, Any], now: datetime, rng: Callable[[], random.Random]
    ) -> Any:
        value = self.expression.evaluate(bindings, now, rng)
        if value is UNDEFINED:
            raise returned_nothing(self.expression.text, self.expression.field)
        return value


class _Object(_Node):
    """An object: static entries are the definition's values, templated ones evaluated, all
    in the definition's key order."""

    __slots__ = ("entries",)

    def __init__(self, entries: tuple[tuple[str, _Node | None, Any], ...]) -> None:
        self.entries = entries

    def evaluate(
        self, bindings: Mapping[str, Any], now: datetime, rng: Callable[[], random.Random]
    ) -> Any:
        return {
            key: value if node is None else node.evaluate(bindings, now, rng)
            for key, node, value in self.entries
        }


class _Array(_Node):
    __slots__ = ("items",)

    def __init__(self, items: tuple[_Node | None, ...], raw: list[Any]) -> None:
        # None marks a static item, taken from raw.
        self.items = tuple((node, raw[index]) for index, node in enumerate(items))

    def evaluate(
        self, bindings: Mapping[str, Any], now: datetime, rng: Callable[[], random.Random]
    ) -> Any:
        return [
            value if node is None else node.evaluate(bindings, now, rng)
            for node, value in self.items
        ]


class JsonataTemplate:
    """A field value with its templates compiled."""

    __slots__ = ("_node", "expression", "field", "is_static", "raw")

    def __init__(self, raw: Any, field: str, node: _Node | None) -> None:
        self.raw = raw
        """The value as the definition wrote it."""
        self.field = field
        self.is_static = node is None
        """True when the value holds no template: evaluate returns ``raw`` itself."""
        self._node = node
        self.expression: Expression | None = node.expression if isinstance(node, _Leaf) else None
        """The expression when the whole value is one template, else None."""

    def __repr__(self) -> str:
        return f"JsonataTemplate({self.field!r}, {self.raw!r})"

    def evaluate(
        self, bindings: Mapping[str, Any], now: datetime, rng: Callable[[], random.Random]
    ) -> Any:
        """The value with every template replaced by its result.

        A template that is the whole value may return :data:`UNDEFINED`; a nested one that
        yields nothing raises ``States.QueryEvaluationError``.
        """
        node = self._node
        if node is None:
            return self.raw
        if isinstance(node, _Leaf):
            return node.expression.evaluate(bindings, now, rng)
        return node.evaluate(bindings, now, rng)

    def undefined_error(self) -> JsonataEvaluationError:
        """AWS's failure for this field when its whole-value template yields nothing:
        ``The JSONata expression '...' specified for the field 'Output' returned nothing
        (undefined).``"""
        text = self.expression.text if self.expression is not None else ""
        return returned_nothing(text, self.field)


def compile_jsonata_value(raw: Any, field: str) -> JsonataTemplate:
    """Compile every template in ``raw``, the value of ``field`` (``Output``, ``Assign/x``).

    Raises :class:`~asl.jsonata.failures.JsonataDefinitionError` (a DefinitionError) for a
    template that does not compile.
    """
    return JsonataTemplate(raw, field, _compile(raw, field))


def _compile(raw: Any, field: str) -> _Node | None:
    kind = type(raw)
    if kind is str:
        found = _TEMPLATE.fullmatch(raw)
        if found is None:
            return None
        return _Leaf(Expression(found.group(1), field))
    if kind is dict:
        entries = tuple(
            (key, _compile(value, f"{field}/{key}"), value) for key, value in raw.items()
        )
        if all(node is None for _, node, _ in entries):
            return None
        return _Object(entries)
    if kind is list:
        items = tuple(_compile(value, f"{field}[{index}]") for index, value in enumerate(raw))
        if all(item is None for item in items):
            return None
        return _Array(items, raw)
    return None
