"""Parsing and validating pipeline definitions: every problem names its field."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.pipelines import PipelineInvalid, parse_pipeline, validate_pipeline


def issues_of(text: str, content_type: str | None = None) -> list[dict[str, str]]:
    with pytest.raises(PipelineInvalid) as info:
        parse_pipeline(text, content_type)
    return info.value.issues


def fields_of(text: str) -> set[str]:
    return {i["field"] for i in issues_of(text)}


def test_yaml_and_json_give_the_same_pipeline() -> None:
    yaml_text = """
name: summarize
version: 1
variables: {tone: dry}
input: {schema: {url: {type: string, required: true}}}
steps:
  - id: summarize
    model: stepline-local
    prompt: "Summarize {{input.url}} ({{vars.tone}})"
    output_format: markdown
output: {from: summarize, deliver: [{type: webhook, url: "https://example.com/h", method: POST}]}
"""
    from_yaml = parse_pipeline(yaml_text)
    from_json = parse_pipeline(json.dumps(from_yaml.to_json()), "application/json")
    assert from_yaml == from_json
    assert from_yaml.output is not None and from_yaml.output.from_ == "summarize"
    assert from_yaml.output.deliver[0].url == "https://example.com/h"
    assert from_yaml.steps[0].label == "summarize"  # name defaults to the id
    assert from_yaml.output_from == "summarize"


def test_output_from_defaults_to_the_last_step() -> None:
    p = parse_pipeline(
        "name: x\nsteps:\n- {id: a, type: transform, prompt: a}\n- {id: b, type: transform, prompt: b}"
    )
    assert p.output is None and p.output_from == "b"


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("steps: [{id: a, prompt: x}]", "name", "required"),
        ("name: x\nsteps: []", "steps", "at least 1"),
        ("name: x\nsteps: [{id: A, prompt: x, model: stepline-local}]", "steps[0].id", "lowercase"),
        ("name: x\nsteps: [{id: a, prompt: x, model: stepline-local, colour: red}]",
         "steps[0].colour", "not a known field"),
        ("name: x\nsteps: [{id: a, type: magic, prompt: x}]", "steps[0].type", "magic"),
        ("name: x\nsteps: [{id: a, prompt: x, model: stepline-local, temperature: 3}]",
         "steps[0].temperature", "less than or equal to 2"),
        ("name: x\nsteps: [{id: a, prompt: x, model: stepline-local, retry: {max_attempts: 6}}]",
         "steps[0].retry.max_attempts", "5"),
        ("name: x\nsteps: [{id: a, prompt: x, model: stepline-local, timeout_seconds: 301}]",
         "steps[0].timeout_seconds", "300"),
        ("name: x\nsteps: [{id: a, model: stepline-local}]", "steps[0].prompt", "required"),
        ("name: x\nsteps: [{id: a, prompt: x, model: nope-1}]", "steps[0].model", "unknown model"),
        ("name: x\nsteps: [{id: a, type: transform, prompt: x, model: stepline-local}]",
         "steps[0].model", "not used by a transform step"),
        ("name: x\nsteps: [{id: a, type: webhook}]", "steps[0].url", "required"),
        ("name: x\nsteps: [{id: a, type: code}]", "steps[0].handler", "required"),
        ("name: x\nsteps: [{id: a, type: transform}]", "steps[0].prompt", "either prompt or template"),
        ("name: x\nvariables: {v: [1]}\nsteps: [{id: a, type: transform, prompt: x}]",
         "variables.v", ""),
        ("name: x\ninput: {schema: {n: {type: integer, default: 'two'}}}\n"
         "steps: [{id: a, type: transform, prompt: x}]", "input.schema.n.default", "integer"),
        ("name: x\nsteps: [{id: a, type: transform, prompt: x}]\noutput: {from: zz}",
         "output.from", "no step 'zz'"),
        ("name: x\nsteps: [{id: a, type: transform, prompt: x}]\n"
         "output: {from: a, deliver: [{type: email, to: a@b.co}]}", "output.deliver[0].type",
         "sends no mail"),
        ("name: x\nsteps: [{id: a, type: transform, prompt: x}]\n"
         "output: {from: a, deliver: [{type: file, path: /tmp/x}]}", "output.deliver[0].type",
         "file delivery is not supported"),
        ("name: x\nsteps: [{id: a, type: transform, prompt: x}]\n"
         "output: {from: a, deliver: [{type: webhook}]}", "output.deliver[0].url", "required"),
        ("name: x\nsteps: [{id: a, type: transform, prompt: x}]\n"
         "notifications: {on_failure: [{type: email, to: a@b.co}]}",
         "notifications.on_failure[0].type", "sends no mail"),
        ("name: x\nsteps: [{id: a, type: transform, prompt: x}]\n"
         "notifications: {on_success: [{type: webhook}]}", "notifications.on_success[0].url",
         "required"),
        ("name: x\nsteps: [{id: a, type: transform, prompt: x}]\nschedule: {cron: '* * *'}",
         "schedule.cron", "5 fields"),
        ("name: x\nsteps: [{id: a, type: transform, prompt: x}]\n"
         "schedule: {cron: '0 6 * * *', timezone: Mars/Base}", "schedule.timezone", "Mars/Base"),
        ("name: x\nsteps: [{id: a, type: webhook, url: 'http://h', headers: {Authorization: k}}]",
         "steps[0].headers.Authorization", "connection_arn"),
    ],
)  # fmt: skip
def test_problems_name_their_field(text: str, field: str, words: str) -> None:
    issues = issues_of(text)
    found = [i for i in issues if i["field"] == field]
    assert found, issues
    assert words in found[0]["message"]


def test_goto_and_duplicate_ids() -> None:
    text = """
