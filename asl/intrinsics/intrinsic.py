"""A compiled intrinsic expression: parsed once, evaluated many times.

https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html

Compilation turns the syntax tree into closures (see :mod:`asl.intrinsics.calls`).  A call
whose arguments are all known and whose result does not depend on the execution (everything
but ``States.UUID`` and an unseeded ``States.MathRandom``) is computed once, at compile time,
and its result shared by every evaluation; when that computation fails, the failure is kept
for run time, which is when AWS reports it.
"""

from __future__ import annotations

from typing import Any

from asl import jsontext
from asl.errors import StatesError
from asl.intrinsics import failure
from asl.intrinsics.calls import Arg, Evaluator, call, call_with_scope, failing
from asl.intrinsics.failure import FunctionFailure, invalid_arguments
from asl.intrinsics.parser import Call, Literal, Node, PathArgument, parse
from asl.intrinsics.registry import FUNCTIONS
from asl.intrinsics.string_format import FORMAT, build_format
from asl.scope import Scope

_FOLDING_SCOPE = Scope()  # deterministic calls never read it


class Intrinsic:
    """An intrinsic function call such as ``States.Format('Hi {}', $.name)``."""

    __slots__ = ("_evaluate", "_paths", "name", "text")

    def __init__(self, text: str, name: str, evaluate: Evaluator, paths: tuple[Any, ...]) -> None:
        self.text = text
        self.name = name  # the outermost function, e.g. "States.Format"
        self._evaluate = evaluate
        self._paths = paths  # path arguments in evaluation order

    def __repr__(self) -> str:
        return f"Intrinsic({self.text!r})"

    def evaluate(self, data: Any, scope: Scope) -> Any:
        """Evaluate against the state's data (``$``) and scope (``$$``, variables, rng).

        Raises StatesError("States.Runtime", cause) when a function fails or a path argument
        selects nothing (see :mod:`asl.intrinsics.failure` for why not States.IntrinsicFailure).
        """
        try:
            return self._evaluate(data, scope)
        except FunctionFailure as exc:
            raise StatesError(failure.ERROR, failure.cause(self.text, exc.detail)) from None
        except Exception as exc:
            from asl.jsonpath import PathNotFound

            if not isinstance(exc, PathNotFound):
                raise
            raise self._missing_argument(data, scope) from None

    def _missing_argument(self, data: Any, scope: Scope) -> StatesError:
        """Name the first path argument, in evaluation order, that selects nothing.

        Evaluation is pure, so selecting again finds the path that failed.  A context path is
        written against the context object (``$$.Nope.Deep`` as ``$.Nope.Deep``) but the input
        named is the state's, as Step Functions Local writes it (floci-io/floci
        ``unresolvableContextArgumentNamesTheRewrittenPathAndTheStateInput``; AWS unverified).
        """
        from asl.jsonpath import PathNotFound

        for argument in self._paths:
            try:
                argument.path.select(data, scope)
            except PathNotFound:
                shown = "$" + argument.text[2:] if argument.text.startswith("$$") else argument.text
                detail = failure.missing_argument(shown, jsontext.dumps(data))
                return StatesError(failure.ERROR, failure.cause(self.text, detail))
        detail = failure.missing_argument(self.text, jsontext.dumps(data))
        return StatesError(failure.ERROR, failure.cause(self.text, detail))


def looks_like_intrinsic(text: str) -> bool:
    """A quick check of a ``.$`` value: does it call an intrinsic rather than name a path?"""
    return text.lstrip().startswith("States.")


def compile_intrinsic(text: str) -> Intrinsic:
    """Parse and compile; raises IntrinsicSyntaxError when ``text`` is not a valid call."""
    from asl.jsonpath import compile_path

    tree = parse(text, FUNCTIONS, compile_path)
    paths: list[PathArgument] = []
    constant, value = _compile(tree, paths)
    evaluate: Evaluator = (lambda data, scope: value) if constant else value
    return Intrinsic(text, tree.name, evaluate, tuple(paths))


def _compile(node: Node, paths: list[PathArgument]) -> Arg:
    if isinstance(node, Literal):
        return True, node.value
    if isinstance(node, PathArgument):
        paths.append(node)
        return False, node.path.select
    return _compile_call(node, paths)


def _compile_call(node: Call, paths: list[PathArgument]) -> Arg:
    spec = FUNCTIONS[node.name]
    if not spec.accepts(len(node.args)):
        return False, failing(invalid_arguments(node.name).detail)
    args = [_compile(arg, paths) for arg in node.args]
    if node.name == FORMAT:
        template = node.args[0]
        source = template.source if isinstance(template, Literal) else None
        evaluate = build_format(source, args)
    elif spec.uses_scope:
        evaluate = call_with_scope(spec.function, args)
    else:
        evaluate = call(spec.function, args)
    if spec.deterministic(len(args)) and all(constant for constant, _ in args):
        try:
            return True, evaluate(None, _FOLDING_SCOPE)
        except FunctionFailure:
            pass  # reported when the state runs, as AWS does
    return False, evaluate
