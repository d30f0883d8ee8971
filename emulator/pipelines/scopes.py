"""Where each step of a pipeline lives, and how a template reference reads its value.

Steps run in *scopes*: the pipeline's step list, and each branch of a ``parallel`` step.  Every
scope keeps its steps' results in one workflow variable (``$steps`` at the top, ``$steps_b1``,
``$steps_b2``… in branches, numbered in document order) because ASL forbids assigning, inside a
Parallel branch, a variable the outer scope assigns.  When a ``parallel`` step ends, the results
of its branches are merged into its own scope.  So a step reads:

* steps of its own scope, and steps nested in ``parallel`` steps of its scope (after they ran);
* steps of enclosing scopes (and what they merged), read from the enclosing scope's variable;
* never a step of a sibling branch of the same ``parallel`` step (it may not have run), nor the
  ``parallel`` step that contains it (its output is not there yet).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from emulator.pipelines.templating import Ref, TemplateError, path_expression

ScopeKey = tuple[tuple[str, int], ...]  # ((parallel step id, branch index), ...)


@dataclass
class Scopes:
    """The scopes of one pipeline: step id -> scope, scope -> variable name."""

    step_scope: dict[str, ScopeKey] = field(default_factory=dict)
    steps_in: dict[ScopeKey, list[str]] = field(default_factory=dict)
    variable: dict[ScopeKey, str] = field(default_factory=dict)
    variables: Mapping[str, Any] = field(default_factory=dict)
    input_names: frozenset[str] | None = None  # None: the input has no declared schema

    def steps_var(self, scope: ScopeKey) -> str:
        return self.variable[scope]

    def loops_var(self, scope: ScopeKey) -> str:
        return "loops" + self.variable[scope][len("steps") :]

    def resolver(self, scope: ScopeKey) -> Any:
        def resolve(ref: Ref) -> str:
            return self.resolve(ref, scope)

        return resolve

    def resolve(self, ref: Ref, scope: ScopeKey) -> str:
        """The JSONata path reading ``ref`` from a state in ``scope``."""
        if ref.root == "input":
            if ref.path and self.input_names is not None and ref.path[0] not in self.input_names:
                raise TemplateError(
                    f"{{{{{ref.dotted}}}}}: the input schema declares no field {ref.path[0]!r}"
                )
            return path_expression("$input", ref.path)
        if ref.root == "vars":
            if ref.path and ref.path[0] not in self.variables:
                raise TemplateError(
                    f"{{{{{ref.dotted}}}}}: no variable {ref.path[0]!r} is declared"
                )
            return path_expression("$vars", ref.path)
        if ref.root == "steps":
            step_id, rest = ref.path[0], ref.path[1:]
            return path_expression(f"${self._owner(step_id, scope)}", (step_id, *rest))
        raise TemplateError(f"{{{{{ref.dotted}}}}} cannot be read here")

    def _owner(self, step_id: str, scope: ScopeKey) -> str:
        where = self.step_scope.get(step_id)
        if where is None:
            raise TemplateError(f"{{{{steps.{step_id}…}}}}: there is no step {step_id!r}")
        if any(pid == step_id for pid, _ in scope):
            raise TemplateError(
                f"{{{{steps.{step_id}…}}}}: this step runs inside {step_id!r}, "
                "whose output is not ready yet"
            )
        for depth in range(len(scope), -1, -1):
            outer = scope[:depth]
            if where[:depth] != outer:
                continue
            if depth < len(scope) and len(where) > depth and where[depth][0] == scope[depth][0]:
                raise TemplateError(
                    f"{{{{steps.{step_id}…}}}}: step {step_id!r} runs in another branch of "
                    f"the parallel step {scope[depth][0]!r}"
                )
            return self.variable[outer]
        raise TemplateError(f"{{{{steps.{step_id}…}}}} cannot be read here")  # pragma: no cover


def build_scopes(
    steps: Sequence[Any], variables: Mapping[str, Any], input_names: frozenset[str] | None
) -> Scopes:
    """Scopes of ``steps`` (objects with ``id``, ``type`` and ``branches``)."""
    scopes = Scopes(variables=variables, input_names=input_names)
    counter = iter(range(1, 10_000))

    def visit(items: Sequence[Any], scope: ScopeKey) -> None:
        scopes.variable[scope] = "steps" if not scope else f"steps_b{next(counter)}"
        scopes.steps_in[scope] = []
        for step in items:
            scopes.step_scope.setdefault(step.id, scope)
            scopes.steps_in[scope].append(step.id)
            for index, branch in enumerate(step.branches or ()):
                visit(branch, (*scope, (step.id, index)))

    visit(steps, ())
    return scopes


def walk(steps: Sequence[Any], prefix: str = "steps") -> Iterator[tuple[str, Any, ScopeKey]]:
    """(field path, step, scope) of every step, nested ones included, in document order."""

    def visit(
        items: Sequence[Any], where: str, scope: ScopeKey
    ) -> Iterator[tuple[str, Any, ScopeKey]]:
        for index, step in enumerate(items):
            here = f"{where}[{index}]"
            yield here, step, scope
            for b, branch in enumerate(step.branches or ()):
                yield from visit(branch, f"{here}.branches[{b}]", (*scope, (step.id, b)))

    yield from visit(steps, prefix, ())
