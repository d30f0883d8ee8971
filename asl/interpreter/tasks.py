"""Task states: schedule the resource, then take its result, failure, timeout or callback.

History follows the resource kind: Lambda function ARNs record ``LambdaFunction…`` events,
activity ARNs ``Activity…`` events, and service integrations (``arn:aws:states:::svc:action``)
``Task…`` events with ``resourceType`` and ``resource``.
https://docs.aws.amazon.com/step-functions/latest/dg/concepts-service-integrations.html
"""

from __future__ import annotations

import functools
from typing import Any

from asl import errors
from asl.effects import AwaitCallback, CancelTimer, InvokeTask
from asl.errors import StatesError
from asl.interpreter import dataflow, queries, variables
from asl.interpreter.cursor import CALLBACK, ENTER, TASK, Frame
from asl.interpreter.engine import HANDLERS, Run, error_details
from asl.jsonpath import PathNotFound
from asl.model import State, TaskState

LAMBDA, ACTIVITY, SERVICE = "lambda", "activity", "service"


@functools.lru_cache(maxsize=4096)
def resource_kind(resource: str) -> tuple[str, str, str]:
    """(kind, resourceType, resource) as history events name them (cached: a definition's
    resources are few, and this runs on every task)."""
    parts = resource.split(":")
    if len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function":
        return LAMBDA, "lambda", resource
    if len(parts) >= 7 and parts[2] == "states" and parts[5] == "activity":
        return ACTIVITY, "activity", resource
    if len(parts) >= 8 and parts[2] == "states" and parts[5] == "aws-sdk" and not parts[3]:
        # arn:aws:states:::aws-sdk:s3:listBuckets -> ("aws-sdk:s3", "listBuckets"), as recorded
        # histories show them (e.g. resourceType "aws-sdk:glue", resource "startJobRun").
        return SERVICE, f"aws-sdk:{parts[6]}", ":".join(parts[7:])
    if len(parts) >= 7 and parts[2] == "states" and parts[3] == "" and parts[4] == "":
        # arn:aws:states:::sqs:sendMessage.waitForTaskToken -> ("sqs", "sendMessage.waitForTaskToken")
        return SERVICE, parts[5], ":".join(parts[6:])
    return SERVICE, parts[2] if len(parts) > 2 else resource, resource


def run_task(run: Run, frame: Frame, state: TaskState) -> None:
    run.enter(frame, state)
    schedule(run, frame, state)


def schedule(run: Run, frame: Frame, state: TaskState) -> None:
    """Process the input and schedule the resource (also used by retries)."""
    if state.resource in run.missing_activities:
        # Recorded AWS behaviour (LocalStack's test_activities snapshot,
        # test_activity_task_on_deleted): no ActivityScheduled; the state fails with
        # States.Runtime, "An error occurred while executing the state '…' (entered at the
        # event id #2). The activity <ARN> does not exist."
        missing = StatesError(errors.RUNTIME, f"The activity {state.resource} does not exist.")
        run.raised(frame, state, missing)
        return
    token = None
    if state.wait_for_task_token or resource_kind(state.resource)[0] == ACTIVITY:
        # Activities and .waitForTaskToken tasks get a token when they are scheduled.
        # https://docs.aws.amazon.com/step-functions/latest/dg/concepts-activities.html
        rng = run.rng_factory()
        token = f"{rng.getrandbits(128):032x}" + f"{rng.getrandbits(128):032x}"
    scope = run.scope(frame, state, task_token=token)
    try:
        if state.jsonata:
            data, timeout, heartbeat, credentials = _jsonata_input(run, frame, state, token)
        else:
            data, timeout, heartbeat, credentials = _jsonpath_input(run, frame, state, scope)
    except StatesError as exc:
        run.raised(frame, state, exc)
        return
    _schedule(run, frame, state, token, data, timeout, heartbeat, credentials)


