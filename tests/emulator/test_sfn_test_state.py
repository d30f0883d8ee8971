"""TestState's parts without a server: the mock's field validation against botocore's models,
the request checks, ItemBatcher's batches and the HTTP trace's secret redaction."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from emulator.clock import make_clock
from emulator.executions import Executions
from emulator.integrations.http_request import HttpRequest
from emulator.sfn import Caller, Services, test_state, test_state_request
from emulator.sfn import test_state_mock as mock_model
from emulator.sfn.errors import SfnError, ValidationError
from emulator.sfn.test_state_http import HttpTrace
from emulator.sfn.test_state_inspect import batch
from emulator.store.db import Database

PREFIX = "Mock result schema validation error: "


@pytest.mark.parametrize(("resource", "result", "problem"), [
    ("arn:aws:states:::events:putEvents", {"Entries": "x"}, "Field 'Entries' must be an array"),
    ("arn:aws:states:::lambda:invoke", {"StatusCode": "200"}, "Field 'StatusCode' must be a number"),
    ("arn:aws:states:::lambda:invoke", {"StatusCode": True}, "Field 'StatusCode' must be a number"),
    ("arn:aws:states:::dynamodb:putItem", {"ConsumedCapacity": {"CapacityUnits": "1.5"}},
     "Field 'CapacityUnits' must be a number"),
    ("arn:aws:states:::dynamodb:putItem", {"ConsumedCapacity": []}, "Field 'ConsumedCapacity' must be an object"),
    ("arn:aws:states:::aws-sdk:kms:encrypt", {"CiphertextBlob": 123}, "Field 'CiphertextBlob' must be a string"),
    ("arn:aws:states:::aws-sdk:kms:encrypt", {"CiphertextBlob": ""},
     "Field 'CiphertextBlob' is smaller than the minimum length"),
    ("arn:aws:states:::aws-sdk:lambda:getFunction", {"Configuration": {"MemorySize": 127}},
     "Field 'MemorySize' is less than the minimum value"),
    ("arn:aws:states:::aws-sdk:s3:getObject", {"StorageClass": "Papyrus"},
     "Field 'StorageClass' is not an expected value"),
    ("arn:aws:states:::aws-sdk:sqs:sendMessage", {"Md5OfMessageBody": 1}, "Field 'Md5OfMessageBody' must be a string"),
    ("arn:aws:states:::sqs:sendMessage", {"MD5OfMessageBody": 1}, "Field 'MD5OfMessageBody' must be a string"),
    ("arn:aws:states:::states:startExecution.sync:2", {"ExecutionArn": "a"},
     "Required field 'StateMachineArn' is missing"),
    ("arn:aws:states:::aws-sdk:dynamodb:getItem", {"ConsumedCapacity": {"TableName": 5}},
     "Field 'TableName' must be a string"),
])  # fmt: skip
def test_strict_mode_problems(resource: str, result: Any, problem: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        mock_model.check_result(resource, result, "STRICT")
    assert excinfo.value.message == PREFIX + problem


def test_modes_and_resources_without_a_model() -> None:
    start = "arn:aws:states:::states:startExecution"
    mock_model.check_result(start, {}, "PRESENT")  # required fields are not asked for
    mock_model.check_result(start, {"ExecutionArn": 1}, "NONE")
    with pytest.raises(ValidationError):
        mock_model.check_result(start, {"ExecutionArn": 1}, "PRESENT")
    mock_model.check_result(start, {"ExecutionArn": "a", "StartDate": "b", "Extra": [1]}, "STRICT")
    for resource in ("arn:aws:lambda:us-east-1:123456789012:function:F",
                     "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                     "arn:aws:states:::http:invoke",
                     "arn:aws:states:us-east-1:123456789012:activity:A",
                     "arn:aws:states:::aws-sdk:nosuchservice:doIt"):  # fmt: skip
        assert mock_model.response_shape(resource) is None
        mock_model.check_result(resource, "anything", "STRICT")


def request(**p: Any) -> test_state_request.Request:
    return test_state_request.parse({"input": "{}", **p})


def test_request_defaults_and_members() -> None:
    parsed = request(definition=json.dumps({"Type": "Pass", "End": True}), variables='{"a": 1}',
                     stateConfiguration={"retrierRetryCount": 2})  # fmt: skip
    assert (parsed.level, parsed.variables, parsed.retry_count, parsed.mock) == (
        "INFO",
        {"a": 1},
        2,
        None,
    )
    machine = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    {"StartAt": "Deep", "States": {"Deep": {"Type": "Pass", "End": True}}}
                ],
            }
        },
    }
    deep = request(definition=json.dumps(machine), stateName="Deep")
    assert (deep.state, deep.map_item) == ({"Type": "Pass", "End": True}, False)


@pytest.mark.parametrize(("params", "code"), [
    ({"definition": "{nope"}, "InvalidDefinition"),
    ({"definition": json.dumps({"End": True})}, "InvalidDefinition"),
    ({"definition": json.dumps({"StartAt": "A", "States": {}}), "stateName": "A"}, "InvalidDefinition"),
    ({"definition": json.dumps({"Type": "Pass", "End": True}), "mock": {}}, "ValidationException"),
    ({"definition": json.dumps({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}),
      "mock": {"result": "{not json"}}, "ValidationException"),
    ({"definition": json.dumps({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}),
      "context": "{}", "roleArn": "arn:aws:iam::123456789012:role/R"}, "ValidationException"),
    ({"definition": json.dumps({"Type": "Pass", "End": True}),
      "stateConfiguration": {"mapIterationFailureCount": 1}}, "ValidationException"),
    ({"definition": json.dumps({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}),
      "mock": {"errorOutput": {"error": "E"}}, "stateConfiguration": {"errorCausedByState": "X"}},
     "ValidationException"),
])  # fmt: skip
def test_request_refusals(params: dict[str, Any], code: str) -> None:
    with pytest.raises(SfnError) as excinfo:
        request(**params)
    assert excinfo.value.code == code


def test_item_batcher_batches() -> None:
    assert batch([1, 2, 3], {"MaxItemsPerBatch": 2}) == [{"Items": [1, 2]}, {"Items": [3]}]
    assert batch([1, 2], {"MaxItemsPerBatch": 5, "BatchInput": {"k": 1}}) == [
        {"Items": [1, 2], "BatchInput": {"k": 1}}]  # fmt: skip
    # {"Items":["aaaa"]} is 17 bytes: two of them do not fit in 20.
    assert batch(["aaaa", "bbbb"], {"MaxInputBytesPerBatch": 20}) == [
        {"Items": ["aaaa"]},
        {"Items": ["bbbb"]},
    ]


def test_http_trace_leaves_out_connection_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    arn = "arn:aws:events:us-east-1:123456789012:connection/Api/1"
    connections = {
        arn: {
            "AuthorizationType": "API_KEY",
            "AuthParameters": {
                "ApiKeyAuthParameters": {"ApiKeyName": "X-Key", "ApiKeyValue": "secret"},
                "InvocationHttpParameters": {
                    "QueryStringParameters": [{"Key": "token", "Value": "t0k"}],
                    "BodyParameters": [{"Key": "pin", "Value": "1234"}],
                },
            },
        }
    }
    path = tmp_path / "connections.json"
    path.write_text(json.dumps(connections))
    monkeypatch.setenv("STEPLINE_HTTP_CONNECTIONS", str(path))
    sent = HttpRequest("POST", "https://example.com/x?a=1&token=t0k",
                       [("Content-Type", "application/json"), ("X-Key", "secret")],
                       b'{"a":1,"pin":"1234"}', arn)  # fmt: skip
    hidden = HttpTrace("us-east-1", reveal_secrets=False)._request(sent)
    assert hidden["url"] == "https://example.com/x?a=1"
    assert json.loads(hidden["headers"]) == {"Content-Type": "application/json"}
    assert json.loads(hidden["body"]) == {"a": 1}
    shown = HttpTrace("us-east-1", reveal_secrets=True)._request(sent)
    assert shown["url"] == sent.url and json.loads(shown["headers"])["X-Key"] == "secret"
    assert json.loads(shown["body"]) == {"a": 1, "pin": "1234"}


def test_a_state_running_past_the_time_limit_fails_with_states_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    resource = "arn:aws:states:::stepline:slow"
    released = threading.Event()

    def slow(event: Any) -> Any:
        released.wait(10)
        return event

    db = Database(f"sqlite:///{tmp_path / 'test_state.db'}")
    try:
        svc = Services(
            db, Executions(db, make_clock("virtual", None), {resource: slow}), "1" * 12, "us-east-1"
        )
        monkeypatch.setattr(test_state, "TIME_LIMIT_SECONDS", 0.2)
        p = {"definition": json.dumps({"Type": "Task", "Resource": resource, "End": True}),
             "roleArn": "arn:aws:iam::111111111111:role/R", "input": "{}"}  # fmt: skip
        caller = Caller("us-east-1", "1" * 12)
        loop = asyncio.new_event_loop()
        try:
            late = loop.run_until_complete(test_state.test_state(svc, caller, p))
            assert (late["status"], late["error"]) == ("FAILED", "States.Timeout")
            released.set()
            monkeypatch.setattr(test_state, "TIME_LIMIT_SECONDS", 30.0)
            in_time = loop.run_until_complete(test_state.test_state(svc, caller, p))
            assert in_time["status"] == "SUCCEEDED"
        finally:
            loop.close()
    finally:
        released.set()
        db.dispose()
