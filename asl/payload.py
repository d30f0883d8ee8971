"""Payload templates: Parameters, ResultSelector, ItemSelector and the like.

A template is JSON in which a key ending in ``.$`` takes its value from a path (``$.a``),
the context object (``$$.Execution.Id``), a variable (``$v``) or an intrinsic function call
(``States.Format(...)``); the ``.$`` is dropped from the key.  Templates are compiled once
into closures; a static subtree is kept as is and shared by every evaluation (payloads are
never mutated).

https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asl import errors, jsontext
from asl.errors import DefinitionError, StatesError
from asl.intrinsics import compile_intrinsic, looks_like_intrinsic
from asl.jsonpath import PathNotFound, compile_path
from asl.scope import Scope

Evaluator = Callable[[Any, Scope], Any]

NULL_INPUT = "Unable to apply Path transformation to null or empty input."


class Template:
    """A compiled payload template."""

    __slots__ = ("_eval", "is_static", "static_value")

    def __init__(self, raw: Any, field: str) -> None:
        static, value = _compile(raw, field)
        self.is_static = static
        self.static_value: Any = value if static else None
        self._eval: Evaluator | None = None if static else value

    def evaluate(self, data: Any, scope: Scope) -> Any:
        if self._eval is None:
            return self.static_value
        return self._eval(data, scope)


def compile_template(raw: Any, field: str = "Parameters") -> Template:
    """Compile a template; raises DefinitionError on a bad path or intrinsic."""
    return Template(raw, field)


def compile_dynamic_value(text: str, key: str) -> Evaluator:
    """The evaluator for the string value of a ``"key.$"`` entry."""
    if not isinstance(text, str):
        raise DefinitionError(f"The value of the field '{key}' must be a string path or intrinsic")
    if looks_like_intrinsic(text):
        intrinsic = compile_intrinsic(text)
        return intrinsic.evaluate
    path = compile_path(text)
    source = path.text
    reads_input = path.root == "$"

    def select(data: Any, scope: Scope) -> Any:
        if data is None and reads_input:
            # Recorded AWS wording for a payload template applied to a null input.
            raise StatesError(errors.RUNTIME, NULL_INPUT)
        try:
            return path.select(data, scope)
        except PathNotFound:
            target = scope.context if path.root == "$$" else data
            # Recorded AWS wording for a Parameters path that selects nothing.
            raise StatesError(
                errors.RUNTIME,
                f"The JSONPath '{source}' specified for the field '{key}' could not be found "
                f"in the input '{jsontext.dumps(target)}'",
            ) from None

    return select


def _compile(raw: Any, field: str) -> tuple[bool, Any]:
    """(True, value) for a static subtree, (False, evaluator) for a dynamic one."""
    if isinstance(raw, dict):
        parts: list[tuple[str, bool, Any]] = []
        dynamic = False
        for key, value in raw.items():
            if key.endswith(".$") and len(key) > 2:
                parts.append((key[:-2], False, compile_dynamic_value(value, key)))
                dynamic = True
            else:
                static, compiled = _compile(value, field)
                parts.append((key, static, compiled))
                dynamic = dynamic or not static
        if not dynamic:
            return True, raw
        entries = tuple(parts)

        def build_object(data: Any, scope: Scope) -> Any:
            return {
                key: (compiled if static else compiled(data, scope))
                for key, static, compiled in entries
            }

        return False, build_object
    if isinstance(raw, list):
        items = [_compile(item, field) for item in raw]
        if all(static for static, _ in items):
            return True, raw
        frozen = tuple(items)

        def build_array(data: Any, scope: Scope) -> Any:
            return [value if static else value(data, scope) for static, value in frozen]

        return False, build_array
    return True, raw
