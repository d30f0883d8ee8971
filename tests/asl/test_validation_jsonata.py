"""Static validation of JSONata states and workflow variables: AWS's codes, wording, locations.

Texts marked "recorded" were measured against the service with ``aws stepfunctions
validate-state-machine-definition`` / ``create-state-machine`` (floci-io/floci #2670, #2745,
PR #2699, PR #2786; LocalStack's validation snapshot); the others pin the wording
asl/validation/messages.py chose (marked UNVERIFIED there).
"""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl.errors import DefinitionError
from asl.validation import invalid_definition_message, validate_definition
from asl.validation.expressions import collaborator
from asl.validation.jsonata_references import references
from asl.validation.variables import name_error

SCHEMA = "SCHEMA_VALIDATION_FAILED"
INVALID = "INVALID_JSONATA_EXPRESSION"
UNSUPPORTED = "UNSUPPORTED_JSONATA_EXPRESSION"
INVOKE = "arn:aws:states:::lambda:invoke"
OTHER_LANGUAGE = (
    "The QueryLanguage is set to '{}', but field '{}' is only supported for the '{}' QueryLanguage"
)
JSONPATH_ONLY = OTHER_LANGUAGE.format("JSONata", "{}", "JSONPath")
JSONATA_ONLY = OTHER_LANGUAGE.format("JSONPath", "{}", "JSONata")
TOP_LEVEL = "Reference to '{}' at the top level is not supported."
ROOT = "Reference to '$$' is not supported."
NO_FIELD = "Field '$states.{}' does not exist."
PROCESSOR = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def found(definition: Any) -> list[tuple[str, str, str]]:
    return [(d.code, d.message, d.location) for d in validate_definition(definition)]


def jsonata(states: dict[str, Any], start: str = "A") -> dict[str, Any]:
    return {"QueryLanguage": "JSONata", "StartAt": start, "States": states}


def jsonpath(states: dict[str, Any], start: str = "A") -> dict[str, Any]:
    return {"StartAt": start, "States": states}


def one(state: dict[str, Any], language: str = "JSONata") -> list[tuple[str, str, str]]:
    make = jsonata if language == "JSONata" else jsonpath
    return found(make({"A": state}))


def passing(**fields: Any) -> dict[str, Any]:
    return {"Type": "Pass", "End": True, **fields}


def task(**fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": INVOKE, "End": True, **fields}


def mapping(**fields: Any) -> dict[str, Any]:
    return {"Type": "Map", "ItemProcessor": PROCESSOR, "End": True, **fields}


def catching(**catcher: Any) -> dict[str, Any]:
    states = {
        "A": task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "H", **catcher}]),
        "H": passing(),
    }
    return jsonata(states)


def choosing(**rule: Any) -> dict[str, Any]:
    states = {
        "C": {"Type": "Choice", "Choices": [{"Next": "E", **rule}], "Default": "E"},
        "E": passing(),
    }
    return jsonata(states, start="C")


def schema(message: str, location: str) -> tuple[str, str, str]:
    return (SCHEMA, message, location)


def top_level(name: str, location: str) -> tuple[str, str, str]:
    return (UNSUPPORTED, TOP_LEVEL.format(name), location)


# --- a stand-in engine, so the plumbing is tested whatever asl.jsonata's state -------------

FAKE_ERROR = 'S0201: Syntax error: "BAD"'


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Any, str]]]:
    """asl.jsonata replaced: an expression containing BAD does not compile; a whole value equal
    to {"refused": true} is refused by compile_jsonata_value.  Yields the values it was given."""
    seen: list[tuple[Any, str]] = []
    module = types.ModuleType("asl.jsonata")

    def compile_expression(text: str) -> object:
        if "BAD" in text:
            raise DefinitionError(FAKE_ERROR)
        return object()

    def compile_jsonata_value(raw: Any, field: str) -> object:
        seen.append((raw, field))
        if raw == {"refused": True}:
            raise DefinitionError("S0999: refused by the engine")
        return object()

    module.compile_expression = compile_expression  # type: ignore[attr-defined]
    module.compile_jsonata_value = compile_jsonata_value  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "asl.jsonata", module)
    collaborator.cache_clear()
    yield seen
    collaborator.cache_clear()


@pytest.fixture
def engine() -> Any:
    """The real asl.jsonata; these tests are skipped until it is importable."""
    collaborator.cache_clear()
    module = pytest.importorskip("asl.jsonata")
    if not hasattr(module, "compile_expression"):
        pytest.skip("asl.jsonata has no compile_expression yet")
    return module


def bad(location: str) -> tuple[str, str, str]:
    # The JSONata code ("S0201: ") is not part of AWS's message.
    return (INVALID, 'Syntax error: "BAD"', location)


