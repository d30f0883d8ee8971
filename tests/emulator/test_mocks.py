"""Step Functions Local mock files: loading, validation, choosing answers, the driver.

mock_files/MockConfigFile.json is AWS's documentation example, unchanged
(https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html); the
LambdaSQSIntegration machine beside it follows the example machine of
https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-test-sm-exec.html (a Lambda
state retried on States.ALL up to 3 times, then an SQS sendMessage state).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import asl
from emulator import mocks
from emulator.driver import default_info, run_local
from emulator.mocks import MockConfigError, MockSession

FILES = Path(__file__).parent / "mock_files"
CONFIG = FILES / "MockConfigFile.json"
DEFINITION = FILES / "LambdaSQSIntegration.json"
LAMBDA = "arn:aws:states:::lambda:invoke"
SQS = "arn:aws:states:::sqs:sendMessage"
HELLO = {"StatusCode": 200, "Payload": {"StatusCode": 200, "body": "Hello from Lambda!"}}
SQS_ANSWER = {
    "MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
    "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51",
}


def session(case: str, config: mocks.MockConfig | None = None) -> MockSession:
    found = (config or mocks.load(CONFIG)).test_case("LambdaSQSIntegration", case)
    assert found is not None
    return MockSession(found)


def run(case: str, handlers: dict[str, Any] | None = None) -> Any:
    machine = asl.load(DEFINITION.read_text())
    info = default_info(state_machine_name="LambdaSQSIntegration")
    return run_local(machine, {"hello": "world"}, handlers or {}, info, mock=session(case))


def effect(state: str, resource: str = LAMBDA, token: str | None = None, id: str = "k1") -> asl.InvokeTask:
    return asl.InvokeTask(id, resource, {}, state, task_token=token)


# ---------------------------------------------------------------- the documentation example


def test_happy_path_answers_both_states_with_the_mocked_responses() -> None:
    result = run("HappyPath")
    assert result.status == "SUCCEEDED"
    assert result.output == SQS_ANSWER
    types = [e.type for e in result.events]
    assert types == [
        "ExecutionStarted",
        "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
        "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
        "ExecutionSucceeded",
    ]  # fmt: skip
    history = result.history()
    # History as if the call were real: the Lambda response shape, resourceType/resource.
    assert json.loads(history[4]["taskSucceededEventDetails"]["output"]) == HELLO
    assert history[4]["taskSucceededEventDetails"]["resourceType"] == "lambda"
    assert history[9]["taskSucceededEventDetails"]["resource"] == "sendMessage"


def test_retry_path_uses_one_response_per_invocation_retries_included() -> None:
    result = run("RetryPath")
    assert result.status == "SUCCEEDED"
    failed = [e.details for e in result.events if e.type == "TaskFailed"]
    assert [(d or {}).get("error") for d in failed] == [
        "Lambda.ResourceNotReadyException",
        "Lambda.TimeoutException",
        "Lambda.TimeoutException",
    ]
    assert (failed[1] or {}).get("cause") == "Lambda timed out."
    assert [e.type for e in result.events].count("TaskScheduled") == 5  # 4 Lambda calls + SQS
    assert result.output == SQS_ANSWER


def test_hybrid_path_calls_the_real_resource_for_states_the_case_does_not_list() -> None:
    calls: list[Any] = []

    def send(message: Any) -> Any:
        calls.append(message)
        return {"MessageId": "real"}

    result = run("HybridPath", {SQS: send})
    assert result.status == "SUCCEEDED"
    assert result.output == {"MessageId": "real"}
    # The Lambda state was mocked: the SQS handler got its (mocked) result as the message body.
    assert calls == [{"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/myQueue", "MessageBody": HELLO}]


def test_the_lambda_handler_is_never_called_for_a_mocked_state() -> None:
    def boom(_: Any) -> Any:
        raise AssertionError("a mocked state called its resource")

    assert run("HappyPath", {LAMBDA: boom, SQS: boom}).status == "SUCCEEDED"


# ---------------------------------------------------------------- answers


def test_an_invocation_with_no_response_fails_the_execution_uncaught() -> None:
    config = mocks.parse(
        {
            "StateMachines": {"M": {"TestCases": {"C": {"T": "Once"}}}},
            "MockedResponses": {"Once": {"0": {"Throw": {"Error": "Boom", "Cause": "first"}}}},
        }
    )
    case = config.test_case("M", "C")
    assert case is not None
    machine = asl.load(
        {
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task",
                    "Resource": LAMBDA,
                    "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 3}],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                    "End": True,
                },
                "Caught": {"Type": "Succeed"},
            },
        }
    )
    result = run_local(machine, {}, {}, default_info(), mock=MockSession(case))
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert result.cause is not None and "invocation 1 of the state 'T'" in result.cause


def test_ranges_are_inclusive_and_numbers_count_per_state() -> None:
    config = mocks.parse(
        {
            "StateMachines": {"M": {"TestCases": {"C": {"A": "R", "B": "R"}}}},
            "MockedResponses": {"R": {"0": {"Return": 0}, "1-3": {"Return": "mid"}, "4": {"Return": 4}}},
        }
    )
    case = config.test_case("M", "C")
    assert case is not None
    s = MockSession(case)
    values = []
    for _ in range(5):
        (outcome,) = s.answer(effect("A")) or ()
        assert isinstance(outcome, asl.TaskSucceeded)
        values.append(outcome.output)
    assert values == [0, "mid", "mid", "mid", 4]
    (first_b,) = s.answer(effect("B")) or ()
    assert isinstance(first_b, asl.TaskSucceeded) and first_b.output == 0
    assert s.answer(effect("Unlisted")) is None


def test_a_mocked_wait_for_task_token_task_returns_at_once() -> None:
    s = session("HappyPath")
    outcomes = s.answer(effect("LambdaState", LAMBDA + ".waitForTaskToken", token="tok"))
    assert outcomes == (asl.TaskSucceeded("k1", HELLO), asl.CallbackSucceeded("tok", HELLO))


def test_wait_for_task_token_machine_finishes_without_a_callback() -> None:
    config = mocks.parse(
        {
            "StateMachines": {"M": {"TestCases": {"C": {"Send": "Done"}}}},
            "MockedResponses": {"Done": {"0": {"Return": {"approved": True}}}},
        }
    )
    case = config.test_case("M", "C")
    assert case is not None
    machine = asl.load(
        {
            "StartAt": "Send",
            "States": {
                "Send": {
                    "Type": "Task",
                    "Resource": SQS + ".waitForTaskToken",
                    "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
                    "End": True,
                }
            },
        }
    )
    result = run_local(machine, {}, {}, default_info(), mock=MockSession(case))
    assert (result.status, result.output) == ("SUCCEEDED", {"approved": True})


def test_an_activity_state_cannot_be_mocked() -> None:
    activity = "arn:aws:states:us-east-1:123456789012:activity:Work"
    s = session("HappyPath")
    (outcome,) = s.answer(effect("LambdaState", activity, token="t")) or ()
    assert isinstance(outcome, asl.TaskFailed)
    assert outcome.error == "States.Runtime"
    assert outcome.cause.startswith("Activity state cannot be mocked")


# ---------------------------------------------------------------- history after a restart


def test_counts_resume_from_the_history_across_branches() -> None:
    history = [
        {"id": 1, "previousEventId": 0, "type": "ExecutionStarted"},
        {"id": 2, "previousEventId": 1, "type": "TaskStateEntered", "stateEnteredEventDetails": {"name": "A"}},
        {"id": 3, "previousEventId": 1, "type": "TaskStateEntered", "stateEnteredEventDetails": {"name": "B"}},
        {"id": 4, "previousEventId": 2, "type": "TaskScheduled"},
        {"id": 5, "previousEventId": 3, "type": "LambdaFunctionScheduled"},
        {"id": 6, "previousEventId": 4, "type": "TaskStarted"},
        {"id": 7, "previousEventId": 6, "type": "TaskFailed"},
        {"id": 8, "previousEventId": 7, "type": "TaskScheduled"},
    ]  # fmt: skip
    assert mocks.scheduled_counts(history) == {"A": 2, "B": 1}
    s = session("HappyPath")
    s.resume_counts(history, pending=["A"])
    assert s.counts == {"A": 1, "B": 1}


# ---------------------------------------------------------------- loading and validation


def test_the_file_is_found_as_step_functions_local_finds_it(tmp_path: Path) -> None:
    (tmp_path / "MockConfigFile.json").write_text("{}")
    assert mocks.find({}, tmp_path) == tmp_path / "MockConfigFile.json"
    assert mocks.find({"LOCALSTACK_SFN_MOCK_CONFIG": "/b"}, tmp_path) == Path("/b")
    assert mocks.find({"SFN_MOCK_CONFIG": "/a", "LOCALSTACK_SFN_MOCK_CONFIG": "/b"}, tmp_path) == Path("/a")
    assert mocks.find({}, tmp_path / "nowhere") is None
    assert mocks.from_environment({"SFN_MOCK_CONFIG": str(CONFIG)}) is not None


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "must be a JSON object"),
        ({"StateMachines": {"M": {}}}, "TestCases"),
        ({"StateMachines": {"M": {"TestCases": {"C": {"S": "Missing"}}}}}, "'Missing' is not a name in MockedResponses"),
        ({"MockedResponses": {"R": {"x": {"Return": 1}}}}, "'x' is not an invocation number"),
        ({"MockedResponses": {"R": {"01": {"Return": 1}}}}, "'01' is not an invocation number"),
        ({"MockedResponses": {"R": {"3-1": {"Return": 1}}}}, "ends before it starts"),
        ({"MockedResponses": {"R": {"0-2": {"Return": 1}, "2": {"Return": 2}}}}, "overlaps"),
        ({"MockedResponses": {"R": {"0": {"Return": 1, "Throw": {"Error": "E"}}}}}, "exactly one of Return or Throw"),
        ({"MockedResponses": {"R": {"0": {"Throw": {"Cause": "c"}}}}}, "Error string"),
        ({"MockedResponses": {"R": {}}}, "non-empty"),
    ],
)
def test_invalid_files_are_refused_with_where_and_why(document: Any, message: str) -> None:
    with pytest.raises(MockConfigError, match=message.replace("(", r"\(")) as info:
        mocks.parse(document, "f.json")
    assert str(info.value).startswith("f.json")


def test_unreadable_and_non_json_files(tmp_path: Path) -> None:
    with pytest.raises(MockConfigError, match="cannot read"):
        mocks.load(tmp_path / "absent.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(MockConfigError, match="not valid JSON"):
        mocks.load(bad)


def test_return_may_be_any_json_value_and_cause_defaults_to_empty() -> None:
    config = mocks.parse(
        {
            "StateMachines": {"M": {"TestCases": {"C": {"S": "R"}}}},
            "MockedResponses": {"R": {"0": {"Return": None}, "1": {"Throw": {"Error": "E"}}}},
        }
    )
    case = config.test_case("M", "C")
    assert case is not None
    s = MockSession(case)
    assert s.answer(effect("S")) == (asl.TaskSucceeded("k1", None),)
    assert s.answer(effect("S")) == (asl.TaskFailed("k1", "E", ""),)
    assert config.test_case("M", "Other") is None and config.test_case("N", "C") is None