def _jsonpath_input(
    run: Run, frame: Frame, state: TaskState, scope: Any
) -> tuple[Any, int | None, int | None, Any]:
    """InputPath, TimeoutSecondsPath, HeartbeatSecondsPath, Parameters, Credentials."""
    data = dataflow.input_of(state, frame.input, scope)
    timeout = _seconds(
        state.timeout_seconds, state.timeout_seconds_path, data, scope, "TimeoutSecondsPath"
    )
    heartbeat = _seconds(
        state.heartbeat_seconds, state.heartbeat_seconds_path, data, scope, "HeartbeatSecondsPath"
    )
    if state.parameters is not None:
        data = state.parameters.evaluate(data, scope)
        dataflow.check_size(state, data)
    credentials = state.credentials.evaluate(frame.input, scope) if state.credentials else None
    return data, timeout, heartbeat, credentials


def _jsonata_input(
    run: Run, frame: Frame, state: TaskState, token: str | None
) -> tuple[Any, int | None, int | None, Any]:
    """Arguments (default: the state input), TimeoutSeconds, HeartbeatSeconds, Credentials."""
    values = queries.bindings(run, frame, state, task_token=token)
    data = frame.input
    if state.arguments is not None:
        data = queries.evaluate(run, state.arguments, values, "Arguments")
        dataflow.check_size(state, data)
    timeout, heartbeat = state.timeout_seconds, state.heartbeat_seconds
    if state.timeout_expr is not None:
        timeout = queries.integer(run, state.timeout_expr, values, "TimeoutSeconds", 1)
    if state.heartbeat_expr is not None:
        heartbeat = queries.integer(run, state.heartbeat_expr, values, "HeartbeatSeconds", 1)
    credentials = None
    if state.credentials is not None:
        credentials = queries.evaluate(run, state.credentials, values, "Credentials")
    return data, timeout, heartbeat, credentials


def _schedule(
    run: Run,
    frame: Frame,
    state: TaskState,
    token: str | None,
    data: Any,
    timeout: int | None,
    heartbeat: int | None,
    credentials: Any,
) -> None:
    kind, resource_type, resource = resource_kind(state.resource)
    if kind == LAMBDA:
        details: dict[str, Any] = {"resource": state.resource, "input": data}
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        if credentials is not None:
            details["taskCredentials"] = credentials
        run.emit(frame, "LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails", details)
        run.emit(frame, "LambdaFunctionStarted")
    elif kind == ACTIVITY:
        details = {"resource": state.resource, "input": data}
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        if heartbeat is not None:
            details["heartbeatInSeconds"] = heartbeat
        run.emit(frame, "ActivityScheduled", "activityScheduledEventDetails", details)
    else:
        details = {
            "resourceType": resource_type,
            "resource": resource,
            "region": run.region(),
            "parameters": data,
        }
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        if heartbeat is not None:
            details["heartbeatInSeconds"] = heartbeat
        if credentials is not None:
            details["taskCredentials"] = credentials
        run.emit(frame, "TaskScheduled", "taskScheduledEventDetails", details)
        run.emit(
            frame,
            "TaskStarted",
            "taskStartedEventDetails",
            {"resourceType": resource_type, "resource": resource},
        )
    task_id = run.cursor.new_id("k")
    frame.phase = TASK
    frame.wait_id = task_id
    frame.task_token = token
    run.cursor.waiting[task_id] = frame
    if token is not None:
        # AWS accepts the token as soon as the task is scheduled: a SendTaskSuccess that
        # arrives before the service call answered completes the task.
        # https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token
        run.cursor.waiting[token] = frame
    if timeout is not None:
        frame.timers.append(run.start_timer(frame, timeout, "task-timeout"))
    frame.heartbeat = heartbeat
    if heartbeat is not None:
        frame.timers.append(run.start_timer(frame, heartbeat, "heartbeat"))
    run.effects.append(
        InvokeTask(
            task_id, state.resource, data, state.name, timeout, heartbeat, token, credentials
        )
    )


