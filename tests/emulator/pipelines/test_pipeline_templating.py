"""Templates and conditions compile into JSONata that renders as Handlebars would."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest

from asl.jsonata import compile_expression
from emulator.pipelines.conditions import parse_condition
from emulator.pipelines.templating import (
    Ref,
    TemplateError,
    parse_template,
    path_expression,
    template_field,
    text_expression,
    value_expression,
)

DATA = {
    "input": {"topic": "owls", "n": 0, "none": None, "obj": {"a": [1, 2]}, "empty": ""},
    "vars": {"tone": "dry"},
    "steps": {"s": {"output": {"score": 7, "items": ["x", "y"], "text": "a TODO b"}}},
}


def resolve(ref: Ref) -> str:
    return path_expression(f"${ref.root}", ref.path)


def evaluate(expr: str) -> Any:
    return compile_expression(expr).evaluate(DATA, datetime.now(UTC), lambda: random.Random(0))


@pytest.mark.parametrize(
    ("template", "text"),
    [
        ("plain", "plain"),
        ("{{input.topic}}/{{vars.tone}}", "owls/dry"),
        ("[{{input.missing}}][{{input.none}}][{{input.n}}]", "[][][0]"),
        ("{{input.obj}}", '{"a":[1,2]}'),
        ("{{steps.s.output.items.1}}", "y"),
        ("{{steps.s.output.[score]}}", "7"),
        ("{{{input.topic}}}", "owls"),
        ("{{! a comment }}x", "x"),
        ("\\{{input.topic}}", "{{input.topic}}"),
        ("{{#if input.topic}}yes{{else}}no{{/if}}", "yes"),
        ("{{#if input.n}}yes{{else}}no{{/if}}", "no"),
        ("{{#if input.empty}}yes{{else}}no{{/if}}", "no"),
        ("{{#if input.missing}}yes{{/if}}", ""),
        ("{{#unless input.missing}}yes{{/unless}}", "yes"),
        ("{{#if input.topic}}{{#if input.n}}a{{else}}b{{/if}}{{/if}}", "b"),
        ("{{variables.tone}}", "dry"),
    ],
)
def test_rendering(template: str, text: str) -> None:
    assert evaluate(text_expression(parse_template(template), resolve)) == text


@pytest.mark.parametrize(
    "template",
    ["{{#each x}}{{/each}}", "{{> partial}}", "{{/if}}", "{{else}}", "{{~input.x}}",
     "{{input.a b}}", "{{env}}", "{{env.a.b}}", "{{#if env.X}}x{{/if}}", "{{steps}}"],
)  # fmt: skip
def test_refused_templates(template: str) -> None:
    with pytest.raises(TemplateError):
        parse_template(template)


def test_values_keep_their_type() -> None:
    value = {"n": "{{input.n}}", "o": "{{input.obj}}", "l": ["{{input.obj.a}}", 3, "t{{input.n}}"]}
    assert evaluate(value_expression(value, resolve)) == {
        "n": 0,
        "o": {"a": [1, 2]},
        "l": [[1, 2], 3, "t0"],
    }
    assert evaluate(value_expression("{{input.missing}}", resolve)) is None
    assert evaluate(value_expression([], resolve)) == []


def test_secrets_become_parts_never_values() -> None:
    field = template_field("Bearer {{env.TOKEN}} for {{input.topic}}", resolve)
    assert isinstance(field, dict)
    parts = field["parts"]
    assert isinstance(parts, str) and parts.startswith("{% ")
    assert evaluate(parts[3:-3]) == ["Bearer ", {"env": "TOKEN"}, " for owls"]
    assert template_field("just text", resolve) == "just text"


@pytest.mark.parametrize(
    ("condition", "result"),
    [
        ("steps.s.output.score >= 7", True),
        ("steps.s.output.score > 7", False),
        ("steps.s.output.score == 7 && input.topic == 'owls'", True),
        ('steps.s.output.score = 6 || input.topic != "owls"', False),
        ("not input.n", True),
        ("!input.topic", False),
        ("input.missing", False),
        ("exists(input.topic) and not exists(input.none) and not exists(input.missing)", True),
        ("length(steps.s.output.items) == 2 and length(input.topic) == 4", True),
        ("contains(steps.s.output.text, 'TODO')", True),
        ("contains(steps.s.output.items, 'z')", False),
        ("upper(input.topic) == 'OWLS' and lower('A') == 'a'", True),
        ("number('3') + 0 == 3", None),
        ("{{steps.s.output.score}} == 7", True),
        ("(input.n == 0 or false) and true", True),
        ("string(input.n) == '0'", True),
    ],
)
def test_conditions(condition: str, result: bool | None) -> None:
    if result is None:
        with pytest.raises(TemplateError):
            parse_condition(condition)
        return
    assert evaluate(parse_condition(condition).to_jsonata(resolve)) is result


@pytest.mark.parametrize("condition", ["", "a ==", "(input.x", "input.x ) ", "env.X", "$x", "f(1)"])
def test_refused_conditions(condition: str) -> None:
    with pytest.raises(TemplateError):
        parse_condition(condition).to_jsonata(resolve)
