"""What an expression can see besides the state's data: the context object and variables.

A :class:`Scope` is created once per state entry.  The context object is built lazily,
because most states never read ``$$``.  Randomness (``States.UUID``,
``States.MathRandom``) comes from :meth:`Scope.rng`, which the interpreter seeds from
the execution's seed and a counter, so the same execution always draws the same values.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any

_EMPTY: Mapping[str, Any] = {}


class Scope:
    __slots__ = ("_context", "_context_factory", "_rng_factory", "variables")

    def __init__(
        self,
        variables: Mapping[str, Any] | None = None,
        context: Any = None,
        context_factory: Callable[[], Any] | None = None,
        rng_factory: Callable[[], random.Random] | None = None,
    ) -> None:
        self.variables: Mapping[str, Any] = variables if variables is not None else _EMPTY
        self._context = context
        self._context_factory = context_factory
        self._rng_factory = rng_factory

    @property
    def context(self) -> Any:
        """The context object (``$$``)."""
        if self._context is None and self._context_factory is not None:
            self._context = self._context_factory()
            self._context_factory = None
        return self._context

    def rng(self) -> random.Random:
        """A deterministic random generator for one draw site."""
        if self._rng_factory is None:
            return random.Random(0)
        return self._rng_factory()