def _seconds(value: int | None, path: Any, data: Any, scope: Any, field: str) -> int | None:
    if path is None:
        return value
    try:
        selected = path.select(data, scope)
    except PathNotFound as exc:
        raise StatesError(errors.RUNTIME, f"Invalid path '{path.text}' : {exc}") from None
    if isinstance(selected, bool) or not isinstance(selected, int) or selected <= 0:
        raise StatesError(
            errors.RUNTIME,
            f"The {field} parameter does not reference a valid positive integer: {selected!r}",
        )
    return selected


# ---------------------------------------------------------------------- outcomes


def task_started(run: Run, frame: Frame, state: TaskState, worker_name: str | None) -> None:
    """An activity worker took the task: ``ActivityStarted`` with its ``workerName``.

    Recorded AWS history (LocalStack's test_activities snapshot, test_activity_task_no_worker_name):
    without a workerName the event still carries ``activityStartedEventDetails: {}``.
    https://docs.aws.amazon.com/step-functions/latest/apireference/API_ActivityStartedEventDetails.html
    """
    if frame.phase != TASK or resource_kind(state.resource)[0] != ACTIVITY:
        return
    details = {"workerName": worker_name} if worker_name is not None else {}
    run.emit(frame, "ActivityStarted", "activityStartedEventDetails", details)


def task_submitted(run: Run, frame: Frame, state: TaskState, output: Any) -> None:
    """A ``.sync`` resource started its job: ``TaskSubmitted`` with the start call's answer,
    then the task waits on for the job's end (its TaskSucceeded/TaskFailed, same task id).

    The frame moves to the CALLBACK phase (waiting on the outside world after the call went
    through, as a ``.waitForTaskToken`` task does), which also makes a repeated submission —
    the start re-dispatched after a restart — a no-op.  Recorded AWS histories
    (LocalStack's test_callback snapshot, test_start_execution_sync): TaskScheduled,
    TaskStarted, TaskSubmitted, then TaskSucceeded or TaskFailed.
    https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-sync
    """
    if frame.phase != TASK:
        return
    _, resource_type, resource = resource_kind(state.resource)
    run.emit(
        frame,
        "TaskSubmitted",
        "taskSubmittedEventDetails",
        {"resourceType": resource_type, "resource": resource, "output": output},
    )
    frame.phase = CALLBACK


def _release_token(run: Run, frame: Frame) -> None:
    if frame.task_token is not None:
        run.cursor.waiting.pop(frame.task_token, None)
        frame.task_token = None


def task_succeeded(
    run: Run, frame: Frame, state: TaskState, result: Any, callback: bool = False
) -> None:
    """The resource answered (``callback``: the answer came with the task token)."""
    if frame.phase == TASK and state.wait_for_task_token and not callback:
        # The service call went through; now the task waits for its token.
        kind, resource_type, resource = resource_kind(state.resource)
        run.emit(
            frame,
            "TaskSubmitted",
            "taskSubmittedEventDetails",
            {"resourceType": resource_type, "resource": resource, "output": result},
        )
        run.release_wait(frame)
        assert frame.task_token is not None
        frame.phase = CALLBACK
        frame.wait_id = frame.task_token
        run.cursor.waiting[frame.task_token] = frame
        run.effects.append(AwaitCallback(frame.task_token, frame.task_token))
        return
    run.release_wait(frame)
    run.cancel_timers(frame)
    _release_token(run, frame)
    frame.heartbeat = None
    try:
        dataflow.check_size(state, result)
    except StatesError as exc:
        _failed_event(run, frame, state, exc.error, exc.cause)
        run.raised(frame, state, exc)
        _continue(run, frame)
        return
    kind, resource_type, resource = resource_kind(state.resource)
    if kind == LAMBDA:
        run.emit(
            frame,
            "LambdaFunctionSucceeded",
            "lambdaFunctionSucceededEventDetails",
            {"output": result},
        )
    elif kind == ACTIVITY:
        run.emit(frame, "ActivitySucceeded", "activitySucceededEventDetails", {"output": result})
    else:
        run.emit(
            frame,
            "TaskSucceeded",
            "taskSucceededEventDetails",
            {"resourceType": resource_type, "resource": resource, "output": result},
        )
    try:
        output, assigned = result_output(run, frame, state, result)
    except StatesError as exc:
        run.raised(frame, state, exc)
        _continue(run, frame)
        return
    run.complete(frame, state, output, assigned)
    run.drive(frame)