# --- the query-language split --------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "field"),
    [
        (passing(InputPath="$.a"), "InputPath"),
        (passing(OutputPath="$.a"), "OutputPath"),
        (passing(ResultPath="$.a"), "ResultPath"),
        (passing(Parameters={"a": 1}), "Parameters"),
        (task(ResultSelector={"a": 1}), "ResultSelector"),
        (task(TimeoutSecondsPath="$.t"), "TimeoutSecondsPath"),
        (task(HeartbeatSecondsPath="$.h"), "HeartbeatSecondsPath"),
        (mapping(ItemsPath="$.items"), "ItemsPath"),
        (mapping(MaxConcurrencyPath="$.m"), "MaxConcurrencyPath"),
        (mapping(ToleratedFailurePercentagePath="$.p"), "ToleratedFailurePercentagePath"),
        (mapping(ToleratedFailureCountPath="$.c"), "ToleratedFailureCountPath"),
        ({"Type": "Wait", "SecondsPath": "$.s", "End": True}, "SecondsPath"),
        ({"Type": "Wait", "TimestampPath": "$.t", "End": True}, "TimestampPath"),
        ({"Type": "Fail", "ErrorPath": "$.e"}, "ErrorPath"),
        ({"Type": "Fail", "CausePath": "$.c"}, "CausePath"),
    ],
)
def test_jsonpath_fields_are_refused_in_a_jsonata_state(state: dict[str, Any], field: str) -> None:
    # Recorded for InputPath, OutputPath, ResultPath and MaxConcurrencyPath: at the state.
    assert one(state) == [schema(JSONPATH_ONLY.format(field), "/States/A")]


@pytest.mark.parametrize(
    ("state", "field"),
    [
        (task(Arguments={"a": 1}), "Arguments"),
        (passing(Output={"a": 1}), "Output"),
        ({"Type": "Map", "Items": [1], "Iterator": PROCESSOR, "End": True}, "Items"),
    ],
)
def test_jsonata_fields_are_refused_in_a_jsonpath_state(state: dict[str, Any], field: str) -> None:
    assert one(state, "JSONPath") == [schema(JSONATA_ONLY.format(field), "/States/A")]


def test_a_condition_is_refused_in_a_jsonpath_choice_rule() -> None:
    rule = {"Condition": "{% true %}", "Variable": "$.x", "IsNull": True, "Next": "E"}
    definition = jsonpath(
        {"C": {"Type": "Choice", "Choices": [rule], "Default": "E"}, "E": passing()}, "C"
    )
    assert found(definition) == [schema(JSONATA_ONLY.format("Condition"), "/States/C/Choices[0]")]


def test_a_jsonata_machine_cannot_hold_a_jsonpath_state() -> None:
    # Recorded (LocalStack snapshot INVALID_DOWNGRADE_QUERY_LANGUAGE): at the state.
    assert one(passing(QueryLanguage="JSONPath")) == [
        schema(
            "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
            "/States/A",
        )
    ]


def test_a_jsonpath_machine_may_hold_a_jsonata_state() -> None:
    state = passing(QueryLanguage="JSONata", Output="{% $states.input %}")
    assert one(state, "JSONPath") == []


def test_catcher_fields_of_the_other_language() -> None:
    assert found(catching(ResultPath="$.error")) == [
        schema(JSONPATH_ONLY.format("ResultPath"), "/States/A/Catch[0]")
    ]


# --- fields that take a template or a literal of one type ---------------------------------


@pytest.mark.parametrize(
    ("state", "location", "message"),
    [
        (task(TimeoutSeconds="60"), "/States/A/TimeoutSeconds", "Expected value of type [INTEGER]"),
        (task(HeartbeatSeconds=1.5), "/States/A/HeartbeatSeconds", "Expected value of type [INTEGER]"),
        ({"Type": "Wait", "Seconds": "5", "End": True}, "/States/A/Seconds", "Expected value of type [INTEGER]"),
        (mapping(MaxConcurrency="{ 1 }"), "/States/A/MaxConcurrency", "Expected value of type [INTEGER]"),
        (mapping(ToleratedFailurePercentage="5"), "/States/A/ToleratedFailurePercentage", "Expected value of type [NUMBER]"),
        (mapping(Items=5), "/States/A/Items", "Expected value of type [ARRAY]"),
        (mapping(Items="$.items"), "/States/A/Items", "Expected value of type [ARRAY]"),
        (task(Arguments=5), "/States/A/Arguments", "Expected value of type [OBJECT]"),
        (mapping(ItemSelector="x"), "/States/A/ItemSelector", "Expected value of type [OBJECT]"),
        (passing(Assign="{% {'x': 1} %}"), "/States/A/Assign", "Expected value of type [OBJECT]"),
        ({"Type": "Fail", "Error": 5}, "/States/A/Error", "Expected value of type [STRING]"),
    ],
)  # fmt: skip
def test_a_literal_of_the_wrong_type(state: dict[str, Any], location: str, message: str) -> None:
    assert one(state) == [schema(message, location)]


