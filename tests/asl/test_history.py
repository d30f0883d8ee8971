"""History events render as GetExecutionHistory returns them."""

from __future__ import annotations

from datetime import UTC, datetime

from asl.history import Event

NOW = datetime(2024, 1, 1, tzinfo=UTC)


def test_payload_fields_become_json_text_with_details() -> None:
    event = Event(3, 2, NOW, "PassStateExited", "stateExitedEventDetails", {"name": "P", "output": {"a": [1, "é"]}})
    assert event.render() == {
        "timestamp": NOW,
        "type": "PassStateExited",
        "id": 3,
        "previousEventId": 2,
        "stateExitedEventDetails": {
            "name": "P",
            "output": '{"a":[1,"é"]}',
            "outputDetails": {"truncated": False},
        },
    }


def test_a_string_payload_is_quoted_json() -> None:
    event = Event(1, 0, NOW, "ExecutionSucceeded", "executionSucceededEventDetails", {"output": "hi"})
    assert event.render()["executionSucceededEventDetails"]["output"] == '"hi"'


def test_without_execution_data_payloads_are_left_out() -> None:
    event = Event(2, 1, NOW, "TaskScheduled", "taskScheduledEventDetails",
                  {"resourceType": "sqs", "resource": "sendMessage", "region": "us-east-1", "parameters": {"q": 1}})
    assert event.render(include_data=False)["taskScheduledEventDetails"] == {
        "resourceType": "sqs", "resource": "sendMessage", "region": "us-east-1",
    }
    assert event.render()["taskScheduledEventDetails"]["parameters"] == '{"q":1}'


def test_events_without_details() -> None:
    event = Event(5, 4, NOW, "LambdaFunctionStarted", None, None)
    assert event.render() == {"timestamp": NOW, "type": "LambdaFunctionStarted", "id": 5, "previousEventId": 4}
