"""Activities end to end: a real ``stepline serve``, workers in other processes (boto3's
get_activity_task / send_task_*), and task tokens that survive a server restart.

https://docs.aws.amazon.com/step-functions/latest/dg/concepts-activities.html
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from serving import (
    ROLE,
    Server,
    callback_machine,
    client,
    error_of,
    start_server,
    stop_server,
    unique,
)

WORKER = textwrap.dedent(
    """
    import json, sys
    import boto3
    from botocore.config import Config

    endpoint, activity, worker, mode = sys.argv[1:5]
    sfn = boto3.client(
        "stepfunctions", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, read_timeout=90),
    )
    for _ in range(20):
        task = sfn.get_activity_task(activityArn=activity, workerName=worker)
        if task.get("taskToken"):
            break
    else:
        sys.exit("no task came")
    data = json.loads(task["input"])
    if mode == "succeed":
        sfn.send_task_heartbeat(taskToken=task["taskToken"])
        sfn.send_task_success(
            taskToken=task["taskToken"], output=json.dumps({"doubled": data["n"] * 2})
        )
    else:
        sfn.send_task_failure(taskToken=task["taskToken"], error="Worker.Broke", cause="gears")
    print(task["taskToken"])
    """
)


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "stepline.db"


@pytest.fixture()
def server(db: Path) -> Iterator[Server]:
    running = start_server(db)
    try:
        yield running
    finally:
        stop_server(running)


def _worker(endpoint: str, activity: str, name: str, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, endpoint, activity, name, mode],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _activity_machine(sfn: Any, activity: str, **task: Any) -> str:
    definition = {
        "StartAt": "Work",
        "States": {"Work": {"Type": "Task", "Resource": activity, "End": True, **task}},
    }
    return str(
        sfn.create_state_machine(
            name=unique("act"), definition=json.dumps(definition), roleArn=ROLE
        )["stateMachineArn"]
    )


def _wait(sfn: Any, arn: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return described
        time.sleep(0.05)


def _events(sfn: Any, arn: str) -> list[dict[str, Any]]:
    return list(sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"])


def test_a_worker_in_another_process_takes_the_task_and_succeeds_it(server: Server) -> None:
    sfn = client(server.endpoint)
    activity = sfn.create_activity(name=unique("a"))["activityArn"]
    machine = _activity_machine(sfn, activity, HeartbeatSeconds=600, TimeoutSeconds=900)
    execution = sfn.start_execution(stateMachineArn=machine, input='{"n": 21}')["executionArn"]
    worker = _worker(server.endpoint, activity, "worker-1", "succeed")
    out, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err
    described = _wait(sfn, execution)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"doubled": 42}
    events = _events(sfn, execution)
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "TaskStateEntered",
        "ActivityScheduled",
        "ActivityStarted",
        "ActivitySucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    scheduled = events[2]["activityScheduledEventDetails"]
    assert scheduled["resource"] == activity
    assert json.loads(scheduled["input"]) == {"n": 21}
    assert scheduled["timeoutInSeconds"] == 900 and scheduled["heartbeatInSeconds"] == 600
    assert events[3]["activityStartedEventDetails"] == {"workerName": "worker-1"}
    assert json.loads(events[4]["activitySucceededEventDetails"]["output"]) == {"doubled": 42}
    # The task has ended: its token is refused as AWS refuses it.
    with pytest.raises(ClientError) as excinfo:
        sfn.send_task_success(taskToken=out.strip(), output="{}")
    assert error_of(excinfo)[0] == "TaskTimedOut"


def test_send_task_failure_from_the_worker_fails_the_execution(server: Server) -> None:
    sfn = client(server.endpoint)
    activity = sfn.create_activity(name=unique("a"))["activityArn"]
    machine = _activity_machine(sfn, activity)
    execution = sfn.start_execution(stateMachineArn=machine, input='{"n": 1}')["executionArn"]
    worker = _worker(server.endpoint, activity, "w", "fail")
    _, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err
    described = _wait(sfn, execution)
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "Worker.Broke",
        "gears",
    )
    failed = [e for e in _events(sfn, execution) if e["type"] == "ActivityFailed"]
    assert failed[0]["activityFailedEventDetails"] == {"error": "Worker.Broke", "cause": "gears"}


def test_a_poll_with_no_task_answers_without_a_token(server: Server) -> None:
    sfn = client(server.endpoint)
    activity = sfn.create_activity(name=unique("a"))["activityArn"]
    started = time.monotonic()
    answer = sfn.get_activity_task(activityArn=activity, workerName="idle")
    assert "taskToken" not in answer and "input" not in answer
    assert time.monotonic() - started >= 0.9  # the server's --activity-poll-seconds 1


def test_polling_an_unknown_activity_is_activity_does_not_exist(server: Server) -> None:
    sfn = client(server.endpoint)
    missing = "arn:aws:states:us-east-1:123456789012:activity:nobody-made-this"
    with pytest.raises(ClientError) as excinfo:
        sfn.get_activity_task(activityArn=missing)
    assert error_of(excinfo)[0] == "ActivityDoesNotExist"


def test_a_task_waiting_for_a_worker_survives_a_restart(db: Path) -> None:
    first = start_server(db)
    try:
        sfn = client(first.endpoint)
        activity = sfn.create_activity(name=unique("a"))["activityArn"]
        machine = _activity_machine(sfn, activity)
        execution = sfn.start_execution(stateMachineArn=machine, input='{"n": 5}')["executionArn"]
        time.sleep(0.3)
    finally:
        stop_server(first)
    second = start_server(db)
    try:
        sfn = client(second.endpoint)
        worker = _worker(second.endpoint, activity, "after-restart", "succeed")
        _, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err
        described = _wait(sfn, execution)
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["output"]) == {"doubled": 10}
        types = [e["type"] for e in _events(sfn, execution)]
        assert types.count("ActivityScheduled") == 1 and types.count("ActivityStarted") == 1
    finally:
        stop_server(second)


SEND = textwrap.dedent(
    """
    import sys
    import boto3
    endpoint, token = sys.argv[1:3]
    sfn = boto3.client(
        "stepfunctions", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
    )
    sfn.send_task_success(taskToken=token, output='{"from": "elsewhere"}')
    """
)


def test_a_wait_for_task_token_execution_is_completed_from_another_process_after_a_restart(
    db: Path,
) -> None:
    first = start_server(db)
    try:
        sfn = client(first.endpoint)
        machine = sfn.create_state_machine(
            name=unique("cb"), definition=callback_machine(), roleArn=ROLE
        )["stateMachineArn"]
        execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
        deadline = time.monotonic() + 10
        while True:
            scheduled = [e for e in _events(sfn, execution) if e["type"] == "TaskScheduled"]
            if scheduled or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        parameters = json.loads(scheduled[0]["taskScheduledEventDetails"]["parameters"])
        token = parameters["MessageBody"]["token"]
    finally:
        stop_server(first)
    second = start_server(db)
    try:
        sender = subprocess.run(
            [sys.executable, "-c", SEND, second.endpoint, token],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert sender.returncode == 0, sender.stderr
        sfn = client(second.endpoint)
        described = _wait(sfn, execution)
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["output"]) == {"from": "elsewhere"}
    finally:
        stop_server(second)
