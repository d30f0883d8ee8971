"""Lambda functions answered by local handlers: routing by name or ARN, the Invoke response
and Lambda's errors as Step Functions reports them."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest

import asl
from emulator import Delayed, TaskFailure, run_local
from emulator.driver import default_info
from emulator.handlers import invoke
from emulator.lambdas import FunctionRef, find_handler, parse_function_name, route

INVOKE = "arn:aws:states:::lambda:invoke"
FN_ARN = "arn:aws:lambda:us-east-1:123456789012:function:Fn"
NOW = datetime(2024, 1, 1, 12, 30, 5, tzinfo=UTC)


def task(resource: str, task_input: Any, token: str | None = None) -> asl.InvokeTask:
    return asl.InvokeTask("t1", resource, task_input, "T", task_token=token)


def run(states: dict[str, Any], handlers: dict[str, Any], data: Any = None) -> Any:
    machine = asl.load({"StartAt": next(iter(states)), "States": states})
    return run_local(machine, {} if data is None else data, handlers, default_info(start_time=NOW))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Fn", FunctionRef("Fn")),
        ("Fn:prod", FunctionRef("Fn", "prod")),
        ("111122223333:function:Fn", FunctionRef("Fn", account="111122223333")),
        ("111122223333:function:Fn:7", FunctionRef("Fn", "7", account="111122223333")),
        (
            "arn:aws:lambda:eu-west-1:111122223333:function:Fn",
            FunctionRef("Fn", None, "eu-west-1", "111122223333", explicit=True),
        ),
        (
            "arn:aws:lambda:eu-west-1:111122223333:function:Fn:live",
            FunctionRef("Fn", "live", "eu-west-1", "111122223333", explicit=True),
        ),
        ("arn:aws:sqs:us-east-1:123456789012:queue", None),
        ("a:b:c:d:e", None),
        ("", None),
    ],
)
def test_function_name_forms(name: str, expected: FunctionRef | None) -> None:
    assert parse_function_name(name) == expected


def test_function_arns() -> None:
    ref = FunctionRef("Fn", "prod", "eu-west-1", "111122223333")
    assert ref.arn == "arn:aws:lambda:eu-west-1:111122223333:function:Fn"
    assert ref.qualified_arn == "arn:aws:lambda:eu-west-1:111122223333:function:Fn:prod"
    assert FunctionRef("Fn").qualified_arn == FN_ARN


def test_qualified_registration_wins_over_the_plain_name() -> None:
    def plain(_: Any) -> Any:
        return 0

    def prod(_: Any) -> Any:
        return 1

    handlers = {"Fn": plain, "Fn:prod": prod}
    assert find_handler(FunctionRef("Fn", "prod"), handlers) is prod
    assert find_handler(FunctionRef("Fn", "dev"), handlers) is plain
    assert find_handler(FunctionRef("Fn"), handlers) is plain
    assert find_handler(FunctionRef("Other"), handlers) is None


def test_a_name_finds_a_handler_registered_by_arn_of_another_region() -> None:
    def handler(_: Any) -> Any:
        return 0

    handlers = {"arn:aws:lambda:eu-west-1:111122223333:function:Fn": handler}
    assert find_handler(FunctionRef("Fn"), handlers) is handler
    # A full ARN names one function: another region's registration is another function.
    other = parse_function_name("arn:aws:lambda:us-west-2:111122223333:function:Fn")
    assert other is not None and find_handler(other, handlers) is None


def test_a_handler_for_the_invoke_resource_itself_keeps_answering_raw() -> None:
    handlers = {INVOKE: lambda event: {"raw": event}}
    assert route(INVOKE, {"FunctionName": "Fn"}, handlers) is None
    _, outcome = invoke(task(INVOKE, {"FunctionName": "Fn"}), handlers, NOW)
    assert outcome == asl.TaskSucceeded("t1", {"raw": {"FunctionName": "Fn"}})


def test_other_resources_are_not_routed() -> None:
    assert route("arn:aws:states:::sqs:sendMessage", {}, {}) is None
    assert route("arn:aws:states:us-east-1:123456789012:activity:A", {}, {}) is None


def test_lambda_invoke_wraps_the_result_in_the_invoke_response() -> None:
    seen: list[Any] = []

    def handler(event: Any) -> Any:
        seen.append(event)
        return {"greeting": "hi"}

    at, outcome = invoke(
        task(INVOKE, {"FunctionName": "Fn", "Payload": {"a": 1}}), {"Fn": handler}, NOW
    )
    assert at == NOW and seen == [{"a": 1}]
    assert isinstance(outcome, asl.TaskSucceeded)
    out = outcome.output
    rid = out["SdkResponseMetadata"]["RequestId"]
    assert list(out) == [
        "ExecutedVersion",
        "Payload",
        "SdkHttpMetadata",
        "SdkResponseMetadata",
        "StatusCode",
    ]
    assert (out["ExecutedVersion"], out["Payload"], out["StatusCode"]) == (
        "$LATEST",
        {"greeting": "hi"},
        200,
    )
    http = out["SdkHttpMetadata"]
    assert http["HttpStatusCode"] == 200
    assert http["HttpHeaders"] == {
        "Connection": "keep-alive",
        "Content-Length": str(len(json.dumps({"greeting": "hi"}))),
        "Content-Type": "application/json",
        "Date": "Mon, 01 Jan 2024 12:30:05 GMT",
        "X-Amz-Executed-Version": "$LATEST",
        "x-amzn-Remapped-Content-Length": "0",
        "x-amzn-RequestId": rid,
    }
    assert http["AllHttpHeaders"] == {k: [v] for k, v in http["HttpHeaders"].items()}


def test_empty_object_payload_has_content_length_2_as_recorded() -> None:
    _, outcome = invoke(
        task(INVOKE, {"FunctionName": "Fn", "Payload": None}), {"Fn": lambda e: e}, NOW
    )
    assert isinstance(outcome, asl.TaskSucceeded)
    assert outcome.output["Payload"] == {}
    assert outcome.output["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == "2"


def test_missing_payload_reaches_the_handler_as_an_empty_object() -> None:
    seen: list[Any] = []
    invoke(task(INVOKE, {"FunctionName": "Fn"}), {"Fn": lambda e: seen.append(e)}, NOW)
    assert seen == [{}]


def test_request_ids_are_stable_per_attempt_and_differ_between_attempts() -> None:
    effect = task(INVOKE, {"FunctionName": "Fn"})
    handlers = {"Fn": lambda e: 1}
    first = invoke(effect, handlers, NOW)[1]
    again = invoke(effect, handlers, NOW)[1]
    later = invoke(effect, handlers, datetime(2024, 1, 1, 12, 31, tzinfo=UTC))[1]
    assert isinstance(first, asl.TaskSucceeded) and isinstance(later, asl.TaskSucceeded)
    assert first == again
    assert first.output["SdkResponseMetadata"] != later.output["SdkResponseMetadata"]


def test_a_numbered_qualifier_is_the_executed_version() -> None:
    handlers = {"Fn": lambda e: 1}
    for params, version in [
        ({"FunctionName": "Fn:3"}, "3"),
        ({"FunctionName": "Fn", "Qualifier": "5"}, "5"),
        ({"FunctionName": "Fn:prod"}, "$LATEST"),
        ({"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:Fn"}, "$LATEST"),
    ]:
        _, outcome = invoke(task(INVOKE, params), handlers, NOW)
        assert isinstance(outcome, asl.TaskSucceeded), params
        assert outcome.output["ExecutedVersion"] == version
        assert outcome.output["SdkHttpMetadata"]["HttpHeaders"]["X-Amz-Executed-Version"] == version


def test_unknown_function_is_lambda_resource_not_found_with_aws_cause() -> None:
    _, outcome = invoke(task(INVOKE, {"FunctionName": "Nope"}), {}, NOW)
    assert isinstance(outcome, asl.TaskFailed)
    assert outcome.error == "Lambda.ResourceNotFoundException"
    prefix = (
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:Nope "
        "(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: "
    )
    assert outcome.cause.startswith(prefix) and outcome.cause.endswith("; Proxy: null)")
    _, outcome = invoke(task(INVOKE, {"FunctionName": "Nope", "Qualifier": "prod"}), {}, NOW)
    assert isinstance(outcome, asl.TaskFailed)
    assert "function:Nope:prod (Service" in outcome.cause


def test_unknown_function_arn_resource_is_resource_not_found() -> None:
    _, outcome = invoke(task(FN_ARN, {}), {}, NOW)
    assert isinstance(outcome, asl.TaskFailed)
    assert outcome.error == "Lambda.ResourceNotFoundException"
    assert outcome.cause.startswith(f"Function not found: {FN_ARN} (Service: AWSLambda;")


def test_function_name_must_be_a_string() -> None:
    _, outcome = invoke(task(INVOKE, {"Payload": {}}), {"Fn": lambda e: e}, NOW)
    assert isinstance(outcome, asl.TaskFailed) and outcome.error == "States.Runtime"


def boom(event: Any) -> Any:
    raise ValueError(f"bad input {event['n']}")


def test_handler_exception_is_lambdas_error_object() -> None:
    _, outcome = invoke(
        task(INVOKE, {"FunctionName": "Fn", "Payload": {"n": 3}}), {"Fn": boom}, NOW
    )
    assert isinstance(outcome, asl.TaskFailed)
    assert outcome.error == "ValueError"
    cause = json.loads(outcome.cause)
    assert list(cause) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert (cause["errorMessage"], cause["errorType"]) == ("bad input 3", "ValueError")
    # Only the handler's own frames, as the Lambda runtime reports them.
    assert len(cause["stackTrace"]) == 1
    assert "in boom" in cause["stackTrace"][0] and "raise ValueError" in cause["stackTrace"][0]
    assert ',"errorType":' in outcome.cause  # compact JSON, as recorded


def test_task_failure_and_delay_keep_working_through_lambda_invoke() -> None:
    def fail(_: Any) -> Any:
        raise TaskFailure("Lambda.ServiceException", "busy")

    _, outcome = invoke(task(INVOKE, {"FunctionName": "Fn"}), {"Fn": fail}, NOW)
    assert outcome == asl.TaskFailed("t1", "Lambda.ServiceException", "busy")
    at, outcome = invoke(
        task(INVOKE, {"FunctionName": "Fn"}), {"Fn": lambda e: Delayed(4, "x")}, NOW
    )
    assert at == datetime(2024, 1, 1, 12, 30, 9, tzinfo=UTC)
    assert isinstance(outcome, asl.TaskSucceeded) and outcome.output["Payload"] == "x"
    assert (
        outcome.output["SdkHttpMetadata"]["HttpHeaders"]["Date"] == "Mon, 01 Jan 2024 12:30:09 GMT"
    )


def test_non_json_result_fails_the_task() -> None:
    _, outcome = invoke(task(INVOKE, {"FunctionName": "Fn"}), {"Fn": lambda e: object()}, NOW)
    assert isinstance(outcome, asl.TaskFailed) and outcome.error == "States.Runtime"


def test_the_handler_gets_a_copy_of_the_payload() -> None:
    payload = {"list": [1]}

    def mutate(event: Any) -> Any:
        event["list"].append(2)
        return event

    _, outcome = invoke(
        task(INVOKE, {"FunctionName": "Fn", "Payload": payload}), {"Fn": mutate}, NOW
    )
    assert payload == {"list": [1]}
    assert isinstance(outcome, asl.TaskSucceeded) and outcome.output["Payload"] == {"list": [1, 2]}


def test_one_handler_answers_the_arn_resource_and_lambda_invoke() -> None:
    calls: list[Any] = []

    def handler(event: Any) -> Any:
        calls.append(event)
        return {"n": event["n"] + 1}

    result = run(
        {
            "Direct": {
                "Type": "Task",
                "Resource": FN_ARN,
                "ResultPath": "$.direct",
                "Next": "Integrated",
            },
            "Integrated": {
                "Type": "Task",
                "Resource": INVOKE,
                "Parameters": {"FunctionName": "Fn:prod", "Payload": {"n.$": "$.direct.n"}},
                "ResultSelector": {"p.$": "$.Payload", "code.$": "$.StatusCode"},
                "End": True,
            },
        },
        {"Fn": handler},
        {"n": 1},
    )
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == {"p": {"n": 3}, "code": 200}
    assert calls == [{"n": 1}, {"n": 2}]


def test_a_handler_registered_by_arn_answers_a_name_and_a_partial_arn() -> None:
    result = run(
        {
            "ByName": {
                "Type": "Task",
                "Resource": INVOKE,
                "Parameters": {"FunctionName": "Fn", "Payload": 1},
                "OutputPath": "$.Payload",
                "Next": "ByPartialArn",
            },
            "ByPartialArn": {
                "Type": "Task",
                "Resource": INVOKE,
                "Parameters": {"FunctionName": "123456789012:function:Fn", "Payload.$": "$"},
                "OutputPath": "$.Payload",
                "End": True,
            },
        },
        {FN_ARN: lambda event: event * 10},
    )
    assert (result.status, result.output) == ("SUCCEEDED", 100)


def test_caught_function_error_carries_lambdas_cause() -> None:
    result = run(
        {
            "T": {
                "Type": "Task",
                "Resource": INVOKE,
                "Parameters": {"FunctionName": "Fn", "Payload": {"n": 1}},
                "Catch": [{"ErrorEquals": ["ValueError"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
        {"Fn": boom},
    )
    assert result.status == "SUCCEEDED"
    assert result.output["Error"] == "ValueError"
    assert json.loads(result.output["Cause"])["errorMessage"] == "bad input 1"


def test_wait_for_task_token_submits_the_invoke_response_and_waits() -> None:
    seen: list[Any] = []
    result = run(
        {
            "T": {
                "Type": "Task",
                "Resource": f"{INVOKE}.waitForTaskToken",
                "Parameters": {"FunctionName": "Fn", "Payload": {"token.$": "$$.Task.Token"}},
                "End": True,
            }
        },
        {"Fn": lambda event: seen.append(event) or {"accepted": True}},
    )
    assert result.status == "RUNNING"  # nobody sends the token back in this run
    assert len(seen) == 1 and isinstance(seen[0]["token"], str) and seen[0]["token"]
    submitted = [e for e in result.history() if e["type"] == "TaskSubmitted"]
    assert len(submitted) == 1
    output = json.loads(submitted[0]["taskSubmittedEventDetails"]["output"])
    assert output["Payload"] == {"accepted": True} and output["StatusCode"] == 200


def test_an_invocation_type_other_than_request_response_is_refused() -> None:
    # Event and DryRun answer differently from RequestResponse; they are refused, not faked.
    routed = route(
        "arn:aws:states:::lambda:invoke",
        {"FunctionName": "F", "InvocationType": "Event"},
        {"F": lambda event: event},
    )
    assert routed == "InvocationType 'Event' is not supported by Stepline yet"


def test_a_client_context_that_is_not_base64_json_fails_the_task() -> None:
    for bad in ("not base64!", base64.b64encode(b"[1]").decode(), 7):
        routed = route(INVOKE, {"FunctionName": "F", "ClientContext": bad}, {"F": lambda e: e})
        assert isinstance(routed, str) and "ClientContext" in routed, bad


def lambda_style(event: Any, context: Any) -> Any:
    """A handler written as a Lambda function: it reads its context object."""
    client = context.client_context
    return {
        "event": event,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "aws_request_id": context.aws_request_id,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "log_group_name": context.log_group_name,
        "identity": [context.identity.cognito_identity_id, context.identity.cognito_identity_pool_id],
        "remaining_ms": context.get_remaining_time_in_millis(),
        "custom": client.custom if client else None,
        "app_title": client.client.app_title if client and client.client else None,
    }


def test_a_lambda_style_handler_gets_the_context_object() -> None:
    encoded = base64.b64encode(
        json.dumps({"custom": {"tenant": "t1"}, "client": {"app_title": "shop"}}).encode()
    ).decode()
    result = run(
        {"T": {"Type": "Task", "Resource": INVOKE, "TimeoutSeconds": 10, "Parameters": {
            "FunctionName": "Fn:7", "Payload": {"a": 1}, "ClientContext": encoded}, "End": True}},
        {"Fn": lambda_style},
    )  # fmt: skip
    assert result.status == "SUCCEEDED", result.cause
    seen = result.output["Payload"]
    assert seen["event"] == {"a": 1}
    assert seen["function_name"] == "Fn" and seen["function_version"] == "7"
    assert seen["invoked_function_arn"] == "arn:aws:lambda:us-east-1:123456789012:function:Fn:7"
    assert seen["aws_request_id"] == result.output["SdkResponseMetadata"]["RequestId"]
    assert seen["memory_limit_in_mb"] == "128"
    assert seen["log_group_name"] == "/aws/lambda/Fn"
    assert seen["identity"] == [None, None]
    assert 9000 < seen["remaining_ms"] <= 10000  # the Task's TimeoutSeconds
    assert seen["custom"] == {"tenant": "t1"} and seen["app_title"] == "shop"


def test_a_function_arn_resource_passes_a_context_without_client_context() -> None:
    result = run({"T": {"Type": "Task", "Resource": FN_ARN, "End": True}}, {FN_ARN: lambda_style},
                 {"x": 1})  # fmt: skip
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["event"] == {"x": 1}
    assert result.output["custom"] is None
    assert result.output["invoked_function_arn"] == FN_ARN
    assert 0 < result.output["remaining_ms"] <= 3000  # Lambda's default function timeout


def test_a_two_parameter_handler_of_another_resource_gets_a_context_naming_it() -> None:
    resource = "arn:aws:states:::sqs:sendMessage"
    result = run({"T": {"Type": "Task", "Resource": resource, "End": True}},
                 {resource: lambda event, context: context.function_name})  # fmt: skip
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == "sendMessage"
