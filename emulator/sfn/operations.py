"""Every operation of the Step Functions API, by the name botocore's model gives it.

``api/`` looks an operation up here and calls it with the request's members (already checked
against the model's constraints) and the caller; what comes back is the response, with
datetimes for timestamps.  Handlers may be plain functions or coroutines.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from emulator.sfn import (
    activities,
    aliases,
    callbacks,
    executions,
    map_runs,
    state_machines,
    tags,
    test_state,
    validation,
    versions,
)
from emulator.sfn.context import Caller, Services

Handler = Callable[[Services, Caller, dict[str, Any]], "dict[str, Any] | Awaitable[dict[str, Any]]"]


def _validate(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    return validation.validate_state_machine_definition(p)


OPERATIONS: dict[str, Handler] = {
    # state machines
    "CreateStateMachine": state_machines.create_state_machine,
    "DescribeStateMachine": state_machines.describe_state_machine,
    "UpdateStateMachine": state_machines.update_state_machine,
    "DeleteStateMachine": state_machines.delete_state_machine,
    "ListStateMachines": state_machines.list_state_machines,
    "ValidateStateMachineDefinition": _validate,
    # versions and aliases
    "PublishStateMachineVersion": versions.publish_state_machine_version,
    "ListStateMachineVersions": versions.list_state_machine_versions,
    "DeleteStateMachineVersion": versions.delete_state_machine_version,
    "CreateStateMachineAlias": aliases.create_state_machine_alias,
    "DescribeStateMachineAlias": aliases.describe_state_machine_alias,
    "UpdateStateMachineAlias": aliases.update_state_machine_alias,
    "DeleteStateMachineAlias": aliases.delete_state_machine_alias,
    "ListStateMachineAliases": aliases.list_state_machine_aliases,
    # executions
    "StartExecution": executions.start_execution,
    "StartSyncExecution": executions.start_sync_execution,
    "DescribeExecution": executions.describe_execution,
    "ListExecutions": executions.list_executions,
    "StopExecution": executions.stop_execution,
    "GetExecutionHistory": executions.get_execution_history,
    "DescribeStateMachineForExecution": executions.describe_state_machine_for_execution,
    "RedriveExecution": executions.redrive_execution,
    # map runs
    "DescribeMapRun": map_runs.describe_map_run,
    "ListMapRuns": map_runs.list_map_runs,
    "UpdateMapRun": map_runs.update_map_run,
    # activities and task tokens
    "CreateActivity": activities.create_activity,
    "DescribeActivity": activities.describe_activity,
    "DeleteActivity": activities.delete_activity,
    "ListActivities": activities.list_activities,
    "GetActivityTask": activities.get_activity_task,
    "SendTaskSuccess": callbacks.send_task_success,
    "SendTaskFailure": callbacks.send_task_failure,
    "SendTaskHeartbeat": callbacks.send_task_heartbeat,
    # tags
    "TagResource": tags.tag_resource,
    "UntagResource": tags.untag_resource,
    "ListTagsForResource": tags.list_tags_for_resource,
    # testing
    "TestState": test_state.test_state,
}
