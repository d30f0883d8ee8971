"""RedriveExecution of a failed Map or Parallel state through ``stepline serve`` and boto3:
only the iterations and branches that did not succeed run again, under the state's
MaxConcurrency, and the state's output keeps the first attempt's successful results in order.

https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serving import ROLE, Server, client, start_server, stop_server, unique, wait_done

SOME = "arn:aws:lambda:us-east-1:123456789012:function:FlakyIfAsked"
WORK = {
    "Type": "Task",
    "Resource": SOME,
    "Parameters": {
        "key.$": "$.key",
        "flaky.$": "$.flaky",
        "redrives.$": "$$.Execution.RedriveCount",
    },
    "End": True,
}


@pytest.fixture(scope="module")
def sfn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    db: Path = tmp_path_factory.mktemp("redrive-fanout") / "stepline.db"
    server: Server = start_server(db, "--handler", f"{SOME}=redrive_handlers:flaky_if_asked")
    try:
        yield client(server.endpoint)
    finally:
        stop_server(server)


def _run(sfn: Any, definition: dict[str, Any], input: Any) -> str:
    machine = sfn.create_state_machine(
        name=unique("rdf"), definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    arn: str = sfn.start_execution(stateMachineArn=machine, input=json.dumps(input))["executionArn"]
    return arn


def _events(sfn: Any, arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = sfn.get_execution_history(executionArn=arn, maxResults=1000)[
        "events"
    ]
    return events


def _scheduled_keys(events: list[dict[str, Any]]) -> list[str]:
    return [
        json.loads(e["lambdaFunctionScheduledEventDetails"]["input"])["key"]
        for e in events
        if e["type"] == "LambdaFunctionScheduled"
    ]


def test_a_redriven_map_runs_only_the_iterations_that_did_not_succeed(sfn: Any) -> None:
    keys = [unique("m") for _ in range(4)]
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "ItemProcessor": {"StartAt": "Work", "States": {"Work": WORK}},
                "End": True,
            }
        },
    }
    items = [{"key": key, "flaky": index == 1} for index, key in enumerate(keys)]
    run = _run(sfn, definition, items)
    failed = wait_done(sfn, run)
    assert (failed["status"], failed["error"]) == ("FAILED", "Flaky.NotYet")
    before = _events(sfn, run)
    assert _scheduled_keys(before) == keys[:2]  # one at a time: the 3rd and 4th never started

    sfn.redrive_execution(executionArn=run)
    described = wait_done(sfn, run)
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == [
        {"key": keys[0], "redrives": 0},  # kept from the first attempt
        {"key": keys[1], "redrives": 1},
        {"key": keys[2], "redrives": 1},
        {"key": keys[3], "redrives": 1},
    ]
    events = _events(sfn, run)
    assert events[: len(before)] == before
    after = events[len(before) :]
    assert [e["type"] for e in after[:3]] == [
        "ExecutionRedriven",
        "MapStateEntered",
        "MapStateStarted",
    ]
    assert after[2]["mapStateStartedEventDetails"] == {"length": 4}
    started = [
        e["mapIterationStartedEventDetails"]["index"]
        for e in after
        if e["type"] == "MapIterationStarted"
    ]
    assert started == [1, 2, 3]
    assert _scheduled_keys(after) == keys[1:]
    # MaxConcurrency 1 holds on redrive too: each iteration ends before the next starts.
    marks = [
        e["type"] for e in after if e["type"] in ("MapIterationStarted", "MapIterationSucceeded")
    ]
    assert marks == ["MapIterationStarted", "MapIterationSucceeded"] * 3


def test_a_redriven_parallel_runs_only_its_failed_branch(sfn: Any) -> None:
    ok, bad = unique("ok"), unique("bad")
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "Ok",
                        "States": {"Ok": {**WORK, "Parameters": {**WORK["Parameters"], "key": ok}}},
                    },
                    {
                        # The virtual clock moves on only when no task is in flight, so
                        # "Ok" has succeeded before this branch fails.
                        "StartAt": "Later",
                        "States": {
                            "Later": {"Type": "Wait", "Seconds": 5, "Next": "Inner"},
                            "Inner": {
                                "Type": "Map",
                                "ItemsPath": "$.items",
                                "MaxConcurrency": 1,
                                "ItemProcessor": {"StartAt": "Work", "States": {"Work": WORK}},
                                "End": True,
                            },
                        },
                    },
                ],
                "End": True,
            }
        },
    }
    items = [{"key": f"{bad}-{i}", "flaky": i == 0} for i in range(2)]
    run = _run(sfn, definition, {"flaky": False, "key": ok, "items": items})
    assert wait_done(sfn, run)["status"] == "FAILED"
    before = _events(sfn, run)
    succeeded_first = {
        json.loads(e["lambdaFunctionSucceededEventDetails"]["output"])["key"]
        for e in before
        if e["type"] == "LambdaFunctionSucceeded"
    }

    assert succeeded_first == {ok}
    assert _scheduled_keys(before) == [ok, f"{bad}-0"]

    sfn.redrive_execution(executionArn=run)
    described = wait_done(sfn, run)
    assert described["status"] == "SUCCEEDED", described
    after = _events(sfn, run)[len(before) :]
    # The failed branch goes on from its Map: no Wait again, and only the failed iteration
    # and the one that had not started run.
    assert _scheduled_keys(after) == [f"{bad}-0", f"{bad}-1"]
    entered = [
        e["stateEnteredEventDetails"]["name"] for e in after if "stateEnteredEventDetails" in e
    ]
    assert entered == ["Both", "Inner", "Work", "Work"]
    assert json.loads(described["output"]) == [
        {"key": ok, "redrives": 0},
        [{"key": f"{bad}-0", "redrives": 1}, {"key": f"{bad}-1", "redrives": 1}],
    ]
