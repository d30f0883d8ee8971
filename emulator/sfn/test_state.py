"""TestState: run one state in isolation and report what it did.

https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html
The state runs in a throw-away machine where every state it can move to is a terminal Pass,
so the interpreter's own input/output processing, Choice rules, Catch and Fail logic decide
the outcome; a Wait does not wait (the run has a virtual clock).  A ``mock`` answers a Task
(``result`` or ``errorOutput``); a Map or Parallel state needs one and is answered by it as a
whole, after the Map's own ItemsPath, ItemSelector and failure threshold.  Retries are not
carried out: an error a retrier would retry is reported as RETRIABLE with the backoff AWS
would wait (``stateConfiguration.retrierRetryCount`` retries already made); one a catcher
takes is CAUGHT_ERROR with the catcher's output and Next.  Without a mock a Task is answered
as in an execution (local handlers, Lambda, service integrations), in a worker thread and
for at most five minutes.  The request's checks are in test_state_request, the mock's field
validation in test_state_mock, the inspection data in test_state_inspect and the HTTP
Task's trace in test_state_http.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import asl
from asl import jsontext
from asl.errors import StatesError
from asl.interpreter.map_setup import preview_map
from asl.interpreter.retry import error_matches, retry_delay
from asl.model import MapState, State
from asl.scope import Scope
from asl.timestamps import format_timestamp
from asl.validation import invalid_definition_message
from emulator.driver import ExecutionResult, run_local
from emulator.handlers import TaskFailure
from emulator.integrations.http import RESOURCE
from emulator.sfn import errors, test_state_inspect, test_state_request
from emulator.sfn.context import Caller, Services
from emulator.sfn.test_state_http import HttpTrace, is_http_task
from emulator.sfn.test_state_inspect import MapFigures
from emulator.sfn.test_state_request import Request

_NAME = "TestState"
_MOCK_RESOURCE = "arn:aws:states:::stepline:testState.mock"
# What a mocked Map or Parallel loses when it becomes a Task answered by the mock: the
# iterations and branches, and the fields that shape them (a Map's Parameters is its
# ItemSelector's old name; a Parallel's Parameters or Arguments stay, as its input).
_FANOUT_FIELDS = frozenset({
    "Branches", "ItemProcessor", "Iterator", "Items", "ItemsPath", "ItemSelector",
    "ItemReader", "ItemBatcher", "ResultWriter", "MaxConcurrency",
    "MaxConcurrencyPath", "ToleratedFailureCount", "ToleratedFailureCountPath",
    "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "Label",
})  # fmt: skip
EXCEEDED = ("States.ExceedToleratedFailureThreshold",
            "The specified tolerated failure threshold was exceeded")  # fmt: skip


# "The TestState API can run for up to five minutes. If the execution of a state exceeds this
# duration, it fails with the States.Timeout error." (API_TestState.html)
TIME_LIMIT_SECONDS = 300.0


async def test_state(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    # In a worker thread: an unmocked Task may call out (HTTP, Lambda, a service, even this
    # server), which must not hold up the server's event loop.
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(_test_state, svc, caller, p), TIME_LIMIT_SECONDS
        )
    except TimeoutError:
        # The call that overran is left to finish in its thread; its answer is dropped.
        return {
            "status": "FAILED",
            "error": "States.Timeout",
            # Unverified wording: AWS documents the error, not its cause.
            "cause": f"The state did not finish within the TestState limit of "
            f"{TIME_LIMIT_SECONDS:g} seconds",
        }


def _test_state(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    request = test_state_request.parse(p)
    name = p.get("stateName") or _free_name(request.state)
    machine = _load(request, name, test_state_request.inline(request.state))
    state = machine.graph.states[name]
    now = svc.now()
    context = request.context if request.context is not None else _context(request, caller, now)
    info = _info(request, caller, context, now)
    figures: MapFigures | None = None
    failure: tuple[str, str] | None = None
    if isinstance(state, MapState):
        figures, failure = _map(machine, state, request, info, now)
    if failure is None and request.mock is not None and not request.mock.has_result:
        failure = (request.mock.error, request.mock.cause)
    handlers = dict(svc.executions.handlers)
    answer = _answer(request, failure)
    if answer is not None:
        handlers[_MOCK_RESOURCE] = answer
    trace: HttpTrace | None = None
    if request.level == "TRACE" and request.mock is None and is_http_task(request.state):
        trace = HttpTrace(caller.region, bool(p.get("revealSecrets")))
        handlers[RESOURCE] = trace.handler()
    first = _run(request, name, _body(request, answer, keep_catch=False), handlers, info)
    run = test_state_inspect.from_history(first.history())
    out, final = _outcome(request, state, name, first, run, handlers, info)
    if "output" in out:
        out["output"] = _as_written(out["output"], request)
    variables = dict(request.variables)
    variables.update(test_state_inspect.assigned_variables(final.history()))
    if request.level in ("DEBUG", "TRACE"):
        scope = Scope(request.variables, context=context)
        out["inspectionData"] = test_state_inspect.inspection_data(
            state, request.input, request.input_text, scope, run, figures, variables
        )
        if trace is not None and trace.request is not None:
            out["inspectionData"]["request"] = trace.request
        if trace is not None and trace.response is not None:
            out["inspectionData"]["response"] = trace.response
    return out


def _free_name(state: Mapping[str, Any]) -> str:
    """A name for the state that no state inside it (a branch's, an iteration's) has."""
    taken = set(test_state_request.state_names(state))
    name, number = _NAME, 1
    while name in taken:
        number += 1
        name = f"{_NAME}{number}"
    return name


def _load(request: Request, name: str, body: Mapping[str, Any]) -> asl.StateMachine:
    """A machine of the state alone, every state it may move to a terminal Pass."""
    states: dict[str, Any] = {name: dict(body)}
    for target in _targets(body):
        if target != name:
            states[target] = {"Type": "Pass", "End": True}
    top: dict[str, Any] = {"StartAt": name, "States": states}
    if request.query_language is not None:
        top["QueryLanguage"] = request.query_language
    try:
        return asl.load(top)
    except asl.InvalidDefinition as exc:
        raise errors.invalid_definition(invalid_definition_message(exc.diagnostics)) from None


def _targets(state: Mapping[str, Any]) -> list[str]:
    found = [state.get("Next"), state.get("Default")]
    found += [rule.get("Next") for rule in state.get("Choices") or [] if isinstance(rule, Mapping)]
    found += [c.get("Next") for c in state.get("Catch") or [] if isinstance(c, Mapping)]
    return [t for t in found if isinstance(t, str)]


def _context(request: Request, caller: Caller, now: datetime) -> dict[str, Any]:
    """The context object of a test run: an Express execution of a machine of its own.
    Recorded AWS responses (test_test_state_scenarios.snapshot.json) show the state named
    "StateName" whatever its name, RoleArn null without a roleArn and RetryCount only for
    the states that retry."""
    machine, execution = f"TestState-{uuid.uuid4()}", str(uuid.uuid4())
    prefix = f"arn:aws:states:{caller.region}:{caller.account}"
    context: dict[str, Any] = {
        "Execution": {
            "Id": f"{prefix}:express:{machine}:{execution}",
            "Input": request.input,
            "Name": execution,
            "RoleArn": request.role_arn,
            "StartTime": format_timestamp(now),
        },
        "StateMachine": {"Id": f"{prefix}:stateMachine:{machine}", "Name": machine},
        "State": {"Name": "StateName", "EnteredTime": format_timestamp(now)},
    }
    if request.type in ("Task", "Map", "Parallel"):
        context["State"]["RetryCount"] = request.retry_count
    if request.type == "Task" and str(request.state.get("Resource", "")).endswith(
        ".waitForTaskToken"
    ):
        context["Task"] = {"Token": uuid.uuid4().hex}
    if request.map_item:
        # The guide: testing a state inside a Map fills in $states.context.Map.Item.
        context["Map"] = {"Item": {"Index": 0, "Value": request.input}}
    return context


def _info(request: Request, caller: Caller, context: Any, now: datetime) -> asl.ExecutionInfo:
    name = str(uuid.uuid4())
    prefix = f"arn:aws:states:{caller.region}:{caller.account}"
    return asl.ExecutionInfo(
        execution_arn=f"{prefix}:express:{_NAME}:{name}",
        execution_name=name,
        state_machine_arn=f"{prefix}:stateMachine:{_NAME}",
        state_machine_name=_NAME,
        role_arn=request.role_arn or "",
        start_time=now,
        context=context,
        variables=request.variables or None,
    )


def _map(
    machine: asl.StateMachine,
    state: MapState,
    request: Request,
    info: asl.ExecutionInfo,
    now: datetime,
) -> tuple[MapFigures, tuple[str, str] | None]:
    """The Map's own processing before its iterations, and whether it fails there or by the
    failed iterations ``stateConfiguration.mapIterationFailureCount`` says."""
    figures = MapFigures(
        batcher=request.state.get("ItemBatcher"), reader="ItemReader" in request.state
    )
    if "ItemReader" in request.state:
        # The items come from the reader (stateConfiguration.mapItemReaderData), not from
        # the input: only the Map's own figures are known.
        inputs = request.reader_data if isinstance(request.reader_data, list) else []
        count, percentage = state.tolerated_failure_count, state.tolerated_failure_percentage
        figures.max_concurrency = state.max_concurrency
    else:
        try:
            inputs, figures.max_concurrency, count, percentage = preview_map(
                machine, state, request.input, info, now
            )
        except StatesError as exc:
            figures.failed = True
            return figures, (exc.error, exc.cause)
        figures.inputs = inputs
    figures.tolerated_count, figures.tolerated_percentage = count, percentage
    failures = request.map_failures
    if failures is None or request.mock is None or not request.mock.has_result:
        return figures, None  # a mocked error stands as it is (recorded)
    total = len(inputs)
    # Recorded: without a ToleratedFailure* field the failure count changes nothing.
    exceeded = (count is not None and failures > count) or (
        percentage is not None and total > 0 and failures * 100 / total > percentage
    )
    return figures, EXCEEDED if exceeded else None


def _answer(request: Request, failure: tuple[str, str] | None) -> Any:
    """The handler that plays the mocked Task, Map or Parallel."""
    if failure is not None:
        error, cause = failure

        def fail(_: Any) -> Any:
            raise TaskFailure(error, cause)

        return fail
    mock = request.mock
    if mock is None:
        return None
    result = mock.result
    return lambda _: result


def _body(request: Request, answer: Any, keep_catch: bool) -> dict[str, Any]:
    body = {k: v for k, v in request.state.items() if k != "Retry" and (keep_catch or k != "Catch")}
    if answer is not None:
        if request.type != "Task":
            dropped = _FANOUT_FIELDS | ({"Parameters"} if request.type == "Map" else set())
            body = {k: v for k, v in body.items() if k not in dropped}
        body.update(Type="Task", Resource=_MOCK_RESOURCE)
    return body


def _run(
    request: Request,
    name: str,
    body: dict[str, Any],
    handlers: dict[str, Any],
    info: asl.ExecutionInfo,
) -> ExecutionResult:
    machine = _load(request, name, body)
    result = run_local(machine, request.input, handlers, info, input_text=request.input_text)
    if result.status == "RUNNING":
        raise errors.ValidationError(
            "This state waits for a callback or an activity worker: give a mock to test it"
        )
    return result


def _outcome(
    request: Request,
    state: State,
    name: str,
    first: ExecutionResult,
    run: test_state_inspect.Run,
    handlers: dict[str, Any],
    info: asl.ExecutionInfo,
) -> tuple[dict[str, Any], ExecutionResult]:
    """status, nextState, output, error and cause; and the run the state ended in."""
    if first.status == "SUCCEEDED":
        return {"status": "SUCCEEDED", **_moved_on(first)}, first
    error, cause = first.error or "", first.cause
    out: dict[str, Any] = {"status": "FAILED", "error": error}
    if cause is not None:
        out["cause"] = cause
    for index, retrier in enumerate(state.retriers):
        if error_matches(retrier.error_equals, error):
            run.error_details["retryIndex"] = index
            if request.retry_count < retrier.max_attempts:
                delay = retry_delay(
                    retrier.interval_seconds, retrier.backoff_rate, request.retry_count,
                    retrier.max_delay_seconds, False, None,
                )  # fmt: skip
                run.error_details["retryBackoffIntervalSeconds"] = int(delay)
                out["status"] = "RETRIABLE"
                return out, first
            break  # the first matching retrier is spent: the catchers come next
    for index, catcher in enumerate(state.catchers):
        if error_matches(catcher.error_equals, error):
            run.error_details["catchIndex"] = index
            fail = _answer(request, (error, cause or ""))
            body = _body(request, fail, keep_catch=True)
            caught = _run(request, name, body, {**handlers, _MOCK_RESOURCE: fail}, info)
            if caught.status == "SUCCEEDED":
                return {**out, "status": "CAUGHT_ERROR", **_moved_on(caught)}, caught
            # The catcher's own processing failed (its ResultPath, Output or Assign).
            out = {"status": "FAILED", "error": caught.error or ""}
            if caught.cause is not None:
                out["cause"] = caught.cause
            return out, caught
    return out, first


def _as_written(output: str, request: Request) -> str:
    """The output as the request wrote it when it is the input or the mocked result unchanged:
    recorded AWS responses keep that text, spacing included ("output": "[1, 4, 9]" for the
    mock result "[1, 4, 9]", test_state_configuration.snapshot.json)."""
    if output == jsontext.dumps(request.input):
        return request.input_text
    mock = request.mock
    if mock is not None and mock.has_result and output == jsontext.dumps(mock.result):
        return mock.text
    return output


def _moved_on(result: ExecutionResult) -> dict[str, Any]:
    """nextState and output when the state moved to another; output alone when it ended."""
    entered = [e for e in result.history() if e["type"].endswith("StateEntered")]
    if len(entered) > 1:
        details = entered[1]["stateEnteredEventDetails"]
        return {"nextState": details["name"], "output": details.get("input", "null")}
    return {"output": jsontext.dumps(result.output)}
