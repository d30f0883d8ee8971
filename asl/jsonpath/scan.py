"""The deep scan ``..``: Jayway JsonPath's ScanPathToken.

The scan walks the document depth-first, parent before children, and offers each object
(and, when the next step is an index, slice, wildcard or filter, each array) to the step
that follows it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asl.jsonpath.tokens import Context, Filter, Index, Location, Property, Slice, Token, Wildcard


class Scan(Token):
    """``..``: walks the document, parent before children, offering every object (and, for
    array steps, every array) to the step that follows — Jayway's ScanPathToken."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__()
        self.definite = False

    def fragment(self) -> str:
        return ".."

    def evaluate(self, loc: Location, model: Any, ctx: Context) -> None:
        target = self.next
        matches = _scan_predicate(target, ctx)
        # Depth-first, parent before children, without recursion (documents may be deep).
        stack: list[tuple[Location, Any]] = [(loc, model)]
        push = stack.append
        while stack:
            loc, model = stack.pop()
            if isinstance(model, dict):
                if matches(model):
                    target.evaluate(loc, model, ctx)
                for key, value in reversed(model.items()):
                    push(((loc, key), value))
            elif isinstance(model, list):
                if matches(model):
                    if target.leaf:
                        target.evaluate(loc, model, ctx)
                    else:
                        # Jayway hands each item to the step *after* the target here.
                        after = target.next
                        for index, value in enumerate(model):
                            after.evaluate((loc, index), value, ctx)
                for index in range(len(model) - 1, -1, -1):
                    push(((loc, index), model[index]))


def _scan_predicate(target: Token, ctx: Context) -> Callable[[Any], bool]:
    if isinstance(target, Property):
        names = target.names
        if ctx.require or not target.definite:
            return lambda model: isinstance(model, dict)
        return lambda model: isinstance(model, dict) and all(n in model for n in names)
    if isinstance(target, (Index, Slice)):
        return lambda model: isinstance(model, list)
    if isinstance(target, Wildcard):
        return lambda model: True
    if isinstance(target, Filter):
        return lambda model: target.accept(model, ctx)
    return lambda model: False