name: x
steps:
  - {id: a, type: transform, prompt: a}
  - id: b
    type: transform
    prompt: b
    on_condition: [{if: "true", goto: nowhere}]
  - {id: a, type: transform, prompt: again}
  - id: p
    type: parallel
    branches: [[{id: inner, type: transform, prompt: i, on_condition: [{if: "true", goto: a}]}]]
"""
    issues = issues_of(text)
    by_field = {i["field"]: i["message"] for i in issues}
    assert "no step 'nowhere'" in by_field["steps[1].on_condition[0].goto"]
    assert "duplicate step id 'a'" in by_field["steps[2].id"]


def test_goto_cannot_leave_a_branch() -> None:
    text = """
name: x
steps:
  - {id: a, type: transform, prompt: a}
  - id: p
    type: parallel
    branches: [[{id: inner, type: transform, prompt: i, on_condition: [{if: "true", goto: a}]}]]
"""
    by_field = {i["field"]: i["message"] for i in issues_of(text)}
    assert "another step list" in by_field["steps[1].branches[0][0].on_condition[0].goto"]


@pytest.mark.parametrize(
    ("prompt", "words"),
    [
        ("{{steps.ghost.output}}", "no step 'ghost'"),
        ("{{nothing.here}}", "unknown root 'nothing'"),
        ("{{vars.missing}}", "no variable 'missing'"),
        ("{{input.other}}", "declares no field 'other'"),
        ("{{#each input.x}}{{/each}}", "not supported"),
        ("{{#if input.topic}}open", "not closed"),
        ("{{steps.a.output | upper}}", "not a reference"),
    ],
)
def test_template_errors_point_at_the_prompt(prompt: str, words: str) -> None:
    doc = {
        "name": "x",
        "variables": {"v": 1},
        "input": {"schema": {"topic": {"type": "string"}}},
        "steps": [
            {"id": "a", "type": "transform", "prompt": "a"},
            {"id": "b", "type": "transform", "prompt": prompt},
        ],
    }
    with pytest.raises(PipelineInvalid) as info:
        validate_pipeline(doc)
    assert info.value.issues[0]["field"] == "steps[1].prompt"
    assert words in info.value.issues[0]["message"]


def test_condition_errors_point_at_the_rule() -> None:
    text = """
name: x
steps:
  - {id: a, type: transform, prompt: a}
  - id: c
    type: condition
    conditions:
      - {if: "steps.a.output ==", goto: a}
      - {if: "explode(steps.a.output)", goto: a}
"""
    by_field = {i["field"]: i["message"] for i in issues_of(text)}
    assert "ends too soon" in by_field["steps[1].conditions[0].if"]
    assert "unknown function 'explode'" in by_field["steps[1].conditions[1].if"]


def test_secrets_only_in_llm_prompts() -> None:
    text = """
