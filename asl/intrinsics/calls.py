"""Compiled arguments and calls: the closures an intrinsic expression is turned into.

An argument compiles to ``(True, value)`` when it is known at compile time (a literal, or a
call folded into its result) or ``(False, evaluator)`` otherwise.  A call becomes one closure
that evaluates its arguments left to right and hands them to the function; the common shapes
(one argument, two with one constant, ...) get closures of their own so the hot path does
no list building.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from asl.intrinsics.failure import FunctionFailure
from asl.scope import Scope

Evaluator = Callable[[Any, Scope], Any]
Arg = tuple[bool, Any]  # (is the value known at compile time?, value or Evaluator)


def evaluator(arg: Arg) -> Evaluator:
    constant, value = arg
    if not constant:
        return value  # type: ignore[no-any-return]

    def constant_value(data: Any, scope: Scope) -> Any:
        return value

    return constant_value


def failing(detail: str) -> Evaluator:
    """An evaluator that always fails with ``detail`` (a fresh exception each time, so no
    traceback accumulates on a shared instance)."""

    def fail(data: Any, scope: Scope) -> Any:
        raise FunctionFailure(detail)

    return fail


def call(function: Callable[..., Any], args: Sequence[Arg]) -> Evaluator:
    """A closure computing ``function(*evaluated args)``."""
    count = len(args)
    if count == 0:
        return lambda data, scope: function()
    if count == 1:
        only = evaluator(args[0])
        return lambda data, scope: function(only(data, scope))
    if count == 2:
        (left_constant, left), (right_constant, right) = args
        if left_constant and right_constant:
            return lambda data, scope: function(left, right)
        if right_constant:
            return lambda data, scope: function(left(data, scope), right)
        if left_constant:
            return lambda data, scope: function(left, right(data, scope))
        return lambda data, scope: function(left(data, scope), right(data, scope))
    if count == 3:
        first, second, third = map(evaluator, args)
        return lambda data, scope: function(
            first(data, scope), second(data, scope), third(data, scope)
        )
    evaluators = tuple(map(evaluator, args))
    return lambda data, scope: function(*[each(data, scope) for each in evaluators])


def call_with_scope(function: Callable[..., Any], args: Sequence[Arg]) -> Evaluator:
    """A closure computing ``function(scope, *evaluated args)`` (randomness needs the scope)."""
    evaluators = tuple(map(evaluator, args))
    return lambda data, scope: function(scope, *[each(data, scope) for each in evaluators])