@pytest.mark.parametrize(
    "state",
    [
        task(TimeoutSeconds=60, HeartbeatSeconds="{% $beat %}"),
        task(TimeoutSeconds="{% $states.input.t %}"),
        {"Type": "Wait", "Seconds": "{% $delay %}", "End": True},
        {"Type": "Wait", "Timestamp": "{% $states.input.at %}", "End": True},
        {"Type": "Wait", "Timestamp": "2016-03-14T01:59:00Z", "End": True},
        mapping(Items=[1, "{% $two %}"], MaxConcurrency="{% $max %}"),
        mapping(Items={"a": 1}, ToleratedFailureCount="{% 0 %}", ToleratedFailurePercentage=5.5),
        mapping(Items="{% $states.input.items %}", ItemSelector="{% $states.context.Map %}"),
        task(Arguments="{% $states.input %}"),
        {"Type": "Fail", "Error": "{% $e %}", "Cause": "a literal cause"},
    ],
)
def test_templates_and_literals_of_the_right_type_are_accepted(state: dict[str, Any]) -> None:
    assert one(state) == []


def test_a_condition_is_a_template_or_a_boolean() -> None:
    assert found(choosing(Condition=True)) == []
    assert found(choosing(Condition="{% $states.input.n > 1 %}")) == []
    assert found(choosing(Condition="true")) == [
        schema("Expected value of type [BOOLEAN]", "/States/C/Choices[0]/Condition")
    ]


# --- JSONata syntax errors (stand-in engine: locations and the message's form) -------------


