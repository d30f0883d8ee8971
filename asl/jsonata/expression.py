"""One JSONata expression, parsed once when the definition loads and evaluated many times.

The engine is jlens (a Rust JSONata, chosen by measurement; see pyproject.toml).  Step Functions
evaluates an expression with no context item: the state's data is the reserved variable
``$states`` and the workflow variables are ``$name``
(https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html).

Three things keep evaluation fast without changing what an expression means:

* jlens converts the variables it is given whole, on every call, but reads its input document
  lazily.  So when an expression never reads the context item (jlens's own analysis says so),
  the bindings mapping itself is the input document and the expression is compiled inside a
  block that binds each variable it reads from it: ``($states := $$.`states`; ...)``.  A path
  into a 256 KiB input then costs what the path reads, not what the input holds.  An
  expression that does read the context item (which Step Functions leaves empty) is given its
  variables instead, each cut down to the fields jlens says it reads.
* An expression that is only a variable path (``$states.result.Payload``) walks the Python
  objects and returns the value found, not a copy.
* Only expressions that call ``$now()``/``$millis()`` get the clock, and only those that call
  ``$random()``/``$uuid()`` get the generator.

The block also boxes the result, ``{"v": result}``, because jlens returns None for both JSON
null and JSONata's undefined: an empty box is undefined.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import jlens

from asl.jsonata import functions
from asl.jsonata.failures import (
    FunctionFailure,
    JsonataDefinitionError,
    JsonataEvaluationError,
    error_tail,
    threw,
)


class _Undefined:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNDEFINED"

    def __bool__(self) -> bool:
        return False


UNDEFINED: Final[object] = _Undefined()
"""What an expression that yields nothing (JSONata's undefined) returns."""

# Evaluation bounds.  AWS stops an expression after five seconds (floci-io/floci docs,
# "Time"); a step budget bounds it as surely and, unlike a clock, gives the same answer on
# every run.  About two seconds of work on a 2 GHz core.
MAX_STEPS = 50_000_000
# AWS nests an expression 100 levels deep: it accepts 1+1+...+1 of 100 terms, 99 nested
# parentheses, 99 nested brackets, 99 ~> stages and the non-tail-recursive
# ($f := function($x){ $x <= 0 ? 0 : 1 + $f($x-1) }; $f(31)), and refuses one more of each
# (floci-io/floci docs/services/step-functions.md, "Depth", measured on AWS).  jlens, counting
# the block this module wraps around the expression, draws all five lines at 102.
MAX_DEPTH = 102
_LIMITS: dict[str, Any] = {"max_steps": MAX_STEPS, "max_depth": MAX_DEPTH}

# A bare variable path: $name.field.field
_PATH = re.compile(r"\s*\$([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*")
_NAME = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_WORDS = frozenset(("and", "or", "in", "true", "false", "null", "function"))
_FALLBACK: Final[object] = object()
_BOX = "$__stepline_result"


class Expression:
    """A compiled ``{% ... %}`` expression."""

    __slots__ = (
        "_compiled",
        "_lazy",
        "_names",
        "_path",
        "_reads",
        "_shadowing",
        "_shadows",
        "_text_raw",
        "_uses_clock",
        "_uses_draws",
        "field",
        "text",
    )

    def __init__(self, text: str, field: str = "") -> None:
        self.text = text.strip()
        """The expression source (inside ``{% %}``), as AWS quotes it in a cause."""
        self.field = field
        """The field the expression was written in (``Output/v``); empty when unknown."""
        analysed = _parse(text)
        for name, signature in functions.SIGNATURES.items():
            # Known functions, so that calling one is read as what its signature reads.
            analysed.register_function(name, _unused, signature)
        reads = analysed.reads()
        # An expression that reads the context item (a top-level field, $, or a function
        # defaulting to it) must see none; one that does not can be given the bindings as its
        # document.
        self._lazy = "input" not in reads
        self._reads = tuple(
            (name, read)
            for name, read in reads.get("bindings", {}).items()
            if name not in functions.ADDED
        )
        self._names = tuple(name for name, _ in self._reads)
        self._uses_clock = "$now" in text or "$millis" in text
        self._uses_draws = "$random" in text or "$uuid" in text
        self._compiled = _compile(_program(text, self._names if self._lazy else ()))
        self._path = _path_of(text, self._names)
        # Names the analysis read as functions ($count, $sum...) or as local bindings: a
        # workflow variable of that name must shadow them, as jsonata-js's bindings do.
        self._shadows = frozenset(_NAME.findall(text)) - set(self._names) - {"states"}
        self._shadowing: dict[tuple[str, ...], jlens.Expression] = {}
        self._text_raw = text

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"

    def evaluate(
        self, bindings: Mapping[str, Any], now: datetime, rng: Callable[[], random.Random]
    ) -> Any:
        """Evaluate with ``bindings`` (variable names without ``$``: ``states``, ``myVar``).

        Returns a JSON value or :data:`UNDEFINED`; raises :class:`JsonataEvaluationError`
        (``States.QueryEvaluationError``) when the expression fails.
        """
        if self._shadows and not self._shadows.isdisjoint(bindings):
            return self._evaluate_shadowing(bindings, now, rng)
        if self._path is not None:
            found = _walk(bindings, self._path)
            if found is not _FALLBACK:
                return found
        if self._lazy:
            document = bindings if type(bindings) is dict else dict(bindings)
            return self._run(document, None, now, rng)
        return self._run(None, self._cut(bindings), now, rng)

    def _evaluate_shadowing(
        self, bindings: Mapping[str, Any], now: datetime, rng: Callable[[], random.Random]
    ) -> Any:
        """Evaluate when a workflow variable has the name of a function or local binding."""
        present = tuple(sorted(name for name in self._shadows if name in bindings))
        if not self._lazy:
            names = self._cut(bindings)
            for name in present:
                names[name] = bindings[name]
            return self._run(None, names, now, rng)
        compiled = self._shadowing.get(present)
        if compiled is None:
            compiled = _compile(_program(self._text_raw, self._names + present))
            self._shadowing[present] = compiled
        document = bindings if type(bindings) is dict else dict(bindings)
        return self._run(document, None, now, rng, compiled)

    def _cut(self, bindings: Mapping[str, Any]) -> dict[str, Any]:
        """The variables the expression reads, cut down to the fields it reads (jlens converts
        what it is given whole; its reads() guarantees the cut gives the same result)."""
        return {name: _cut(bindings[name], read) for name, read in self._reads if name in bindings}

    def evaluate_on(
        self,
        context: Any,
        bindings: Mapping[str, Any],
        now: datetime,
        rng: Callable[[], random.Random],
    ) -> Any:
        """Evaluate against a context item, as plain JSONata does.  Step Functions never
        gives one; this serves JSONata's own test suite."""
        names = self._cut(bindings)
        compiled = self._compiled
        if self._lazy:
            # The lazy program reads the variables from the document, which is now the
            # context item: compile the plain program for this call.
            compiled = _compile(_program(self.text, ()))
        return self._run(context, names, now, rng, compiled)

    def _run(
        self,
        document: Any,
        names: dict[str, Any] | None,
        now: datetime,
        rng: Callable[[], random.Random],
        compiled: jlens.Expression | None = None,
    ) -> Any:
        limits = _LIMITS
        if self._uses_clock:
            limits = {**limits, "now": _millis(now)}
        token = functions.DRAWS.set(rng) if self._uses_draws else None
        try:
            boxed = (compiled or self._compiled).evaluate(document, names, **limits)
        except jlens.JlensError as exc:
            raise self._failure(exc.code, str(exc)) from None
        except FunctionFailure as exc:
            raise self._failure(exc.code, exc.message) from None
        except Exception as exc:
            # A value jlens cannot carry, or a fault of the engine: the state fails, as an
            # expression AWS cannot evaluate does, rather than the interpreter.
            raise self._failure(None, str(exc)) from None
        finally:
            if token is not None:
                functions.DRAWS.reset(token)
        if type(boxed) is dict:
            return boxed.get("v", UNDEFINED)
        return UNDEFINED

    def _failure(self, code: str | None, message: str) -> JsonataEvaluationError:
        tail, coded = error_tail(code, message)
        return JsonataEvaluationError(
            threw(self.text, self.field, tail, coded), self.field, code or None
        )


def _unused(*args: Any) -> None:
    return None


def compile_expression(text: str, *, field: str = "") -> Expression:
    """Compile the source of one ``{% ... %}`` template.

    Raises :class:`~asl.jsonata.failures.JsonataDefinitionError` (a DefinitionError) with
    AWS's message when the expression does not parse or uses ``$eval``.
    """
    return Expression(text, field)


def _parse(text: str) -> jlens.Expression:
    try:
        return jlens.Expression(text)
    except jlens.JlensError as exc:
        # AWS's INVALID_JSONATA_EXPRESSION message is the parser's, without its code.
        raise JsonataDefinitionError(str(exc), jsonata_code=exc.code) from None
    except UnicodeError:
        # An unpaired surrogate: no JSONata parser reads it.
        raise JsonataDefinitionError("Invalid character in expression") from None
    except Exception as exc:
        # Whatever else the parser raises is still a definition it refuses.
        raise JsonataDefinitionError(str(exc)) from None


def _compile(program: str) -> jlens.Expression:
    """The evaluated program, with Step Functions' functions registered on it."""
    compiled = _parse(program)
    for name, (implementation, signature) in functions.HOST_FUNCTIONS.items():
        compiled.register_function(name, implementation, signature)
    return compiled


def _program(text: str, names: tuple[str, ...]) -> str:
    """The block evaluated in place of ``text``: variables bound from the document, $parse
    defined, the result boxed."""
    lines = [f"${name} := $$.`{name}`;" for name in names]
    if "$parse" in text:
        lines.append(functions.PARSE_PRELUDE)
    # ":=" binds looser than any operator, so no parentheses are needed (and jlens would read
    # a regular expression right after "(" as a division).
    lines.append(f"{_BOX} := {text}\n;")
    lines.append(f'{{"v": {_BOX}}}')
    return "(\n" + "\n".join(lines) + "\n)"


def _path_of(text: str, names: tuple[str, ...]) -> tuple[str, ...] | None:
    """``("states", "result", "Payload")`` for ``$states.result.Payload``, else None."""
    found = _PATH.fullmatch(text)
    if found is None:
        return None
    keys = tuple(found.group(2).split(".")[1:])
    name = found.group(1)
    # The name must be a variable jlens saw read (not a function) and no key a keyword.
    if name not in names or _WORDS.intersection(keys):
        return None
    return (name, *keys)


def _walk(bindings: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    """The value at ``path``, UNDEFINED when a key is missing, _FALLBACK when JSONata's path
    semantics differ from a dictionary walk (an array or a scalar on the way)."""
    value = bindings.get(path[0], _FALLBACK)
    if value is _FALLBACK:
        return _FALLBACK
    for key in path[1:]:
        if type(value) is not dict:
            return _FALLBACK
        value = value.get(key, UNDEFINED)
        if value is UNDEFINED:
            return UNDEFINED
    if type(value) is float and value.is_integer():
        # JSONata numbers are doubles, written without a fraction when whole: AWS answers
        # {"v": 1} for an input of 1.0 (floci-io/floci, measured in us-east-1).
        return int(value)
    return value


_NO_FIELDS: Final[dict[str, Any]] = {}  # shared, read only by the engine


def _cut(value: Any, read: Any) -> Any:
    """``value`` with only the fields ``read`` names (``True``: all of it)."""
    if read is True:
        return value
    kind = type(value)
    if kind is dict:
        if not read:
            return _NO_FIELDS  # needed, but none of its fields ($count, $exists)
        return {key: _cut(value[key], inner) for key, inner in read.items() if key in value}
    if kind is list:
        return [_cut(item, read) for item in value]
    return value


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)


def _millis(now: datetime) -> int:
    """Milliseconds since the epoch, exactly (a naive ``now`` is UTC)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return (now - _EPOCH) // _MILLISECOND
