"""Static validation: AWS's codes, wording and locations for each problem.

Expected texts marked "recorded" were seen in real AWS responses (sources in
asl/validation/messages.py); the others pin the wording asl/validation/messages.py chose.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl.validation import (
    Diagnostic,
    invalid_definition_message,
    validate_definition,
    validate_definition_text,
)

SCHEMA = "SCHEMA_VALIDATION_FAILED"
TARGET = "MISSING_TRANSITION_TARGET"
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:Work"
NOT_SUPPORTED = "Field '{}' is not supported"
OTHER_LANGUAGE = (
    "The QueryLanguage is set to '{}', but field '{}' is only supported for the '{}' QueryLanguage"
)
JSONATA_FIELD_IN_JSONPATH = OTHER_LANGUAGE.format("JSONPath", "{}", "JSONata")
JSONPATH_FIELD_IN_JSONATA = OTHER_LANGUAGE.format("JSONata", "{}", "JSONPath")
VALUE_LIST = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"


def found(definition: Any) -> list[tuple[str, str, str]]:
    return [(d.code, d.message, d.location) for d in validate_definition(definition)]


def one_state(state: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {**top, "StartAt": "A", "States": {"A": state}}


def state_problems(state: dict[str, Any], **top: Any) -> list[tuple[str, str, str]]:
    return found(one_state(state, **top))


def end(**fields: Any) -> dict[str, Any]:
    return {"Type": "Pass", "End": True, **fields}


def task(**fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": LAMBDA, "End": True, **fields}


def schema(message: str, location: str) -> tuple[str, str, str]:
    return (SCHEMA, message, location)


VALID: dict[str, Any] = {
    "Comment": "every state type, each valid",
    "Version": "1.0",
    "TimeoutSeconds": 300,
    "StartAt": "Prepare",
    "States": {
        "Prepare": {
            "Type": "Pass",
            "InputPath": "$.order",
            "Parameters": {"id.$": "$.id", "when.$": "$$.Execution.StartTime", "static": [1, 2]},
            "ResultPath": "$.prepared",
            "OutputPath": "$",
            "Next": "Work",
        },
        "Work": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": LAMBDA, "Payload.$": "$"},
            "ResultSelector": {"body.$": "$.Payload"},
            "ResultPath": None,
            "TimeoutSeconds": 60,
            "HeartbeatSeconds": 10,
            "Retry": [
                {
                    "ErrorEquals": ["Lambda.TooManyRequestsException"],
                    "IntervalSeconds": 2,
                    "MaxAttempts": 0,
                    "BackoffRate": 1.5,
                    "MaxDelaySeconds": 30,
                    "JitterStrategy": "FULL",
                },
                {"ErrorEquals": ["States.ALL"]},
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}],
            "Next": "Route",
        },
        "Route": {
            "Type": "Choice",
            "Choices": [
                {
                    "And": [
                        {"Variable": "$.n", "NumericGreaterThanEquals": 1},
                        {"Not": {"Variable": "$.s", "StringMatches": "x*"}},
                    ],
                    "Next": "Pause",
                },
                {"Variable": "$.when", "TimestampLessThan": "2016-03-14T01:59:00Z", "Next": "Fan"},
                {"Variable": "$.a", "StringEqualsPath": "$.b", "Next": "Fan"},
                {"Variable": "$.flag", "IsPresent": True, "Next": "Done"},
            ],
            "Default": "Failed",
        },
        "Pause": {"Type": "Wait", "Seconds": 0, "Next": "Fan"},
        "Fan": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "B1",
                    "States": {"B1": {"Type": "Wait", "SecondsPath": "$.s", "End": True}},
                },
                {"StartAt": "B2", "States": {"B2": {"Type": "Succeed"}}},
            ],
            "Next": "Each",
        },
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemSelector": {"value.$": "$$.Map.Item.Value"},
            "MaxConcurrency": 0,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "M1",
                "States": {"M1": {"Type": "Pass", "End": True}},
            },
            "Next": "Done",
        },
        "Done": {"Type": "Succeed"},
        "Failed": {"Type": "Fail", "Error": "Oops", "CausePath": "$.cause"},
    },
}


# --- valid definitions --------------------------------------------------------------------


def test_a_valid_definition_has_no_diagnostics() -> None:
    assert found(VALID) == []


def test_validation_does_not_touch_the_definition() -> None:
    definition = copy.deepcopy(VALID)
    validate_definition(definition)
    assert definition == VALID


def test_a_jsonata_machine_is_not_invalid_for_being_jsonata() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {"FunctionName": LAMBDA, "Payload": "{% $states.input %}"},
                "Output": "{% $states.result.Payload %}",
                "Assign": {"count": "{% $count + 1 %}"},
                "TimeoutSeconds": "{% $timeout %}",
                "Catch": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Output": "{% $states.errorOutput %}",
                        "Next": "Pick",
                    }
                ],
                "Next": "Pick",
            },
            "Pick": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $states.input.n > 1 %}", "Next": "Each"}],
                "Default": "Each",
            },
            "Each": {
                "Type": "Map",
                "Items": "{% $states.input.items %}",
                "MaxConcurrency": "{% $max %}",
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "Next": "Later",
            },
            "Later": {"Type": "Wait", "Seconds": "{% $delay %}", "Next": "Done"},
            "Done": {"Type": "Succeed", "Output": {"ok": True}},
        },
    }
    assert found(definition) == []


def test_a_state_may_opt_into_jsonata_in_a_jsonpath_machine() -> None:
    assert state_problems(end(QueryLanguage="JSONata", Output={"v": "{% 1 %}"})) == []


def test_a_nested_loop_without_a_terminal_state_is_accepted() -> None:
    # Measured on AWS (floci-io/floci PR #2786): MISSING_END_STATE is top-level only.
    loop = {
        "StartAt": "X",
        "States": {"X": {"Type": "Pass", "Next": "Y"}, "Y": {"Type": "Pass", "Next": "X"}},
    }
    assert state_problems({"Type": "Map", "ItemProcessor": loop, "End": True}) == []


# --- the definition as a whole ---------------------------------------------------------------


@pytest.mark.parametrize("raw", [None, [], "text", 1, True, 1.5])
def test_a_definition_must_be_a_json_object(raw: Any) -> None:
    assert found(raw) == [(SCHEMA, "Definition must be a valid JSON object", "")]


def test_empty_object_reports_both_required_fields_in_aws_order() -> None:
    # Recorded: exactly this one diagnostic.
    assert found({}) == [schema("These fields are required: [States, StartAt]", "/")]


def test_missing_start_at() -> None:
    # Recorded: exactly this one diagnostic.
    assert found({"States": {"A": end()}}) == [schema("These fields are required: [StartAt]", "/")]


def test_unknown_top_level_field() -> None:
    assert found({**one_state(end()), "Coment": "typo"}) == [
        schema(NOT_SUPPORTED.format("Coment"), "/")
    ]


def test_start_at_must_be_a_string() -> None:
    assert found({"StartAt": 1, "States": {"A": end()}}) == [
        schema("Expected value of type [STRING]", "/StartAt")
    ]


def test_states_must_be_an_object() -> None:
    assert found({"StartAt": "A", "States": []}) == [
        schema("Expected value of type [OBJECT]", "/States")
    ]


def test_empty_states_leaves_start_at_dangling_and_no_terminal_state() -> None:
    assert found({"StartAt": "A", "States": {}}) == [
        (TARGET, "Missing 'Next' target: A", "/StartAt"),
        ("MISSING_END_STATE", "Workflow has no terminal state", ""),
    ]


def test_version_must_be_1_0() -> None:
    assert found(one_state(end(), Version="2.0")) == [
        schema("Value should be one of the following: [1.0]", "/Version")
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "Minimum value is 0"),
        (100_000_000, "Maximum value is 99999999"),
        (1.5, "Expected value of type [INTEGER]"),
        ("60", "Expected value of type [INTEGER]"),
        (True, "Expected value of type [INTEGER]"),
    ],
)
def test_top_level_timeout_seconds(value: Any, message: str) -> None:
    assert found(one_state(end(), TimeoutSeconds=value)) == [schema(message, "/TimeoutSeconds")]


def test_comment_must_be_a_string() -> None:
    assert found(one_state(end(), Comment=5)) == [
        schema("Expected value of type [STRING]", "/Comment")
    ]


def test_query_language_outside_the_enum() -> None:
    # Recorded: the enum error at the field; the machine then counts as JSONata, so Output is fine.
    assert found(one_state(end(Output={"v": "{% 1 %}"}), QueryLanguage="jsonpath")) == [
        schema("Value should be one of the following: [JSONPath, JSONata]", "/QueryLanguage")
    ]


def test_query_language_of_the_wrong_type() -> None:
    # Recorded.
    assert found(one_state(end(), QueryLanguage=5)) == [
        schema("Expected value of type [STRING]", "/QueryLanguage")
    ]


def test_definition_size_limit() -> None:
    big = one_state(end(Result="x" * 1_048_576))
    assert found(big) == [
        schema(
            "1 validation error detected: Value at 'definition' failed to satisfy constraint: "
            "Member must have length less than or equal to 1048576",
            "",
        )
    ]


# --- states: names, types, fields --------------------------------------------------------


def test_state_must_be_an_object() -> None:
    assert found({"StartAt": "A", "States": {"A": "Pass"}}) == [
        schema("Expected value of type [OBJECT]", "/States/A")
    ]


def test_state_type_is_required() -> None:
    assert state_problems({"End": True}) == [
        schema("These fields are required: [Type]", "/States/A")
    ]


def test_state_type_must_be_known() -> None:
    assert state_problems({"Type": "Sleep", "End": True}) == [
        schema(
            "Value should be one of the following: "
            "[Pass, Task, Choice, Wait, Succeed, Fail, Parallel, Map]",
            "/States/A/Type",
        )
    ]


def test_state_name_longer_than_80_characters() -> None:
    name = "N" * 81
    definition = {"StartAt": name, "States": {name: end()}}
    assert found(definition) == [
        (
            "INVALID_STATE_NAME",
            f"State name must be between 1 and 80 characters long: {name}",
            f"/States/{name}",
        )
    ]
    exactly = "N" * 80
    assert found({"StartAt": exactly, "States": {exactly: end()}}) == []


def test_state_names_are_unique_across_nested_scopes() -> None:
    inner = {"StartAt": "Done", "States": {"Done": end()}}
    definition = {
        "StartAt": "M",
        "States": {"M": {"Type": "Map", "Iterator": inner, "Next": "Done"}, "Done": end()},
    }
    assert found(definition) == [
        ("DUPLICATE_STATE_NAME", "Duplicate State name: Done", "/States/Done")
    ]


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        ("Pass", {}),
        ("Wait", {"Seconds": 1}),
        ("Choice", {"Choices": [{"Variable": "$.x", "IsNull": True, "Next": "Z"}]}),
        ("Succeed", {}),
        ("Fail", {}),
    ],
)
def test_timeout_seconds_is_a_task_field(kind: str, extra: dict[str, Any]) -> None:
    # Recorded for Map, Parallel and Pass: "Field 'TimeoutSeconds' is not supported" at the state.
    state = {"Type": kind, "TimeoutSeconds": 5, **extra}
    if kind in ("Pass", "Wait"):
        state["End"] = True
    definition = {"StartAt": "A", "States": {"A": state, "Z": {"Type": "Succeed"}}}
    problems = [p for p in found(definition) if p[0] == SCHEMA]
    assert problems == [schema(NOT_SUPPORTED.format("TimeoutSeconds"), "/States/A")]


@pytest.mark.parametrize("kind", ["Map", "Parallel"])
def test_timeout_seconds_on_map_and_parallel(kind: str) -> None:
    branch = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 25, "End": True}}}
    state: dict[str, Any] = {"Type": kind, "TimeoutSeconds": 5, "End": True}
    state["ItemProcessor" if kind == "Map" else "Branches"] = branch if kind == "Map" else [branch]
    assert state_problems(state) == [schema(NOT_SUPPORTED.format("TimeoutSeconds"), "/States/A")]


def test_retry_catch_and_timeout_on_pass_are_reported_in_document_order() -> None:
    state = end(
        Retry=[{"ErrorEquals": ["States.ALL"]}],
        TimeoutSeconds=5,
        Catch=[{"ErrorEquals": ["States.ALL"], "Next": "A"}],
    )
    assert state_problems(state) == [
        schema(NOT_SUPPORTED.format("Retry"), "/States/A"),
        schema(NOT_SUPPORTED.format("TimeoutSeconds"), "/States/A"),
        schema(NOT_SUPPORTED.format("Catch"), "/States/A"),
    ]


def test_result_path_on_wait_is_not_supported() -> None:
    # Recorded: "Field 'ResultPath' is not supported at /States/<wait state>".
    assert state_problems({"Type": "Wait", "Seconds": 1, "ResultPath": None, "End": True}) == [
        schema(NOT_SUPPORTED.format("ResultPath"), "/States/A")
    ]


# --- Next and End ----------------------------------------------------------------------------


def test_next_and_end_together() -> None:
    definition = {"StartAt": "A", "States": {"A": end(Next="B"), "B": end()}}
    assert found(definition) == [
        schema("Only one of 'Next' or 'End' can be specified", "/States/A")
    ]


@pytest.mark.parametrize("state", [{"Type": "Pass"}, {"Type": "Pass", "End": False}])
def test_neither_next_nor_end(state: dict[str, Any]) -> None:
    definition = {"StartAt": "A", "States": {"A": state, "B": end()}}
    assert found(definition)[0] == schema("These fields are required: [Next]", "/States/A")


def test_end_must_be_a_boolean() -> None:
    problems = state_problems({"Type": "Pass", "End": "true"})
    assert problems[0] == schema("These fields are required: [Next]", "/States/A")
    assert schema("Expected value of type [BOOLEAN]", "/States/A/End") in problems


@pytest.mark.parametrize(
    ("kind", "field"), [("Succeed", "Next"), ("Fail", "End"), ("Choice", "End")]
)
def test_terminal_and_choice_states_take_neither_next_nor_end(kind: str, field: str) -> None:
    state: dict[str, Any] = {"Type": kind, field: True if field == "End" else "A"}
    if kind == "Choice":
        state["Choices"] = [{"Variable": "$.x", "IsNull": True, "Next": "Z"}]
    definition = {"StartAt": "A", "States": {"A": state, "Z": {"Type": "Succeed"}}}
    assert schema(NOT_SUPPORTED.format(field), "/States/A") in found(definition)


# --- transitions ------------------------------------------------------------------------------


def test_dangling_next_and_unreachable_state() -> None:
    # Recorded (localstack/localstack#11978), in this order.
    definition = {
        "StartAt": "pass1",
        "States": {"pass1": {"Type": "Pass", "Next": "pass3"}, "pass2": end()},
    }
    assert found(definition) == [
        (TARGET, "Missing 'Next' target: pass3", "/States/pass1/Next"),
        (TARGET, 'State "pass2" is not reachable.', "/States/pass2"),
    ]


def test_dangling_start_at_makes_every_state_unreachable() -> None:
    # Recorded (aws-cloudformation/cfn-lint#4074).
    definition = {
        "StartAt": "Not sure",
        "States": {"Pass One": {"Type": "Pass", "Next": "Success"}, "Success": {"Type": "Succeed"}},
    }
    assert found(definition) == [
        (TARGET, "Missing 'Next' target: Not sure", "/StartAt"),
        (TARGET, 'State "Pass One" is not reachable.', "/States/Pass One"),
        (TARGET, 'State "Success" is not reachable.', "/States/Success"),
    ]


def test_dangling_default_choice_next_and_catch_next_all_say_next() -> None:
    definition = {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "Ghost1"}],
                "Default": "Ghost2",
            },
            "T": task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Ghost3"}]),
        },
    }
    problems = found(definition)
    assert problems[:3] == [
        (TARGET, "Missing 'Next' target: Ghost1", "/States/C/Choices[0]/Next"),
        (TARGET, "Missing 'Next' target: Ghost2", "/States/C/Default"),
        (TARGET, "Missing 'Next' target: Ghost3", "/States/T/Catch[0]/Next"),
    ]


def test_a_loop_without_terminal_state() -> None:
    # Recorded: one diagnostic, no location; it replaces the unreachable-state report.
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Pass", "Next": "A"},
            "Unused": {"Type": "Pass", "Next": "A"},
        },
    }
    assert found(definition) == [("MISSING_END_STATE", "Workflow has no terminal state", "")]


def test_dangling_target_comes_before_missing_end_state() -> None:
    assert found({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "NOPE"}}}) == [
        (TARGET, "Missing 'Next' target: NOPE", "/States/A/Next"),
        ("MISSING_END_STATE", "Workflow has no terminal state", ""),
    ]


def test_an_unreachable_terminal_state_is_reported_as_unreachable() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Pass", "Next": "A"},
            "C": end(),
        },
    }
    assert found(definition) == [(TARGET, 'State "C" is not reachable.', "/States/C")]


def test_state_names_with_a_slash_keep_it_in_the_location() -> None:
    definition = {"StartAt": "Start", "States": {"Start": end(), "a/b": end()}}
    assert found(definition) == [(TARGET, 'State "a/b" is not reachable.', "/States/a/b")]


def test_transitions_cannot_leave_a_parallel_branch() -> None:
    branch = {"StartAt": "In", "States": {"In": {"Type": "Pass", "Next": "Out"}}}
    definition = {
        "StartAt": "P",
        "States": {"P": {"Type": "Parallel", "Branches": [branch], "Next": "Out"}, "Out": end()},
    }
    assert found(definition) == [
        (TARGET, "Missing 'Next' target: Out", "/States/P/Branches[0]/States/In/Next")
    ]


def test_unreachable_state_inside_an_item_processor() -> None:
    processor = {"StartAt": "W", "States": {"W": end(), "Ghost": end()}}
    assert state_problems({"Type": "Map", "ItemProcessor": processor, "End": True}) == [
        (TARGET, 'State "Ghost" is not reachable.', "/States/A/ItemProcessor/States/Ghost")
    ]


def test_dangling_start_at_inside_an_item_processor() -> None:
    processor = {"StartAt": "Nope", "States": {"X": end()}}
    assert state_problems({"Type": "Map", "ItemProcessor": processor, "End": True}) == [
        (TARGET, "Missing 'Next' target: Nope", "/States/A/ItemProcessor/StartAt"),
        (TARGET, 'State "X" is not reachable.', "/States/A/ItemProcessor/States/X"),
    ]


def test_next_must_be_a_string() -> None:
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": 3}, "B": end()}}
    assert found(definition)[0] == schema("Expected value of type [STRING]", "/States/A/Next")


# --- query languages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "field"),
    [
        (end(Output={"v": 1}), "Output"),
        (task(Arguments={"payload": "literal"}), "Arguments"),
        (
            {
                "Type": "Map",
                "Items": [1],
                "Iterator": {"StartAt": "P", "States": {"P": end()}},
                "End": True,
            },
            "Items",
        ),
    ],
)
def test_jsonata_fields_in_a_jsonpath_state(state: dict[str, Any], field: str) -> None:
    # Recorded, at the state.
    assert state_problems(state) == [schema(JSONATA_FIELD_IN_JSONPATH.format(field), "/States/A")]


def test_jsonpath_fields_in_a_jsonata_state_in_document_order() -> None:
    state = end(InputPath="$.a", OutputPath="$.b", ResultPath="$.c")
    assert state_problems(state, QueryLanguage="JSONata") == [
        schema(JSONPATH_FIELD_IN_JSONATA.format(field), "/States/A")
        for field in ("InputPath", "OutputPath", "ResultPath")
    ]


def test_a_state_cannot_fall_back_to_jsonpath_in_a_jsonata_machine() -> None:
    # Recorded: only this diagnostic, even with a JSONata-only field on the state.
    state = end(QueryLanguage="JSONPath", Output={"v": "{% 1 %}"})
    assert state_problems(state, QueryLanguage="JSONata") == [
        schema(
            "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
            "/States/A",
        )
    ]


def test_a_state_query_language_outside_the_enum_counts_as_jsonata() -> None:
    # Recorded: the language-field error first, then the enum error at the field.
    assert state_problems(end(QueryLanguage="jsonata", InputPath="$.a")) == [
        schema(JSONPATH_FIELD_IN_JSONATA.format("InputPath"), "/States/A"),
        schema(
            "Value should be one of the following: [JSONPath, JSONata]", "/States/A/QueryLanguage"
        ),
    ]


def test_nested_states_inherit_the_machine_language_not_the_maps() -> None:
    # Recorded: the Map's own QueryLanguage does not reach its ItemProcessor.
    processor = {"StartAt": "P", "States": {"P": end(Output={"v": 1})}}
    state = {"Type": "Map", "QueryLanguage": "JSONata", "ItemProcessor": processor, "End": True}
    assert state_problems(state) == [
        schema(JSONATA_FIELD_IN_JSONPATH.format("Output"), "/States/A/ItemProcessor/States/P")
    ]


@pytest.mark.parametrize("container", ["ItemProcessor", "Iterator"])
def test_item_processor_and_iterator_take_no_query_language(container: str) -> None:
    processor = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": end()}}
    assert state_problems({"Type": "Map", container: processor, "End": True}) == [
        schema(NOT_SUPPORTED.format("QueryLanguage"), f"/States/A/{container}")
    ]


def test_a_parallel_branch_takes_no_query_language() -> None:
    branch = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": end()}}
    assert state_problems({"Type": "Parallel", "Branches": [branch], "End": True}) == [
        schema(NOT_SUPPORTED.format("QueryLanguage"), "/States/A/Branches[0]")
    ]


def test_assign_is_accepted_in_a_jsonpath_state() -> None:
    assert state_problems(end(Assign={"counter": 1, "copy.$": "$.x"})) == []


# --- paths and payload templates -----------------------------------------------------------


@pytest.mark.parametrize("field", ["InputPath", "OutputPath"])
def test_paths_must_be_jsonpath(field: str) -> None:
    # Recorded for OutputPath "Test".
    assert state_problems(end(**{field: "Test"})) == [
        schema("Value must be a valid JSONPath.", f"/States/A/{field}")
    ]


@pytest.mark.parametrize("field", ["InputPath", "OutputPath", "ResultPath"])
def test_paths_may_be_null(field: str) -> None:
    assert state_problems(end(**{field: None})) == []


def test_result_path_must_be_a_reference_path() -> None:
    assert state_problems(end(ResultPath="result")) == [
        schema(
            "Value is not a Reference Path: Reference path didn't start with '$'",
            "/States/A/ResultPath",
        )
    ]


def test_result_path_cannot_write_the_context_object() -> None:
    assert state_problems(end(ResultPath="$$.Execution")) == [
        schema(
            "Value is not a Reference Path: ResultPath can only refer to the state's data ('$')",
            "/States/A/ResultPath",
        )
    ]


@pytest.mark.parametrize(
    ("state", "field"),
    [
        ({"Type": "Wait", "SecondsPath": "seconds", "End": True}, "SecondsPath"),
        ({"Type": "Wait", "TimestampPath": "when", "End": True}, "TimestampPath"),
        (task(TimeoutSecondsPath="t"), "TimeoutSecondsPath"),
        (task(HeartbeatSecondsPath="h"), "HeartbeatSecondsPath"),
    ],
)
def test_path_fields_must_be_reference_paths(state: dict[str, Any], field: str) -> None:
    assert state_problems(state) == [
        schema(
            "Value is not a Reference Path: Reference path didn't start with '$'",
            f"/States/A/{field}",
        )
    ]


@pytest.mark.parametrize("field", ["Parameters", "ResultSelector"])
def test_dynamic_values_must_be_paths_or_intrinsics(field: str) -> None:
    # Recorded: "The value for the field '<key>.$' must be a valid JSONPath or a valid intrinsic
    # function call", at the template field.
    assert state_problems(task(**{field: {"Message.$": "Test"}})) == [
        schema(
            "The value for the field 'Message.$' must be a valid JSONPath or a valid intrinsic "
            "function call",
            f"/States/A/{field}",
        )
    ]


def test_dynamic_values_are_checked_at_any_depth() -> None:
    parameters = {"outer": {"list": [{"bad.$": 5}], "ok.$": "$.x"}, "fine": "Test"}
    assert state_problems(task(Parameters=parameters)) == [
        schema(
            "The value for the field 'bad.$' must be a valid JSONPath or a valid intrinsic "
            "function call",
            "/States/A/Parameters/outer/list[0]",
        )
    ]


def test_assign_dynamic_values_are_checked() -> None:
    # Recorded for Assign {"Variable.$": "Test"} at /States/Pass/Assign.
    assert state_problems(end(Assign={"Variable.$": "Test"})) == [
        schema(
            "The value for the field 'Variable.$' must be a valid JSONPath or a valid intrinsic "
            "function call",
            "/States/A/Assign",
        )
    ]


def test_an_intrinsic_call_is_a_dynamic_value() -> None:
    parameters = {"sum.$": "States.MathAdd($.i, 1)", "text.$": "States.Format('{}', $.x)"}
    assert state_problems(end(Parameters=parameters)) == []


def test_an_unfinished_intrinsic_call_is_not() -> None:
    assert state_problems(end(Parameters={"x.$": "States.Format('{}', $.x"})) == [
        schema(
            "The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic "
            "function call",
            "/States/A/Parameters",
        )
    ]


def test_parameters_may_be_any_json_value() -> None:
    assert state_problems(end(Parameters=["abc", 1])) == []


@pytest.mark.parametrize("field", ["ResultSelector", "Credentials"])
def test_object_templates(field: str) -> None:
    assert state_problems(task(**{field: "x"})) == [
        schema("Expected value of type [OBJECT]", f"/States/A/{field}")
    ]


# --- Task ---------------------------------------------------------------------------------------


def test_task_resource_is_required() -> None:
    assert state_problems({"Type": "Task", "End": True}) == [
        schema("These fields are required: [Resource]", "/States/A")
    ]


@pytest.mark.parametrize("resource", ["foo", "arn:aws", "arn:aws:lambda"])
def test_task_resource_must_be_an_arn(resource: str) -> None:
    assert state_problems(task(Resource=resource)) == [
        schema("Value is not a valid resource ARN", "/States/A/Resource")
    ]


@pytest.mark.parametrize(
    "resource",
    [
        LAMBDA,
        "arn:aws:states:::lambda:invoke",
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "arn:aws:states:us-east-1:123456789012:activity:Work",
        "arn:aws-cn:states:::aws-sdk:s3:getObject",
    ],
)
def test_task_resource_arns(resource: str) -> None:
    assert state_problems(task(Resource=resource)) == []


@pytest.mark.parametrize("field", ["TimeoutSeconds", "HeartbeatSeconds"])
@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "Minimum value is 1"),
        (100_000_000, "Maximum value is 99999999"),
        (1.5, "Expected value of type [INTEGER]"),
    ],
)
def test_task_timeouts_are_positive_integers(field: str, value: Any, message: str) -> None:
    assert state_problems(task(**{field: value})) == [schema(message, f"/States/A/{field}")]


@pytest.mark.parametrize("heartbeat", [10, 11])
def test_heartbeat_must_be_below_timeout(heartbeat: int) -> None:
    assert state_problems(task(TimeoutSeconds=10, HeartbeatSeconds=heartbeat)) == [
        schema("HeartbeatSeconds must be smaller than TimeoutSeconds", "/States/A/HeartbeatSeconds")
    ]
    assert state_problems(task(TimeoutSeconds=10, HeartbeatSeconds=9)) == []


@pytest.mark.parametrize("field", ["TimeoutSeconds", "HeartbeatSeconds"])
def test_seconds_and_seconds_path_are_exclusive(field: str) -> None:
    assert state_problems(task(**{field: 5, f"{field}Path": "$.t"})) == [
        schema(
            f"Only one of these fields can be specified: [{field}, {field}Path]",
            f"/States/A/{field}",
        )
    ]


# --- Retry and Catch ----------------------------------------------------------------------------


def test_error_equals_is_required_and_non_empty() -> None:
    assert state_problems(task(Retry=[{}, {"ErrorEquals": []}])) == [
        schema("These fields are required: [ErrorEquals]", "/States/A/Retry[0]"),
        schema("Minimum number of items is 1", "/States/A/Retry[1]/ErrorEquals"),
    ]


def test_error_names_must_be_strings() -> None:
    assert state_problems(task(Retry=[{"ErrorEquals": [1]}])) == [
        schema("Expected value of type [STRING]", "/States/A/Retry[0]/ErrorEquals[0]")
    ]


def test_states_all_must_be_alone_and_last() -> None:
    # Recorded wording and locations (aws/aws-cdk#10530).
    state = task(
        Retry=[{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["Custom"]}],
        Catch=[{"ErrorEquals": ["Custom", "States.ALL"], "Next": "A"}],
    )
    assert state_problems(state) == [
        schema(
            "States.ALL must appear alone and at end of list", "/States/A/Retry[0]/ErrorEquals[0]"
        ),
        schema(
            "States.ALL must appear alone and at end of list", "/States/A/Catch[0]/ErrorEquals[1]"
        ),
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("IntervalSeconds", -1, "Minimum value is 0"),
        ("IntervalSeconds", 100_000_000, "Maximum value is 99999999"),
        ("MaxAttempts", -1, "Minimum value is 0"),
        ("MaxAttempts", 1.5, "Expected value of type [INTEGER]"),
        ("BackoffRate", 0.5, "Minimum value is 1.0"),
        ("BackoffRate", "2", "Expected value of type [NUMBER]"),
        ("MaxDelaySeconds", 0, "Minimum value is 1"),
        ("MaxDelaySeconds", 31_622_401, "Maximum value is 31622400"),
        ("JitterStrategy", "SOME", "Value should be one of the following: [FULL, NONE]"),
        ("Comment", 1, "Expected value of type [STRING]"),
    ],
)
def test_retrier_fields(field: str, value: Any, message: str) -> None:
    retrier = {"ErrorEquals": ["States.ALL"], field: value}
    assert state_problems(task(Retry=[retrier])) == [schema(message, f"/States/A/Retry[0]/{field}")]


def test_unknown_retrier_field() -> None:
    assert state_problems(task(Retry=[{"ErrorEquals": ["X"], "Interval": 1}])) == [
        schema(NOT_SUPPORTED.format("Interval"), "/States/A/Retry[0]")
    ]


def test_catcher_requires_error_equals_and_next() -> None:
    assert state_problems(task(Catch=[{}])) == [
        schema("These fields are required: [Next, ErrorEquals]", "/States/A/Catch[0]")
    ]


def test_catcher_result_path_is_a_reference_path() -> None:
    catcher = {"ErrorEquals": ["States.ALL"], "ResultPath": "error", "Next": "A"}
    assert state_problems(task(Catch=[catcher])) == [
        schema(
            "Value is not a Reference Path: Reference path didn't start with '$'",
            "/States/A/Catch[0]/ResultPath",
        )
    ]


@pytest.mark.parametrize("kind", ["Task", "Parallel", "Map"])
def test_retry_and_catch_on_task_parallel_map(kind: str) -> None:
    scope = {"StartAt": "P", "States": {"P": end()}}
    state: dict[str, Any] = {
        "Type": kind,
        "Retry": [{"ErrorEquals": ["States.ALL"]}],
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
        "Next": "Done",
    }
    state.update(
        {
            "Task": {"Resource": LAMBDA},
            "Parallel": {"Branches": [scope]},
            "Map": {"ItemProcessor": scope},
        }[kind]
    )
    assert found({"StartAt": "A", "States": {"A": state, "Done": {"Type": "Succeed"}}}) == []


def test_retry_must_be_an_array() -> None:
    assert state_problems(task(Retry={"ErrorEquals": ["X"]})) == [
        schema("Expected value of type [ARRAY]", "/States/A/Retry")
    ]


# --- Choice -----------------------------------------------------------------------------------


def choice(*rules: Any, **fields: Any) -> dict[str, Any]:
    return {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": list(rules), **fields},
            "Z": {"Type": "Succeed"},
        },
    }


def rule(**fields: Any) -> dict[str, Any]:
    return {"Next": "Z", **fields}


def test_choices_are_required_and_non_empty() -> None:
    assert found({"StartAt": "C", "States": {"C": {"Type": "Choice"}}})[0] == schema(
        "These fields are required: [Choices]", "/States/C"
    )
    assert found(choice(Default="Z"))[0] == schema(
        "Minimum number of items is 1", "/States/C/Choices"
    )


def test_top_level_rule_needs_next() -> None:
    # Recorded (aws-cloudformation/cfn-lint#4077).
    assert found(choice({"Variable": "$", "StringMatches": "Test"}, Default="Z")) == [
        schema("These fields are required: [Next]", "/States/C/Choices[0]")
    ]


def test_nested_rule_takes_no_next() -> None:
    nested = {"Variable": "$.x", "IsNull": True, "Next": "Z"}
    assert found(choice(rule(Not=nested))) == [
        schema(NOT_SUPPORTED.format("Next"), "/States/C/Choices[0]/Not")
    ]


@pytest.mark.parametrize(
    "fields",
    [{"Variable": "$.x"}, {"Variable": "$.x", "StringEquals": "a", "IsNull": True}],
)
def test_rule_needs_exactly_one_operator(fields: dict[str, Any]) -> None:
    assert found(choice(rule(**fields))) == [
        schema("A Choice Rule must have exactly one comparison operator", "/States/C/Choices[0]")
    ]


def test_data_test_needs_a_variable() -> None:
    assert found(choice(rule(StringEquals="a"))) == [
        schema("These fields are required: [Variable]", "/States/C/Choices[0]")
    ]


def test_combinator_takes_no_variable() -> None:
    nested = [{"Variable": "$.x", "IsNull": True}]
    assert found(choice(rule(Variable="$.x", And=nested))) == [
        schema(NOT_SUPPORTED.format("Variable"), "/States/C/Choices[0]")
    ]


def test_variable_must_be_a_reference_path() -> None:
    # Recorded (aws-cloudformation/cfn-lint#4076).
    assert found(choice(rule(Variable="Test", StringMatches="Test"))) == [
        schema(
            "Value is not a Reference Path: Reference path didn't start with '$'",
            "/States/C/Choices[0]/Variable",
        )
    ]


@pytest.mark.parametrize(
    ("operator", "operand", "message"),
    [
        ("StringEquals", 1, "Expected value of type [STRING]"),
        ("StringMatches", None, "Expected value of type [STRING]"),
        ("NumericLessThan", "5", "Expected value of type [NUMBER]"),
        ("NumericEquals", True, "Expected value of type [NUMBER]"),
        ("BooleanEquals", "true", "Expected value of type [BOOLEAN]"),
        ("IsPresent", 1, "Expected value of type [BOOLEAN]"),
        ("TimestampEquals", 5, "Expected value of type [STRING]"),
        (
            "TimestampEquals",
            "2016-03-14 01:59:00",
            "Value must be a valid ISO-8601 extended offset date-time format string",
        ),
        (
            "NumericEqualsPath",
            "x",
            "Value is not a Reference Path: Reference path didn't start with '$'",
        ),
    ],
)
def test_operand_types(operator: str, operand: Any, message: str) -> None:
    assert found(choice(rule(Variable="$.x", **{operator: operand}))) == [
        schema(message, f"/States/C/Choices[0]/{operator}")
    ]


def test_and_or_need_non_empty_arrays_of_rules() -> None:
    assert found(choice(rule(And=[]))) == [
        schema("Minimum number of items is 1", "/States/C/Choices[0]/And")
    ]
    assert found(choice(rule(Or=["x"]))) == [
        schema("Expected value of type [OBJECT]", "/States/C/Choices[0]/Or[0]")
    ]


def test_nested_rules_are_checked() -> None:
    inner = {"Or": [{"Variable": "$.a", "NumericEquals": "one"}]}
    assert found(choice(rule(Not=inner))) == [
        schema("Expected value of type [NUMBER]", "/States/C/Choices[0]/Not/Or[0]/NumericEquals")
    ]


def test_unknown_rule_field() -> None:
    assert found(choice(rule(Variable="$.x", IsNull=True, Extra=1))) == [
        schema(NOT_SUPPORTED.format("Extra"), "/States/C/Choices[0]")
    ]


def test_jsonata_rule_fields_in_a_jsonpath_choice() -> None:
    assert found(choice(rule(Condition="{% true %}"))) == [
        schema(JSONATA_FIELD_IN_JSONPATH.format("Condition"), "/States/C/Choices[0]"),
        schema("A Choice Rule must have exactly one comparison operator", "/States/C/Choices[0]"),
    ]


def test_jsonata_rules_need_condition_and_next() -> None:
    definition = choice({"Variable": "$.x"}, QueryLanguage="JSONata", Default="Z")
    assert found(definition) == [
        schema(JSONPATH_FIELD_IN_JSONATA.format("Variable"), "/States/C/Choices[0]"),
        schema("These fields are required: [Condition, Next]", "/States/C/Choices[0]"),
    ]


# --- Wait, Fail, Succeed ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [{}, {"Seconds": 1, "SecondsPath": "$.s"}, {"Seconds": 1, "Timestamp": "2016-03-14T01:59:00Z"}],
)
def test_wait_needs_exactly_one_duration(fields: dict[str, Any]) -> None:
    assert state_problems({"Type": "Wait", "End": True, **fields}) == [
        schema(
            "Exactly one of these fields is required: [Seconds, Timestamp, SecondsPath, TimestampPath]",
            "/States/A",
        )
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "Minimum value is 0"),
        (10_000_000_000_000_000, "Maximum value is 99999999"),  # recorded
        ("5", "Expected value of type [INTEGER]"),
    ],
)
def test_wait_seconds(value: Any, message: str) -> None:
    assert state_problems({"Type": "Wait", "Seconds": value, "End": True}) == [
        schema(message, "/States/A/Seconds")
    ]


@pytest.mark.parametrize(
    "timestamp",
    ["2016-03-14T01:59:00", "2016-03-14t01:59:00z", "2016-02-30T01:59:00Z", "tomorrow"],
)
def test_wait_timestamp_must_be_rfc3339(timestamp: str) -> None:
    assert state_problems({"Type": "Wait", "Timestamp": timestamp, "End": True}) == [
        schema(
            "Value must be a valid ISO-8601 extended offset date-time format string",
            "/States/A/Timestamp",
        )
    ]


@pytest.mark.parametrize(
    "timestamp",
    [
        "2016-03-14T01:59:00Z",
        "2016-03-14T01:59:00.123+01:00",
        "2016-03-14T01:59:00.123456789-05:30",
    ],
)
def test_wait_timestamps_accepted(timestamp: str) -> None:
    assert state_problems({"Type": "Wait", "Timestamp": timestamp, "End": True}) == []


@pytest.mark.parametrize(("field", "path"), [("Error", "ErrorPath"), ("Cause", "CausePath")])
def test_fail_literal_and_path_are_exclusive(field: str, path: str) -> None:
    assert state_problems({"Type": "Fail", field: "x", path: "$.x"}) == [
        schema(
            f"Only one of these fields can be specified: [{field}, {path}]", f"/States/A/{field}"
        )
    ]


@pytest.mark.parametrize(
    "value",
    ["$.error", "$$.Execution.Name", "States.Format('E{}', $.code)", "States.UUID()"],
)
def test_fail_error_path_accepts_reference_paths_and_string_intrinsics(value: str) -> None:
    assert state_problems({"Type": "Fail", "ErrorPath": value}) == []


@pytest.mark.parametrize("value", ["error", "States.ArrayLength($.list)"])
def test_fail_error_path_refuses_others(value: str) -> None:
    assert state_problems({"Type": "Fail", "ErrorPath": value}) == [
        schema(
            "Value must be a valid Reference Path or an intrinsic function that returns a string "
            "(States.ArrayGetItem, States.Base64Decode, States.Base64Encode, States.Format, "
            "States.Hash, States.JsonToString, States.UUID)",
            "/States/A/ErrorPath",
        )
    ]


def test_fail_takes_no_input_path() -> None:
    assert state_problems({"Type": "Fail", "InputPath": "$"}) == [
        schema(NOT_SUPPORTED.format("InputPath"), "/States/A")
    ]


def test_succeed_and_fail_are_terminal() -> None:
    assert found(one_state({"Type": "Succeed"})) == []
    assert found(one_state({"Type": "Fail"})) == []


# --- Parallel and Map ---------------------------------------------------------------------------


def test_parallel_needs_branches() -> None:
    assert state_problems({"Type": "Parallel", "End": True}) == [
        schema("These fields are required: [Branches]", "/States/A")
    ]
    assert state_problems({"Type": "Parallel", "Branches": [], "End": True}) == [
        schema("Minimum number of items is 1", "/States/A/Branches")
    ]


def test_each_branch_is_a_state_machine() -> None:
    branches = [
        {"States": {"X": end()}},
        {"StartAt": "Y", "States": {"Y": end()}, "TimeoutSeconds": 1},
    ]
    assert state_problems({"Type": "Parallel", "Branches": branches, "End": True}) == [
        schema("These fields are required: [StartAt]", "/States/A/Branches[0]"),
        schema(NOT_SUPPORTED.format("TimeoutSeconds"), "/States/A/Branches[1]"),
    ]


def test_branch_states_are_validated() -> None:
    branch = {"StartAt": "X", "States": {"X": {"Type": "Wait", "Seconds": -1, "End": True}}}
    assert state_problems({"Type": "Parallel", "Branches": [branch], "End": True}) == [
        schema("Minimum value is 0", "/States/A/Branches[0]/States/X/Seconds")
    ]


def processor() -> dict[str, Any]:
    return {"StartAt": "P", "States": {"P": end()}}


@pytest.mark.parametrize("fields", [{}, {"ItemProcessor": processor(), "Iterator": processor()}])
def test_map_needs_exactly_one_processor(fields: dict[str, Any]) -> None:
    problems = state_problems({"Type": "Map", "End": True, **fields})
    assert (
        schema("Exactly one of these fields is required: [ItemProcessor, Iterator]", "/States/A")
        in problems
    )


def test_map_item_selector_and_parameters_are_exclusive() -> None:
    state = {
        "Type": "Map",
        "ItemProcessor": processor(),
        "ItemSelector": {},
        "Parameters": {},
        "End": True,
    }
    assert state_problems(state) == [
        schema(
            "Only one of these fields can be specified: [ItemSelector, Parameters]",
            "/States/A/ItemSelector",
        )
    ]


def test_map_max_concurrency() -> None:
    state = {"Type": "Map", "ItemProcessor": processor(), "End": True}
    # Recorded: "Minimum value is 0" at the field; a huge value is accepted.
    assert state_problems({**state, "MaxConcurrency": -1}) == [
        schema("Minimum value is 0", "/States/A/MaxConcurrency")
    ]
    assert state_problems({**state, "MaxConcurrency": 9223372036854775807}) == []
    # Recorded location: the MaxConcurrency field.
    assert state_problems({**state, "MaxConcurrency": 2, "MaxConcurrencyPath": "$.n"}) == [
        schema(
            "Only one of these fields can be specified: [MaxConcurrency, MaxConcurrencyPath]",
            "/States/A/MaxConcurrency",
        )
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ToleratedFailurePercentage", 101, "Maximum value is 100"),
        ("ToleratedFailurePercentage", -0.5, "Minimum value is 0"),
        ("ToleratedFailureCount", -1, "Minimum value is 0"),
        (
            "ItemsPath",
            "items",
            "Value is not a Reference Path: Reference path didn't start with '$'",
        ),
        ("ItemSelector", [], "Expected value of type [OBJECT]"),
        ("Label", 5, "Expected value of type [STRING]"),
    ],
)
def test_map_fields(field: str, value: Any, message: str) -> None:
    state = {"Type": "Map", "ItemProcessor": processor(), "End": True, field: value}
    assert state_problems(state) == [schema(message, f"/States/A/{field}")]


def test_processor_config() -> None:
    def config(value: dict[str, Any]) -> list[tuple[str, str, str]]:
        proc = {**processor(), "ProcessorConfig": value}
        return state_problems({"Type": "Map", "ItemProcessor": proc, "End": True})

    where = "/States/A/ItemProcessor/ProcessorConfig"
    assert config({"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}) == []
    assert config({"Mode": "PARALLEL"}) == [
        schema("Value should be one of the following: [INLINE, DISTRIBUTED]", f"{where}/Mode")
    ]
    assert config({"Mode": "DISTRIBUTED"}) == [
        schema("These fields are required: [ExecutionType]", where)
    ]
    assert config({"Mode": "INLINE", "ExecutionType": "EXPRESS"}) == [
        schema(
            "Field 'ExecutionType' is only supported when 'Mode' is set to 'DISTRIBUTED'",
            f"{where}/ExecutionType",
        )
    ]


def test_map_legacy_parameters_are_a_template() -> None:
    state = {"Type": "Map", "Iterator": processor(), "Parameters": {"v.$": "value"}, "End": True}
    assert state_problems(state) == [
        schema(
            "The value for the field 'v.$' must be a valid JSONPath or a valid intrinsic "
            "function call",
            "/States/A/Parameters",
        )
    ]


def test_a_state_machine_nested_in_a_map_in_a_parallel() -> None:
    inner = {"StartAt": "I", "States": {"I": {"Type": "Pass"}}}
    branch = {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": inner, "End": True}}}
    assert state_problems({"Type": "Parallel", "Branches": [branch], "End": True}) == [
        schema(
            "These fields are required: [Next]",
            "/States/A/Branches[0]/States/M/ItemProcessor/States/I",
        )
    ]


# --- JSON text ------------------------------------------------------------------------------------


def text_problems(text: str) -> list[tuple[str, str, str]]:
    return [(d.code, d.message, d.location) for d in validate_definition_text(text)[1]]


def jackson(message: str, source: str, line: int, column: int) -> tuple[str, str, str]:
    location = f'[Source: (String)"{source}"; line: {line}, column: {column}]'
    return ("INVALID_JSON_DESCRIPTION", f"{message}\n at {location}", location)


def test_text_is_parsed_then_validated() -> None:
    raw, diags = validate_definition_text(json.dumps(VALID))
    assert raw == VALID and diags == []


def test_unrecognized_token() -> None:
    # Recorded exactly (LocalStack snapshot, NOT_A_DEF).
    assert text_problems("not a definition") == [
        jackson(f"Unrecognized token 'not': was expecting {VALUE_LIST}", "not a definition", 1, 4)
    ]


@pytest.mark.parametrize("text", ["", " ", " \n\t ", "null", "[]", '"text"', "42"])
def test_text_that_is_not_an_object(text: str) -> None:
    # Recorded for " ".
    assert text_problems(text) == [(SCHEMA, "Definition must be a valid JSON object", "")]


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        (
            '{"a": [1,]}',
            f"Unexpected character (']' (code 93)): expected a valid value {VALUE_LIST}",
            1,
            11,
        ),
        (
            '{"a" 1}',
            "Unexpected character ('1' (code 49)): was expecting a colon to separate field name and value",
            1,
            7,
        ),
        (
            '{"a":1 "b":2}',
            "Unexpected character ('\"' (code 34)): was expecting comma to separate Object entries",
            1,
            9,
        ),
        (
            '{"a":1,}',
            "Unexpected character ('}' (code 125)): was expecting double-quote to start field name",
            1,
            9,
        ),
        (
            "{'a':1}",
            "Unexpected character (''' (code 39)): was expecting double-quote to start field name",
            1,
            3,
        ),
        (
            '{"a":1]',
            "Unexpected close marker ']': expected '}' (for Object starting at [Source: (String)\"{\"a\":1]\"; line: 1, column: 1])",
            1,
            8,
        ),
        ('{"a": tru}', f"Unrecognized token 'tru': was expecting {VALUE_LIST}", 1, 10),
        (
            '{"a": NaN}',
            "Non-standard token 'NaN': enable JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS to allow",
            1,
            10,
        ),
        ('{"a": 01}', "Invalid numeric value: Leading zeroes not allowed", 1, 8),
        (
            '{"a": -x}',
            "Unexpected character ('x' (code 120)) in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value",
            1,
            9,
        ),
        (
            '{"a": 1.}',
            "Unexpected character ('}' (code 125)) in numeric value: Decimal point not followed by a digit",
            1,
            10,
        ),
        # A line break inside a string does not start a new line for Jackson's count.
        (
            '{"a": "x\ny"}',
            "Illegal unquoted character ((CTRL-CHAR, code 10)): has to be escaped using backslash to be included in string value",
            1,
            10,
        ),
        ('{"a": "\\q"}', "Unrecognized character escape 'q' (code 113)", 1, 10),
        (
            '{\n  "a":\n  #\n}',
            f"Unexpected character ('#' (code 35)): expected a valid value {VALUE_LIST}",
            3,
            4,
        ),
        ('{"a": 1} // c', None, 0, 0),
    ],
)
def test_jackson_messages(text: str, message: str | None, line: int, column: int) -> None:
    problems = text_problems(text)
    if message is None:  # Jackson reads the first value only; what follows is ignored
        assert problems and problems[0][0] == SCHEMA
    else:
        assert problems == [jackson(message, text, line, column)]


def test_unexpected_end_of_input() -> None:
    assert text_problems('{"a":1') == [
        jackson(
            "Unexpected end-of-input: expected close marker for Object (start marker at "
            '[Source: (String)"{"a":1"; line: 1, column: 1])',
            '{"a":1',
            1,
            7,
        )
    ]
    assert text_problems('{"a":') == [
        jackson("Unexpected end-of-input within/between Object entries", '{"a":', 1, 6)
    ]
    assert text_problems('{"a') == [jackson("Unexpected end-of-input in field name", '{"a', 1, 4)]
    assert text_problems('{"a":"b') == [
        jackson(
            "Unexpected end-of-input: was expecting closing quote for a string value",
            '{"a":"b',
            1,
            8,
        )
    ]


def test_long_source_is_truncated_to_500_characters() -> None:
    text = '{"a": "' + "x" * 600 + '", "b": oops}'
    head = text[:500]
    location = f'[Source: (String)"{head}"[truncated {len(text) - 500} chars]; line: 1, column: {len(text)}]'
    assert text_problems(text) == [
        (
            "INVALID_JSON_DESCRIPTION",
            f"Unrecognized token 'oops': was expecting {VALUE_LIST}\n at {location}",
            location,
        )
    ]


def test_columns_count_utf16_units_and_lines_restart() -> None:
    text = '{"😀": 1,\r\n "b": x}'
    ((code, message, location),) = text_problems(text)
    assert code == "INVALID_JSON_DESCRIPTION"
    assert location.endswith("; line: 2, column: 8]")
    assert "Unrecognized token 'x'" in message
    text = '{"😀": x}'
    assert text_problems(text)[0][2].endswith("; line: 1, column: 9]")


def test_text_after_the_definition_is_ignored() -> None:
    text = json.dumps(one_state(end())) + " trailing"
    assert validate_definition_text(text) == (one_state(end()), [])


def test_text_size_limit() -> None:
    raw, diags = validate_definition_text(" " * 1_048_577)
    assert raw is None
    assert [d.message for d in diags] == [
        "1 validation error detected: Value at 'definition' failed to satisfy constraint: "
        "Member must have length less than or equal to 1048576"
    ]


def test_very_deep_nesting() -> None:
    text = "[" * 1001 + "]" * 1001
    ((code, message, _),) = text_problems(text)
    assert code == "INVALID_JSON_DESCRIPTION"
    assert message.startswith("Document nesting depth (1001) exceeds the maximum allowed (1000")


# --- the API shapes ---------------------------------------------------------------------------


def test_to_api_omits_an_absent_location() -> None:
    with_location = Diagnostic("ERROR", SCHEMA, "m", "/States/A")
    assert with_location.to_api() == {
        "severity": "ERROR",
        "code": SCHEMA,
        "message": "m",
        "location": "/States/A",
    }
    assert Diagnostic("ERROR", "MISSING_END_STATE", "m", "").to_api() == {
        "severity": "ERROR",
        "code": "MISSING_END_STATE",
        "message": "m",
    }


def test_invalid_definition_message_joins_diagnostics() -> None:
    # Recorded (localstack/localstack#11978).
    definition = {
        "StartAt": "pass1",
        "States": {"pass1": {"Type": "Pass", "Next": "pass3"}, "pass2": end()},
    }
    assert invalid_definition_message(validate_definition(definition)) == (
        "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: "
        'pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State "pass2" is not '
        "reachable. at /States/pass2'"
    )


def test_invalid_definition_message_without_location_says_null() -> None:
    # Recorded (floci-io/floci#2735).
    loop = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}},
    }
    assert invalid_definition_message(validate_definition(loop)) == (
        "Invalid State Machine Definition: 'MISSING_END_STATE: Workflow has no terminal state at null'"
    )


def test_invalid_definition_message_leaves_warnings_out() -> None:
    diags = [
        Diagnostic("WARNING", "NO_DOLLAR", "w", "/States/A"),
        Diagnostic("ERROR", SCHEMA, "Field 'X' is not supported", "/States/A"),
    ]
    assert invalid_definition_message(diags) == (
        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Field 'X' is not supported at /States/A'"
    )


def test_invalid_definition_message_for_a_json_error_does_not_repeat_the_location() -> None:
    diags = validate_definition_text("not a definition")[1]
    assert invalid_definition_message(diags) == (
        "Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: Unrecognized token 'not': "
        f'was expecting {VALUE_LIST}\n at [Source: (String)"not a definition"; line: 1, column: 4]\''
    )


# --- properties -----------------------------------------------------------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=40,
)

STATE_KEYS = st.sampled_from(
    ["Type", "Next", "End", "Resource", "Choices", "Branches", "ItemProcessor", "Iterator", "Seconds",
     "Parameters", "Retry", "Catch", "ResultPath", "InputPath", "QueryLanguage", "Default", "Variable",
     "StringEquals", "And", "Not", "ErrorEquals", "StartAt", "States", "Output", "Timestamp"]
)  # fmt: skip
ASL_LIKE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from(["Pass", "Task", "Choice", "Map", "$.x", "A", "States.ALL"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(STATE_KEYS | st.text(max_size=3), children, max_size=6),
    max_leaves=60,
)  # fmt: skip


@settings(max_examples=300)
@given(JSON)
def test_validate_definition_never_raises(raw: Any) -> None:
    diags = validate_definition(raw)
    assert all(isinstance(d, Diagnostic) and d.severity == "ERROR" for d in diags)


@settings(max_examples=300)
@given(
    st.dictionaries(st.sampled_from(["StartAt", "States", "QueryLanguage", "Comment"]), ASL_LIKE)
)
def test_validate_definition_never_raises_on_asl_shaped_input(raw: dict[str, Any]) -> None:
    snapshot = copy.deepcopy(raw)
    validate_definition(raw)
    assert raw == snapshot


@settings(max_examples=300)
@given(st.text())
def test_validate_definition_text_never_raises(text: str) -> None:
    raw, diags = validate_definition_text(text)
    if raw is None:
        assert len(diags) == 1
    elif isinstance(raw, dict):
        assert diags == validate_definition(raw)


@settings(max_examples=200)
@given(JSON)
def test_text_and_parsed_forms_agree(raw: Any) -> None:
    text = json.dumps(raw)
    parsed, diags = validate_definition_text(text)
    if isinstance(raw, dict):
        assert parsed == raw
        assert diags == validate_definition(raw)
    else:
        assert [d.message for d in diags] == ["Definition must be a valid JSON object"]