@pytest.mark.parametrize(
    ("definition", "location"),
    [
        (jsonata({"A": passing(Output="{% BAD %}")}), "/States/A/Output"),
        (jsonata({"A": passing(Output={"a": {"b": [1, "{% BAD %}"]}})}), "/States/A/Output/a/b[1]"),
        (jsonata({"A": passing(Assign={"v": "{% BAD %}"})}), "/States/A/Assign/v"),
        (jsonata({"A": passing(Assign={"v": ["{% BAD %}"]})}), "/States/A/Assign/v[0]"),
        (jsonata({"A": task(Arguments={"Payload": {"x": "{% BAD %}"}})}), "/States/A/Arguments/Payload/x"),
        (jsonata({"A": task(Arguments="{% BAD %}")}), "/States/A/Arguments"),
        (jsonata({"A": task(Credentials={"RoleArn": "{% BAD %}"})}), "/States/A/Credentials/RoleArn"),
        (jsonata({"A": task(TimeoutSeconds="{% BAD %}")}), "/States/A/TimeoutSeconds"),
        (jsonata({"A": task(HeartbeatSeconds="{% BAD %}")}), "/States/A/HeartbeatSeconds"),
        (jsonata({"A": {"Type": "Wait", "Seconds": "{% BAD %}", "End": True}}), "/States/A/Seconds"),
        (jsonata({"A": {"Type": "Wait", "Timestamp": "{% BAD %}", "End": True}}), "/States/A/Timestamp"),
        (jsonata({"A": mapping(Items="{% BAD %}")}), "/States/A/Items"),
        (jsonata({"A": mapping(Items=[1, "{% BAD %}"])}), "/States/A/Items[1]"),
        (jsonata({"A": mapping(ItemSelector={"k": "{% BAD %}"})}), "/States/A/ItemSelector/k"),
        (jsonata({"A": mapping(MaxConcurrency="{% BAD %}")}), "/States/A/MaxConcurrency"),
        (jsonata({"A": mapping(ToleratedFailurePercentage="{% BAD %}")}), "/States/A/ToleratedFailurePercentage"),
        (jsonata({"A": mapping(ToleratedFailureCount="{% BAD %}")}), "/States/A/ToleratedFailureCount"),
        (jsonata({"A": mapping(ItemBatcher={"BatchInput": {"c": "{% BAD %}"}})}), "/States/A/ItemBatcher/BatchInput/c"),
        (jsonata({"A": mapping(ItemReader={"Arguments": {"Key": "{% BAD %}"}})}), "/States/A/ItemReader/Arguments/Key"),
        (jsonata({"A": mapping(ResultWriter={"Arguments": {"Bucket": "{% BAD %}"}})}), "/States/A/ResultWriter/Arguments/Bucket"),
        (jsonata({"A": {"Type": "Fail", "Error": "{% BAD %}"}}), "/States/A/Error"),
        (jsonata({"A": {"Type": "Fail", "Cause": "{% BAD %}"}}), "/States/A/Cause"),
        (jsonata({"A": {"Type": "Succeed", "Output": "{% BAD %}"}}), "/States/A/Output"),
        (
            jsonata({"A": task(Retry=[{"ErrorEquals": ["States.ALL"], "IntervalSeconds": "{% BAD %}"}])}),
            "/States/A/Retry[0]/IntervalSeconds",
        ),
        (catching(Output="{% BAD %}"), "/States/A/Catch[0]/Output"),
        (catching(Assign={"x": "{% BAD %}"}), "/States/A/Catch[0]/Assign/x"),
        (choosing(Condition="{% BAD %}"), "/States/C/Choices[0]/Condition"),
        (choosing(Condition=True, Output={"o": "{% BAD %}"}), "/States/C/Choices[0]/Output/o"),
        (choosing(Condition=True, Assign={"x": "{% BAD %}"}), "/States/C/Choices[0]/Assign/x"),
        (
            jsonata({"A": {"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {"B": passing(Output="{% BAD %}")}}], "End": True}}),
            "/States/A/Branches[0]/States/B/Output",
        ),
        (
            jsonata({"A": mapping(ItemProcessor={"StartAt": "I", "States": {"I": passing(Output="{% BAD %}")}})}),
            "/States/A/ItemProcessor/States/I/Output",
        ),
    ],
)  # fmt: skip
def test_a_syntax_error_is_reported_at_the_string(
    fake_engine: list[Any], definition: dict[str, Any], location: str
) -> None:
    assert found(definition) == [bad(location)]


@pytest.mark.parametrize(
    "definition",
    [
        jsonata({"A": passing(Comment="{% BAD %}")}),
        jsonata({"A": task(Retry=[{"ErrorEquals": ["{% BAD %}"]}])}),
        jsonata({"A": passing(Output="not a template {% BAD %}")}),
        jsonata({"A": passing(Output="{% BAD")}),
        jsonata(
            {
                "A": mapping(
                    ItemReader={
                        "Resource": "arn:aws:states:::s3:getObject",
                        "ReaderConfig": {"CSVHeaders": ["{% BAD %}"]},
                    }
                )
            }
        ),
        jsonpath({"A": passing(Parameters={"v": "{% BAD %}"})}),
        jsonpath({"A": passing(Assign={"v": "{% BAD %}"})}),
    ],
)
def test_strings_that_are_never_parsed(fake_engine: list[Any], definition: dict[str, Any]) -> None:
    # Recorded: Comment, ErrorEquals and CSVHeaders keep a {% %} string as text, and a JSONPath
    # machine is not parsed as JSONata; a string not wholly a template is a literal.
    assert found(definition) == []


def test_every_broken_string_is_reported_in_document_order(fake_engine: list[Any]) -> None:
    state = passing(Output={"a": "{% BAD %}", "b": "{% 1 + 1 %}", "c": ["{% BAD %}"]})
    assert one(state) == [bad("/States/A/Output/a"), bad("/States/A/Output/c[0]")]


def test_the_engine_checks_each_whole_field_once_its_strings_compile(
    fake_engine: list[Any],
) -> None:
    assert one(task(Arguments={"refused": True})) == [
        (INVALID, "refused by the engine", "/States/A/Arguments")
    ]
    assert ({"refused": True}, "Arguments") in fake_engine
    fake_engine.clear()
    assert one(task(Arguments={"x": "{% BAD %}"})) == [bad("/States/A/Arguments/x")]
    assert fake_engine == []


def test_a_syntax_error_hides_the_reference_check_of_that_string(fake_engine: list[Any]) -> None:
    state = passing(Output={"a": "{% phone BAD %}", "b": "{% phone %}"})
    assert one(state) == [bad("/States/A/Output/a"), top_level("phone", "/States/A/Output/b")]


# --- JSONata syntax errors with the real engine: AWS's recorded messages -------------------


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("a[1,2)", 'Expected "]", got ","'),
        ('"unterminated', "String literal must be terminated by a matching quote"),
        ("1 +", "Unexpected end of expression"),
        ('{"a":}', 'The symbol "}" cannot be used as a unary operator'),
        ("$x :=", "Unexpected end of expression"),
        ('$match("a", /abc', "No terminating / in regular expression"),
        ("phone %.other", 'The symbol "." cannot be used as a unary operator'),
        ("", "Unexpected end of expression"),
    ],
)
def test_recorded_syntax_messages(engine: Any, expression: str, message: str) -> None:
    # Recorded (floci-io/floci #2745): one diagnostic at the field, JSONata's text without code.
    definition = jsonata({"Main": passing(Output=f"{{% {expression} %}}")}, start="Main")
    assert found(definition) == [(INVALID, message, "/States/Main/Output")]


def test_recorded_create_state_machine_message_for_a_syntax_error(engine: Any) -> None:
    definition = jsonata({"E": passing(Output={"v": "{% phone[1,2) %}"})}, start="E")
    assert invalid_definition_message(validate_definition(definition)) == (
        "Invalid State Machine Definition: 'INVALID_JSONATA_EXPRESSION: "
        'Expected "]", got "," at /States/E/Output/v\''
    )


def test_eval_is_refused_exactly_when_the_engine_refuses_it(engine: Any) -> None:
    # AWS documents $eval as unavailable (transforming-data.html); the recorded TestState run
    # (floci-io/floci #2737) fails it at run time ("T1006: Attempted to invoke a non-function"),
    # not at create time.  Validation follows the engine the loader compiles with.
    try:
        engine.compile_expression('$eval("1 + 1")')
    except DefinitionError as exc:
        expected = [(getattr(exc, "code", INVALID), str(exc), "/States/A/Output")]
    else:
        expected = []
    assert one(passing(Output='{% $eval("1 + 1") %}')) == expected


def test_eval_is_accepted_at_create_time(engine: Any) -> None:
    # AWS accepts $eval in a definition and fails the call at run time (T1006).
    assert one(passing(Output={"e": '{% $eval("1") %}'})) == []


# --- references AWS refuses ------------------------------------------------------------------


def test_recorded_create_state_machine_message_for_a_top_level_reference() -> None:
    definition = jsonata({"E": passing(Output={"v": "{% phone[0] %}"})}, start="E")
    assert invalid_definition_message(validate_definition(definition)) == (
        "Invalid State Machine Definition: 'UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' "
        "at the top level is not supported. at /States/E/Output/v'"
    )


@pytest.mark.parametrize(
    ("definition", "location"),
    [
        (jsonata({"A": passing(Output={"v": "{% phone %}"})}), "/States/A/Output/v"),
        (jsonata({"A": passing(Output={"a": {"b": ["{% phone %}"]}})}), "/States/A/Output/a/b[0]"),
        (jsonata({"A": passing(Assign={"v": "{% phone %}"})}), "/States/A/Assign/v"),
        (choosing(Condition="{% phone = 1 %}"), "/States/C/Choices[0]/Condition"),
        (jsonata({"A": {"Type": "Wait", "Seconds": "{% phone %}", "End": True}}), "/States/A/Seconds"),
        (jsonata({"A": {"Type": "Fail", "Cause": "{% phone %}"}}), "/States/A/Cause"),
        (jsonata({"A": mapping(Items="{% phone %}")}), "/States/A/Items"),
        (
            jsonata({"A": mapping(Items="{% $states.input.a %}", ItemProcessor={"StartAt": "I", "States": {"I": passing(Output={"v": "{% phone %}"})}})}),
            "/States/A/ItemProcessor/States/I/Output/v",
        ),
        (
            jsonata({"A": {"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {"B": passing(Output={"v": "{% phone %}"})}}], "End": True}}),
            "/States/A/Branches[0]/States/B/Output/v",
        ),
        (catching(Output={"v": "{% phone %}"}), "/States/A/Catch[0]/Output/v"),
        (jsonata({"A": passing(Assign={"Next": "{% phone %}"})}), "/States/A/Assign/Next"),
        (jsonata({"A": task(Arguments={"Payload": {"Comment": "{% phone %}"}})}), "/States/A/Arguments/Payload/Comment"),
        (jsonata({"A": passing(Output={"ItemProcessor": {"Iterator": "{% phone %}"}})}), "/States/A/Output/ItemProcessor/Iterator"),
        (jsonata({"A": mapping(ItemSelector={"Next": "{% phone %}"})}), "/States/A/ItemSelector/Next"),
        (jsonata({"A": mapping(ItemBatcher={"BatchInput": {"Comment": "{% phone %}"}})}), "/States/A/ItemBatcher/BatchInput/Comment"),
        (catching(Assign={"Retry": "{% phone %}"}), "/States/A/Catch[0]/Assign/Retry"),
    ],
)  # fmt: skip
def test_a_top_level_reference_is_refused_at_the_string(
    definition: dict[str, Any], location: str
) -> None:
    # Recorded (floci-io/floci #2670, PR #2699), every position above.
    assert found(definition) == [top_level("phone", location)]


def test_an_earlier_assign_does_not_make_the_bare_name_legal() -> None:
    states = {
        "A": {"Type": "Pass", "Assign": {"phone": "{% 1 %}"}, "Next": "E"},
        "E": passing(Output={"v": "{% phone %}"}),
    }
    assert found(jsonata(states)) == [top_level("phone", "/States/E/Output/v")]
    states["E"] = passing(Output={"v": "{% $phone %}"})
    assert found(jsonata(states)) == []


def test_each_distinct_name_gets_its_own_diagnostic_in_written_order() -> None:
    assert one(passing(Output={"v": "{% aaa + bbb + aaa %}"})) == [
        top_level("aaa", "/States/A/Output/v"),
        top_level("bbb", "/States/A/Output/v"),
    ]


@pytest.mark.parametrize(
    ("expression", "name"),
    [
        ("$.phone", "$"),
        ("{aaa: 1}", "aaa"),
        ('{"k": value}', "value"),
        ("phone.number", "phone"),
        ("$map($states.input.a, function($x){ other })", "other"),
        ("$count(items)", "items"),
        ("$states.input.a ? yes : 0", "yes"),
        ("($n := base; $n + 1)", "base"),
        ("[1..last]", "last"),
        ("`first name`", "first name"),
    ],
)
def test_what_reads_the_top_level_context(expression: str, name: str) -> None:
    assert one(passing(Output=f"{{% {expression} %}}")) == [top_level(name, "/States/A/Output")]


@pytest.mark.parametrize(
    "expression",
    [
        "$states.input.phone",
        "$states.input.items[phone > 3]",
        "$map($states.input.a, function($x){ $x.phone })",
        "$phone",
        "$undefinedVariable.field",
        "$states.input{kind: $count($)}",
        "$states.input^(>price, name)",
        "$states.input.(a + b)",
        "$states.context.Execution.Id & '-' & $string($states.input.n / 2)",
        "$match($states.input.s, /a(b)c/i).groups",
        "$states.input ~> |$|{'done': true}|",
        "$states.input.items#$i[$i > 0]",
        "6 / 2 / 1",
        "$sum($states.input.items.price) > 100 and $states.input.vip",
        "**.price",
        "/* a comment */ $states.input",
    ],
)
def test_anchored_expressions_are_accepted(expression: str) -> None:
    assert one(passing(Output=f"{{% {expression} %}}")) == []


def test_double_dollar_is_refused() -> None:
    # Recorded (floci-io/floci PR #2786).
    assert one(passing(Output="{% $$ %}")) == [(UNSUPPORTED, ROOT, "/States/A/Output")]


def test_error_output_outside_a_catcher_is_refused() -> None:
    # Recorded (floci-io/floci PR #2786).
    assert one(passing(Output="{% $states.errorOutput %}")) == [
        (UNSUPPORTED, NO_FIELD.format("errorOutput"), "/States/A/Output")
    ]


def test_error_output_in_a_catchers_output_and_assign_is_accepted() -> None:
    # Recorded (floci-io/floci PR #2786).
    assert found(catching(Output="{% $states.errorOutput %}")) == []
    assert found(catching(Assign={"e": "{% $states.errorOutput.Cause %}"})) == []


@pytest.mark.parametrize(
    "state",
    [
        task(Output="{% $states.result.Payload %}", Assign={"r": "{% $states.result %}"}),
        mapping(Output={"n": "{% $count($states.result) %}"}),
        {
            "Type": "Parallel",
            "Branches": [PROCESSOR],
            "End": True,
            "Assign": {"r": "{% $states.result[0] %}"},
        },
    ],
)
def test_result_in_the_output_and_assign_of_task_parallel_map(state: dict[str, Any]) -> None:
    assert one(state) == []


@pytest.mark.parametrize(
    ("definition", "location"),
    [
        (jsonata({"A": passing(Output="{% $states.result %}")}), "/States/A/Output"),
        (jsonata({"A": task(Arguments={"r": "{% $states.result %}"})}), "/States/A/Arguments/r"),
        (
            jsonata({"A": mapping(ItemSelector={"r": "{% $states.result %}"})}),
            "/States/A/ItemSelector/r",
        ),
        (catching(Output="{% $states.result %}"), "/States/A/Catch[0]/Output"),
        (choosing(Condition="{% $states.result %}"), "/States/C/Choices[0]/Condition"),
    ],
)
def test_result_elsewhere_is_refused(definition: dict[str, Any], location: str) -> None:
    # UNVERIFIED wording, modelled on the recorded errorOutput message; AWS documents that
    # such reads are "caught at creation, update, or validation of the state machine".
    assert found(definition) == [(UNSUPPORTED, NO_FIELD.format("result"), location)]


# --- workflow variables ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["x", "camelCase", "x1", "x_y", "ñandú", "变量", "Ωmega", "a" * 80, "stateMachine"]
)
@pytest.mark.parametrize("language", ["JSONata", "JSONPath"])
def test_valid_variable_names(name: str, language: str) -> None:
    assert one(passing(Assign={name: 1}), language) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("1x", "The variable name '1x' is not a valid identifier"),
        ("_x", "The variable name '_x' is not a valid identifier"),
        ("a b", "The variable name 'a b' is not a valid identifier"),
        ("x.y", "The variable name 'x.y' is not a valid identifier"),
        ("x[2]", "The variable name 'x[2]' is not a valid identifier"),
        ("a-b", "The variable name 'a-b' is not a valid identifier"),
        ("$x", "The variable name '$x' is not a valid identifier"),
        ("", "The variable name '' is not a valid identifier"),
        ("states", "The variable name 'states' is reserved"),
        ("a" * 81, f"The variable name '{'a' * 81}' is longer than 80 characters"),
    ],
)
@pytest.mark.parametrize("language", ["JSONata", "JSONPath"])
def test_invalid_variable_names(name: str, message: str, language: str) -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html (name
    # syntax); the wordings are UNVERIFIED.
    assert one(passing(Assign={name: 1}), language) == [schema(message, "/States/A/Assign")]


def test_a_jsonpath_dynamic_key_names_the_variable_without_its_suffix() -> None:
    assert one(passing(Assign={"x.$": "$.a"}), "JSONPath") == []
    assert one(passing(Assign={"states.$": "$.a"}), "JSONPath") == [
        schema("The variable name 'states' is reserved", "/States/A/Assign")
    ]
    assert one(passing(Assign={"x.y.$": "$.a"}), "JSONPath") == [
        schema("The variable name 'x.y' is not a valid identifier", "/States/A/Assign")
    ]


def test_a_jsonata_key_is_the_name_itself() -> None:
    assert one(passing(Assign={"x.$": "{% $states.input %}"})) == [
        schema("The variable name 'x.$' is not a valid identifier", "/States/A/Assign")
    ]


def test_variable_names_are_checked_in_choice_rules_and_catchers() -> None:
    assert found(choosing(Condition=True, Assign={"a b": 1})) == [
        schema("The variable name 'a b' is not a valid identifier", "/States/C/Choices[0]/Assign")
    ]
    assert found(catching(Assign={"states": 1})) == [
        schema("The variable name 'states' is reserved", "/States/A/Catch[0]/Assign")
    ]


@pytest.mark.parametrize(
    "value",
    [
        "$.a",
        "$",
        "$$.Execution.StartTime",
        "$other",
        "$other.field[0]",
        "$.order..product",
        "States.Format('Hello {}', $customer.name)",
        "States.MathAdd($x, 1)",
    ],
)
def test_jsonpath_assign_takes_paths_variables_and_intrinsics(value: str) -> None:
    assert one(passing(Assign={"v.$": value, "static": {"nested.$": value}}), "JSONPath") == []


def test_a_jsonpath_assign_value_must_be_a_path_or_an_intrinsic() -> None:
    # Recorded (aws-cloudformation/cfn-lint #4085): at the Assign object for a top-level key.
    message = (
        "The value for the field '{}' must be a valid JSONPath or a valid intrinsic function call"
    )
    state = passing(Assign={"v.$": "Test", "d": {"n.$": 5}})
    assert one(state, "JSONPath") == [
        schema(message.format("v.$"), "/States/A/Assign"),
        schema(message.format("n.$"), "/States/A/Assign/d"),
    ]


@pytest.mark.parametrize(
    ("state", "location"),
    [
        (passing(), "/States/A"),
        (task(), "/States/A"),
        (mapping(), "/States/A"),
        ({"Type": "Parallel", "Branches": [PROCESSOR], "End": True}, "/States/A"),
        ({"Type": "Wait", "Seconds": 1, "End": True}, "/States/A"),
    ],
)
@pytest.mark.parametrize("language", ["JSONata", "JSONPath"])
def test_assign_is_accepted_where_aws_allows_it(
    state: dict[str, Any], location: str, language: str
) -> None:
    assert one({**state, "Assign": {"x": 1}}, language) == []


def test_assign_in_a_choice_state_and_its_rules() -> None:
    rule = {"Variable": "$.x", "IsPresent": True, "Next": "E", "Assign": {"r.$": "$.x"}}
    choice = {"Type": "Choice", "Choices": [rule], "Default": "E", "Assign": {"s": 1}}
    assert found(jsonpath({"C": choice, "E": passing()}, "C")) == []
    assert found(choosing(Condition=True, Assign={"r": "{% $states.input %}"})) == []


@pytest.mark.parametrize("state", [{"Type": "Succeed"}, {"Type": "Fail", "Error": "E"}])
@pytest.mark.parametrize("language", ["JSONata", "JSONPath"])
def test_assign_is_refused_in_succeed_and_fail(state: dict[str, Any], language: str) -> None:
    assert one({**state, "Assign": {"x": 1}}, language) == [
        schema("Field 'Assign' is not supported", "/States/A")
    ]


def test_assign_is_refused_in_nested_choice_rules_and_retriers() -> None:
    nested = {"Variable": "$.x", "IsNull": True, "Assign": {"x": 1}}
    rule = {"And": [nested], "Next": "E"}
    choice = {"Type": "Choice", "Choices": [rule], "Default": "E"}
    assert found(jsonpath({"C": choice, "E": passing()}, "C")) == [
        schema("Field 'Assign' is not supported", "/States/C/Choices[0]/And[0]")
    ]
    retrier = {"ErrorEquals": ["States.ALL"], "Assign": {"x": 1}}
    assert one(task(Retry=[retrier])) == [
        schema("Field 'Assign' is not supported", "/States/A/Retry[0]")
    ]


@pytest.mark.parametrize("language", ["JSONata", "JSONPath"])
def test_assign_must_be_an_object(language: str) -> None:
    assert one(passing(Assign=[1]), language) == [
        schema("Expected value of type [OBJECT]", "/States/A/Assign")
    ]


@pytest.mark.parametrize(
    "state",
    [
        passing(InputPath="$x", OutputPath="$x.y", Parameters={"a.$": "$x.b"}),
        passing(Parameters={"s.$": "States.Format('{} {}', $first, $$.State.Name)"}),
        {
            "Type": "Map",
            "ItemsPath": "$items",
            "MaxConcurrencyPath": "$limit",
            "ItemSelector": {"v.$": "$bias"},
            "ItemProcessor": PROCESSOR,
            "End": True,
        },
        {"Type": "Wait", "SecondsPath": "$waitTime", "End": True},
        {"Type": "Wait", "TimestampPath": "$when", "End": True},
        task(TimeoutSecondsPath="$timeout", HeartbeatSecondsPath="$beat"),
        {"Type": "Fail", "ErrorPath": "$error", "CausePath": "States.Format('{}', $cause)"},
    ],
)
def test_variable_references_are_valid_jsonpath(state: dict[str, Any]) -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html: "You can
    # reference a variable in any field that accepts a JSONpath expression".
    assert one(state, "JSONPath") == []


def test_variable_references_in_choice_rules() -> None:
    rule = {"Variable": "$guess", "StringEqualsPath": "$answer", "Next": "E"}
    choice = {"Type": "Choice", "Choices": [rule], "Default": "E"}
    assert found(jsonpath({"C": choice, "E": passing()}, "C")) == []


def test_a_variable_cannot_be_a_result_path() -> None:
    # "Variables cannot be used in ResultPath" (workflow-variables.html).
    assert one(passing(ResultPath="$x"), "JSONPath") == [
        schema(
            "Value is not a Reference Path: ResultPath can only refer to the state's data ('$')",
            "/States/A/ResultPath",
        )
    ]


@pytest.mark.parametrize("language", ["JSONata", "JSONPath"])
def test_an_inner_scope_assigning_an_outer_name_is_left_to_the_interpreter(
    language: str,
) -> None:
    # Documented as an error, but no create-time refusal has been recorded.
    inner = {"StartAt": "I", "States": {"I": passing(Assign={"x": 2})}}
    states = {
        "A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "M"},
        "M": mapping(ItemProcessor=inner),
    }
    make = jsonata if language == "JSONata" else jsonpath
    assert found(make(states)) == []


def test_undefined_variables_are_accepted_in_jsonata() -> None:
    # Recorded (floci-io/floci #2670): AWS accepts a variable that nothing assigns.
    assert one(passing(Output="{% $neverAssigned %}")) == []


SUITE = Path("/work/shared/jsonata-test-suite/groups")


def test_the_reference_scan_follows_every_expression_of_jsonatas_suite(engine: Any) -> None:
    # Every expression the engine compiles is followed, except the JSONata 2.1 operators "??"
    # and "?:", which AWS's JSONata 2.0.6 does not have (transforming-data.html).
    if not SUITE.is_dir():
        pytest.skip("JSONata's test suite is not available")
    unfollowed = []
    for path in sorted(SUITE.glob("*/*.json")):
        data = json.loads(path.read_text())
        for case in data if isinstance(data, list) else [data]:
            expression = case.get("expr")
            if not isinstance(expression, str) or "??" in expression or "?:" in expression:
                continue
            try:
                engine.compile_expression(expression)
            except DefinitionError:
                continue
            if references(expression) is None:
                unfollowed.append(expression)
    assert unfollowed == []


# --- properties ------------------------------------------------------------------------------


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_the_reference_scan_never_raises(text: str) -> None:
    result = references(text)
    assert result is None or isinstance(result, list)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
@settings(max_examples=200, deadline=None)
def test_any_template_text_gives_diagnostics_at_the_string_or_none(text: str) -> None:
    for diagnostic in validate_definition(jsonata({"A": passing(Output={"v": f"{{%{text}%}}"})})):
        assert diagnostic.code in (INVALID, UNSUPPORTED)
        assert diagnostic.location == "/States/A/Output/v"


@given(st.from_regex(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-z0-9_À-ÖØ-öø-ÿ]{0,79}", fullmatch=True))
@settings(max_examples=200, deadline=None)
def test_identifiers_up_to_80_characters_are_variable_names(name: str) -> None:
    assert name_error(name) is None or name == "states"


def test_pass_result_is_a_jsonpath_only_field() -> None:
    # "Result (Optional, JSONPath only)": https://docs.aws.amazon.com/step-functions/latest/dg/state-pass.html
    diagnostics = validate_definition(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "Result": {"a": 1}, "End": True}},
        }
    )
    assert [(d.code, d.message, d.location) for d in diagnostics] == [
        (
            "SCHEMA_VALIDATION_FAILED",
            "The QueryLanguage is set to 'JSONata', but field 'Result' is only supported for "
            "the 'JSONPath' QueryLanguage",
            "/States/P",
        )
    ]