name: x
steps:
  - {id: a, type: transform, prompt: "key {{env.TOKEN}}"}
"""
    by_field = {i["field"]: i["message"] for i in issues_of(text)}
    assert "only in the prompt and system_prompt of llm steps" in by_field["steps[0].prompt"]
    ok = parse_pipeline(
        "name: x\nsteps: [{id: a, model: stepline-local, prompt: 'key {{env.TOKEN}}'}]"
    )
    assert ok.steps[0].prompt == "key {{env.TOKEN}}"


def test_sibling_branch_outputs_are_not_readable() -> None:
    text = """
name: x
steps:
  - id: p
    type: parallel
    branches:
      - [{id: left, type: transform, prompt: l}]
      - [{id: right, type: transform, prompt: "{{steps.left.output}}"}]
  - {id: after, type: transform, prompt: "{{steps.left.output}} {{steps.right.output}}"}
"""
    issues = issues_of(text)
    assert issues == [
        {
            "field": "steps[0].branches[1][0].prompt",
            "message": "{{steps.left…}}: step 'left' runs in another branch of the parallel "
            "step 'p'",
        }
    ]


def test_agent_tools_are_refused_not_ignored() -> None:
    text = """
name: x
steps:
  - id: a
    model: stepline-local
    prompt: p
    agent: {max_turns: 3, tools: [{type: curl, name: fetch}]}
"""
    assert fields_of(text) == {"steps[0].agent.tools"}


def test_limits_on_step_counts() -> None:
    steps = [{"id": f"s{i}", "type": "transform", "prompt": "x"} for i in range(21)]
    with pytest.raises(PipelineInvalid) as info:
        validate_pipeline({"name": "x", "steps": steps})
    assert info.value.issues[0]["field"] == "steps"


@pytest.mark.parametrize(
    "text",
    ["", "name: [unclosed", "- just\n- a list", "name: x\nsteps: {a: 1}", b"\xff\xfe", "{"],
)
def test_unreadable_definitions(text: str | bytes) -> None:
    with pytest.raises(PipelineInvalid) as info:
        parse_pipeline(text)
    assert info.value.issues and all(set(i) == {"field", "message"} for i in info.value.issues)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(
            ["name", "steps", "id", "type", "prompt", "branches", "if", "goto", "on_condition",
             "conditions", "template", "output", "from", "variables", "input", "schema", "x"]
        ),
        children,
        max_size=6,
    ),
    max_leaves=30,
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_any_json_is_a_pipeline_or_pipeline_invalid(value: object) -> None:
    try:
        parse_pipeline(json.dumps(value), "application/json")
    except PipelineInvalid as exc:
        assert all(isinstance(i["field"], str) and i["message"] for i in exc.issues)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("name:steps-id{}[]\"' \n\t|>&*!#%@`,?0aZ")), max_size=80)
)
def test_any_yamlish_text_is_a_pipeline_or_pipeline_invalid(text: str) -> None:
    try:
        parse_pipeline(text)
    except PipelineInvalid as exc:
        assert exc.issues


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_prompt_is_accepted_or_refused_with_its_field(prompt: str) -> None:
    doc = {"name": "x", "steps": [{"id": "a", "type": "transform", "prompt": prompt}]}
    try:
        validate_pipeline(doc)
    except PipelineInvalid as exc:
        assert {i["field"] for i in exc.issues} == {"steps[0].prompt"}


def test_alias_bombs_are_refused() -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 6):
        prev, cur = chr(ord("a") + n - 1), chr(ord("a") + n)
        levels.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 10)}]")
    text = "\n".join(levels) + "\nname: x\nsteps: [{id: s, type: transform, template: *f}]"
    issues = issues_of(text)
    assert issues == [
        {"field": "", "message": "the definition has more than 100000 values (YAML aliases count)"}
    ]


def test_agent_duration_caps_the_timeout() -> None:
    from emulator.pipelines import compile_pipeline

    text = """
name: x
agent_defaults: {max_duration_seconds: 20}
steps:
  - {id: a, model: stepline-local, prompt: p}
  - {id: b, model: stepline-local, prompt: p, agent: {max_duration_seconds: 90}}
"""
    states = compile_pipeline(parse_pipeline(text))["States"]
    assert states["a"]["TimeoutSeconds"] == 20
    assert states["b"]["TimeoutSeconds"] == 60