def result_output(
    run: Run, frame: Frame, state: State, result: Any
) -> tuple[Any, dict[str, Any] | None]:
    """A Task, Parallel or Map result turned into the state output and its assignments.

    JSONPath: ResultSelector, Assign (on the selected result), ResultPath, OutputPath.
    JSONata: Assign and Output (default: the result), both seeing $states.result.
    """
    if state.jsonata:
        values = queries.bindings(run, frame, state, result=result)
        assigned = queries.assign(run, frame, state, state.assign, values)
        return queries.output(run, state.output, values, result, state), assigned
    scope = run.scope(frame, state)
    if state.result_selector is not None:
        result = state.result_selector.evaluate(result, scope)
    assigned = None
    if state.assign is not None:
        assigned = variables.jsonpath_assign(frame, state, state.assign, result, scope)
    return dataflow.finish_output(state, frame.input, result, scope), assigned


def task_failed(
    run: Run, frame: Frame, state: TaskState, error: str, cause: str, timed_out: bool = False
) -> None:
    run.release_wait(frame)
    run.cancel_timers(frame)
    _release_token(run, frame)
    if timed_out:
        _timed_out_event(run, frame, state, error, cause)
    else:
        _failed_event(run, frame, state, error, cause)
    run.state_failed(frame, state, error, cause)
    _continue(run, frame)


def _continue(run: Run, frame: Frame) -> None:
    if frame.phase == ENTER:
        run.drive(frame)


def _failed_event(run: Run, frame: Frame, state: TaskState, error: str, cause: str) -> None:
    kind, resource_type, resource = resource_kind(state.resource)
    details = error_details(error, cause or None)
    if kind == LAMBDA:
        run.emit(frame, "LambdaFunctionFailed", "lambdaFunctionFailedEventDetails", details)
    elif kind == ACTIVITY:
        run.emit(frame, "ActivityFailed", "activityFailedEventDetails", details)
    else:
        run.emit(
            frame,
            "TaskFailed",
            "taskFailedEventDetails",
            {"resourceType": resource_type, "resource": resource, **details},
        )


def _timed_out_event(run: Run, frame: Frame, state: TaskState, error: str, cause: str) -> None:
    kind, resource_type, resource = resource_kind(state.resource)
    details = error_details(error, cause or None)
    if kind == LAMBDA:
        run.emit(frame, "LambdaFunctionTimedOut", "lambdaFunctionTimedOutEventDetails", details)
    elif kind == ACTIVITY:
        run.emit(frame, "ActivityTimedOut", "activityTimedOutEventDetails", details)
    else:
        run.emit(
            frame,
            "TaskTimedOut",
            "taskTimedOutEventDetails",
            {"resourceType": resource_type, "resource": resource, **details},
        )


def timer_fired(run: Run, frame: Frame, state: TaskState, timer_id: str, purpose: str) -> None:
    """A task's TimeoutSeconds or HeartbeatSeconds ran out."""
    frame.timers = [t for t in frame.timers if t != timer_id]
    run.cursor.waiting.pop(timer_id, None)
    error = errors.HEARTBEAT_TIMEOUT if purpose == "heartbeat" else errors.TIMEOUT
    task_failed(run, frame, state, error, "", timed_out=True)


def heartbeat(run: Run, frame: Frame, state: TaskState) -> None:
    """SendTaskHeartbeat: restart the heartbeat clock (no history event)."""
    if frame.heartbeat is None:
        return
    kept = []
    for timer_id in frame.timers:
        if timer_id.startswith("heartbeat:"):
            run.effects.append(CancelTimer(timer_id))
            run.cursor.waiting.pop(timer_id, None)
        else:
            kept.append(timer_id)
    kept.append(run.start_timer(frame, frame.heartbeat, "heartbeat"))
    frame.timers = kept


HANDLERS["Task"] = run_task
