"""The API on PostgreSQL: the same server, its store in a fresh schema of the test database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from serving import (
    ROLE,
    Server,
    callback_machine,
    client,
    error_of,
    pass_machine,
    postgres_schema_url,
    start_server,
    stop_server,
    unique,
)


@pytest.fixture(scope="module")
def pg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    for url in postgres_schema_url():
        running: Server = start_server(url)
        try:
            yield client(running.endpoint, inject_host_prefix=False)
        finally:
            stop_server(running)


def test_resources_on_postgres(pg: Any) -> None:
    name = unique("pg")
    arn = pg.create_state_machine(name=name, definition=pass_machine(1), roleArn=ROLE, publish=True,
                                  tags=[{"key": "a", "value": "1"}])["stateMachineArn"]
    assert pg.create_state_machine(name=name, definition=pass_machine(1), roleArn=ROLE)["stateMachineArn"] == arn
    pg.update_state_machine(stateMachineArn=arn, definition=pass_machine(2), publish=True)
    assert [v["stateMachineVersionArn"] for v in pg.list_state_machine_versions(stateMachineArn=arn)[
        "stateMachineVersions"]] == [f"{arn}:2", f"{arn}:1"]
    alias = pg.create_state_machine_alias(
        name="live", routingConfiguration=[{"stateMachineVersionArn": f"{arn}:2", "weight": 100}]
    )["stateMachineAliasArn"]
    pg.tag_resource(resourceArn=arn, tags=[{"key": "b", "value": "2"}])
    assert pg.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]
    activity = pg.create_activity(name=unique("pg-act"))["activityArn"]
    assert pg.describe_activity(activityArn=activity)["activityArn"] == activity
    execution = pg.start_execution(stateMachineArn=alias, input="{}")["executionArn"]
    for _ in range(500):
        described = pg.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING":
            break
    assert (described["status"], described["output"]) == ("SUCCEEDED", "2")
    assert described["stateMachineVersionArn"] == f"{arn}:2"
    names = sorted(m["name"] for m in pg.list_state_machines()["stateMachines"])
    assert name in names
    pg.delete_state_machine(stateMachineArn=arn)
    with pytest.raises(ClientError) as excinfo:
        pg.describe_state_machine(stateMachineArn=arn)
    assert error_of(excinfo)[0] == "StateMachineDoesNotExist"


def test_executions_on_postgres(pg: Any) -> None:
    arn = pg.create_state_machine(name=unique("pgcb"), definition=callback_machine(), roleArn=ROLE)["stateMachineArn"]
    started = [pg.start_execution(stateMachineArn=arn, name=f"n{i}")["executionArn"] for i in range(3)]
    first = pg.list_executions(stateMachineArn=arn, maxResults=2)
    rest = pg.list_executions(stateMachineArn=arn, nextToken=first["nextToken"])
    assert [e["executionArn"] for e in first["executions"] + rest["executions"]] == list(reversed(started))
    with pytest.raises(ClientError) as excinfo:
        pg.start_execution(stateMachineArn=arn, name="n0", input='{"different": true}')
    assert error_of(excinfo)[0] == "ExecutionAlreadyExists"
    pg.stop_execution(executionArn=started[0], error="E", cause="C")
    described = pg.describe_execution(executionArn=started[0])
    assert (described["status"], described["error"]) == ("ABORTED", "E")
    history = pg.get_execution_history(executionArn=started[0], maxResults=1, reverseOrder=True)
    assert history["events"][0]["type"] == "ExecutionAborted"
    more = pg.get_execution_history(executionArn=started[0], maxResults=100, reverseOrder=True,
                                    nextToken=history["nextToken"])
    assert [e["id"] for e in more["events"]] == list(range(history["events"][0]["id"] - 1, 0, -1))
    token = json.loads(next(e for e in pg.get_execution_history(executionArn=started[1])["events"]
                            if e["type"] == "TaskScheduled")["taskScheduledEventDetails"]["parameters"])
    pg.send_task_success(taskToken=token["MessageBody"]["token"], output='{"ok": 1}')
    for _ in range(500):
        if pg.describe_execution(executionArn=started[1])["status"] != "RUNNING":
            break
    assert pg.describe_execution(executionArn=started[1])["status"] == "SUCCEEDED"
    pg.stop_execution(executionArn=started[2])
