"""Choice Rules (JSONPath flavour): compiled once into closures, evaluated per state entry.

Pinned from https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html and the spec
it builds on (https://states-language.net/spec.html#choice-state):

* ``Variable`` and every ``...Path`` operand are Reference Paths into the input (``$``), the
  context object (``$$``) or a workflow variable (``$name``).  One that selects nothing fails
  the state with ``States.Runtime``, cause "Invalid path '<path>': The choice state's condition
  path references an invalid value." (as AWS reports it, after the interpreter's "An error
  occurred while executing the state ..." prefix) — except under ``IsPresent``.
* A value of the wrong type never matches and is never an error ("Step Functions doesn't
  attempt to match a numeric field to a string value").  Booleans are not numbers.
* Strings order as Java's ``String.compareTo``: by UTF-16 code unit, not by code point.
* ``StringMatches``: ``*`` matches any run of characters, ``\\*`` a literal star, ``\\\\`` a
  literal backslash (in JSON source); nothing else is special.  A backslash escaping anything
  else, or ending the pattern, is an "open escape": a runtime error, says the spec.
* ``And`` / ``Or`` take non-empty arrays and short-circuit left to right; ``Not`` takes one
  rule.  Only top-level rules carry ``Next`` (and ``Assign``, read by the interpreter).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any, Final

from asl.errors import RUNTIME, DefinitionError, PathSyntaxError, StatesError
from asl.java import utf16_units
from asl.jsonpath import PathNotFound, ReferencePath, compile_reference_path
from asl.scope import Scope
from asl.string_matches import glob, pattern_segments
from asl.timestamps import parse_timestamp

__all__ = ["ChoiceRule", "compile_choice_rule"]

Test = Callable[[Any, Scope], bool]
Relation = Callable[[Any, Any], bool]

_RELATIONS: Final[dict[str, Relation]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}
_KINDS: Final = ("String", "Numeric", "Boolean", "Timestamp")
# "BooleanEquals" -> ("Boolean", "Equals"), "NumericLessThanPath" -> ("Numeric", "LessThan"), ...
_COMPARISONS: Final[dict[str, tuple[str, str]]] = {
    kind + relation: (kind, relation)
    for kind in _KINDS
    for relation in _RELATIONS
    if kind != "Boolean" or relation == "Equals"
}
_PATH_COMPARISONS: Final[dict[str, tuple[str, str]]] = {
    name + "Path": spec for name, spec in _COMPARISONS.items()
}
_TYPE_TESTS: Final = ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")
_COMBINATORS: Final = ("And", "Or", "Not")
_DATA_TESTS: Final[frozenset[str]] = frozenset(
    [*_COMPARISONS, *_PATH_COMPARISONS, "StringMatches", *_TYPE_TESTS]
)
_OPERATORS: Final[frozenset[str]] = _DATA_TESTS | frozenset(_COMBINATORS)


class ChoiceRule:
    """One compiled Choice Rule.

    ``evaluate(data, scope) -> bool`` is True when the rule matches the state's effective input
    ``data``; it raises :class:`~asl.errors.StatesError` (``States.Runtime``) when a path it
    must read selects nothing.  It is stored as a plain closure, not a method, to save a call
    on the hot path: ``rule.evaluate(data, scope)`` is all a caller needs.
    """

    __slots__ = ("evaluate", "next")

    evaluate: Test
    next: str | None

    def __init__(self, evaluate: Test, next: str | None) -> None:
        self.evaluate = evaluate
        self.next = next

    def __repr__(self) -> str:
        return f"ChoiceRule(next={self.next!r})"


def compile_choice_rule(raw: Mapping[str, Any], *, top_level: bool) -> ChoiceRule:
    """Compile a JSONPath Choice Rule; raise DefinitionError when it is malformed."""
    if not isinstance(raw, Mapping):
        raise DefinitionError("A Choice Rule must be a JSON object")
    operators = [key for key in raw if key in _OPERATORS]
    if not operators:
        raise DefinitionError("A Choice Rule must contain exactly one comparison operator")
    if len(operators) > 1:
        found = ", ".join(operators)
        raise DefinitionError(f"A Choice Rule must contain exactly one operator, not {found}")
    name = operators[0]
    allowed = {name, "Comment"}
    if name in _DATA_TESTS:
        allowed.add("Variable")
    if top_level:
        allowed.update(("Next", "Assign"))
    for key in raw:
        if key not in allowed:
            raise DefinitionError(_unexpected_field(key, name, top_level))
    if "Comment" in raw and not isinstance(raw["Comment"], str):
        raise DefinitionError("The field 'Comment' of a Choice Rule must be a string")

    next_state: str | None = None
    if top_level:
        next_state = raw.get("Next")
        if not isinstance(next_state, str) or not next_state:
            raise DefinitionError("A top-level Choice Rule must have a 'Next' naming a state")

    operand = raw[name]
    if name in _COMBINATORS:
        return ChoiceRule(_compile_combinator(name, operand), next_state)
    if "Variable" not in raw:
        raise DefinitionError(f"A Choice Rule with '{name}' must have a 'Variable'")
    variable = _reference(raw["Variable"], "Variable")
    return ChoiceRule(_compile_data_test(name, variable, operand), next_state)


def _unexpected_field(key: str, name: str, top_level: bool) -> str:
    if key == "Next":
        return "A nested Choice Rule (inside And, Or or Not) must not have a 'Next'"
    if key == "Variable":
        return f"A Choice Rule with '{name}' must not have a 'Variable'"
    if key == "Assign" and not top_level:
        return "A nested Choice Rule (inside And, Or or Not) must not have an 'Assign'"
    if key == "Condition":
        return "The field 'Condition' is only supported in JSONata Choice Rules"
    return f"The field '{key}' is not supported in a Choice Rule"


def _reference(text: Any, field: str) -> ReferencePath:
    if not isinstance(text, str):
        raise DefinitionError(f"The field '{field}' must be a reference path string")
    try:
        return compile_reference_path(text)
    except PathSyntaxError as exc:
        raise PathSyntaxError(f"The field '{field}' is not a valid reference path: {exc}") from exc


def _missing(path: ReferencePath) -> str:
    return f"Invalid path '{path.text}': The choice state's condition path references an invalid value."


# -- And / Or / Not ------------------------------------------------------------------------


def _compile_combinator(name: str, operand: Any) -> Test:
    if name == "Not":
        if not isinstance(operand, Mapping):
            raise DefinitionError("The value of 'Not' must be a single Choice Rule (a JSON object)")
        inner = compile_choice_rule(operand, top_level=False).evaluate

        def negation(data: Any, scope: Scope) -> bool:
            return not inner(data, scope)

        return negation
    if not isinstance(operand, list | tuple) or not operand:
        raise DefinitionError(f"The value of '{name}' must be a non-empty array of Choice Rules")
    tests = tuple(compile_choice_rule(rule, top_level=False).evaluate for rule in operand)
    if name == "And":

        def conjunction(data: Any, scope: Scope) -> bool:
            # Plain loops: all()/any() over a generator cost more than most tests themselves.
            for test in tests:  # noqa: SIM110
                if not test(data, scope):
                    return False
            return True

        return conjunction

    def disjunction(data: Any, scope: Scope) -> bool:
        for test in tests:  # noqa: SIM110
            if test(data, scope):
                return True
        return False

    return disjunction


# -- data tests ----------------------------------------------------------------------------

Select = Callable[[Any, Scope], Any]


def _compile_data_test(name: str, variable: ReferencePath, operand: Any) -> Test:
    select = variable.select
    missing = _missing(variable)
    if name == "IsPresent":
        expected = _boolean_operand(name, operand)

        def presence(data: Any, scope: Scope) -> bool:
            try:
                select(data, scope)
            except PathNotFound:
                return not expected
            return expected

        return presence
    if name in _TYPE_PREDICATES:
        predicate, wanted = _TYPE_PREDICATES[name], _boolean_operand(name, operand)
        return _reading(select, missing, lambda value: predicate(value) is wanted)
    if name == "StringMatches":
        if type(operand) is not str:
            raise DefinitionError("The value of 'StringMatches' must be a string")
        return _string_matches(select, missing, operand)
    if name in _PATH_COMPARISONS:
        kind, relation = _PATH_COMPARISONS[name]
        return _path_comparison(select, missing, _reference(operand, name), _TYPED[kind][relation])
    kind, relation = _COMPARISONS[name]
    op = _RELATIONS[relation]
    if kind == "Numeric":
        if not _is_number(operand):
            raise DefinitionError(f"The value of '{name}' must be a number")
        return _numeric_literal(select, missing, op, operand)
    if kind == "String":
        if type(operand) is not str:
            raise DefinitionError(f"The value of '{name}' must be a string")
        text: str = operand
        compare = _TEXT[relation]
        return _reading(select, missing, lambda value: type(value) is str and compare(value, text))
    if kind == "Boolean":
        expected_value = _boolean_operand(name, operand)
        return _reading(select, missing, lambda value: value is expected_value)
    instant = parse_timestamp(operand) if type(operand) is str else None
    if instant is None:
        raise DefinitionError(
            f"The value of '{name}' must be a timestamp such as 2016-03-14T01:59:00Z, "
            f"got {operand!r}"
        )

    def timestamp(value: Any) -> bool:
        moment = parse_timestamp(value) if type(value) is str else None
        return moment is not None and op(moment, instant)

    return _reading(select, missing, timestamp)


def _reading(select: Select, missing: str, check: Callable[[Any], bool]) -> Test:
    """A test that reads the Variable (a missing one is an error) and checks its value."""

    def test(data: Any, scope: Scope) -> bool:
        try:
            value = select(data, scope)
        except PathNotFound:
            raise StatesError(RUNTIME, missing) from None
        return check(value)

    return test


def _numeric_literal(select: Select, missing: str, op: Relation, bound: int | float) -> Test:
    # Inlined rather than built on _reading: this is the loop-counter test of most workflows.
    def numeric(data: Any, scope: Scope) -> bool:
        try:
            value = select(data, scope)
        except PathNotFound:
            raise StatesError(RUNTIME, missing) from None
        kind = type(value)
        return (kind is int or kind is float) and op(value, bound)

    return numeric


def _path_comparison(
    select: Select, missing: str, other: ReferencePath, relation: Relation
) -> Test:
    select_other = other.select
    other_missing = _missing(other)

    def path_comparison(data: Any, scope: Scope) -> bool:
        try:
            left = select(data, scope)
        except PathNotFound:
            raise StatesError(RUNTIME, missing) from None
        try:
            right = select_other(data, scope)
        except PathNotFound:
            raise StatesError(RUNTIME, other_missing) from None
        return relation(left, right)

    return path_comparison


def _boolean_operand(name: str, operand: Any) -> bool:
    if type(operand) is not bool:
        raise DefinitionError(f"The value of '{name}' must be a boolean")
    return operand


# -- value types and relations -----------------------------------------------------------


def _is_number(value: Any) -> bool:
    kind = type(value)
    return kind is int or kind is float  # bool is a subclass of int, and is not a number here


def _is_string(value: Any) -> bool:
    return type(value) is str


def _is_timestamp(value: Any) -> bool:
    return type(value) is str and parse_timestamp(value) is not None


_TYPE_PREDICATES: Final[dict[str, Callable[[Any], bool]]] = {
    "IsNull": lambda value: value is None,
    "IsNumeric": _is_number,
    "IsString": _is_string,
    "IsBoolean": lambda value: type(value) is bool,
    "IsTimestamp": _is_timestamp,
}


def _text_order(relation: Relation) -> Relation:
    def compare(left: str, right: str) -> bool:
        if left.isascii() and right.isascii():
            return relation(left, right)
        return relation(utf16_units(left), utf16_units(right))

    return compare


def _text_equals(left: str, right: str) -> bool:
    # Equal code units, even when one side spells an astral character as a surrogate pair.
    return left == right or (
        not left.isascii() and not right.isascii() and utf16_units(left) == utf16_units(right)
    )


_TEXT: Final[dict[str, Relation]] = {
    relation: _text_equals if relation == "Equals" else _text_order(op)
    for relation, op in _RELATIONS.items()
}


def _both(accepts: Callable[[Any], bool], relation: Relation) -> Relation:
    """``relation`` on two values of unknown type: false unless both are of the right type."""

    def compare(left: Any, right: Any) -> bool:
        return accepts(left) and accepts(right) and relation(left, right)

    return compare


def _instants(relation: Relation) -> Relation:
    def compare(left: Any, right: Any) -> bool:
        first = parse_timestamp(left) if type(left) is str else None
        second = parse_timestamp(right) if type(right) is str else None
        return first is not None and second is not None and relation(first, second)

    return compare


_TYPED: Final[dict[str, dict[str, Relation]]] = {
    "String": {relation: _both(_is_string, _TEXT[relation]) for relation in _RELATIONS},
    "Numeric": {relation: _both(_is_number, op) for relation, op in _RELATIONS.items()},
    "Boolean": {"Equals": lambda left, right: type(left) is bool and left is right},
    "Timestamp": {relation: _instants(op) for relation, op in _RELATIONS.items()},
}


def _string_matches(select: Select, missing: str, pattern: str) -> Test:
    segments = pattern_segments(pattern)
    if segments is None:
        cause = f"Invalid StringMatches pattern '{pattern}': a backslash must escape '*' or '\\'."

        def open_escape(value: Any) -> bool:
            raise StatesError(RUNTIME, cause)

        return _reading(select, missing, open_escape)
    matches = glob(segments)
    return _reading(select, missing, lambda value: type(value) is str and matches(value))
