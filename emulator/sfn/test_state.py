"""TestState: run one state in isolation and report what it did.

https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html
The state runs in a throw-away machine where every state it can move to is a terminal Pass,
so the interpreter's own input/output processing, Choice rules, Catch and Fail logic decide
the outcome.  A ``mock`` answers a Task (``result`` or ``errorOutput``); a Map or Parallel
state needs a mock and is answered by it as a whole.  Retry is not carried out: a failure a
retrier would retry is reported as RETRIABLE, as AWS does.  Without a mock a Task is answered
by the runner's local handlers, if it has any.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asl
from asl import jsontext
from asl.validation import invalid_definition_message
from emulator.driver import default_info, run_local
from emulator.handlers import TaskFailure
from emulator.sfn import errors
from emulator.sfn.context import Caller, Services
from emulator.sfn.executions import check_input

_MOCK_RESOURCE = "arn:aws:states:::stepline:testState.mock"
_CHILDREN = ("Branches", "ItemProcessor", "Iterator", "ItemsPath", "ItemSelector", "ItemReader",
             "ItemBatcher", "ResultWriter", "MaxConcurrency", "MaxConcurrencyPath",
             "ToleratedFailureCount", "ToleratedFailureCountPath", "ToleratedFailurePercentage",
             "ToleratedFailurePercentagePath", "Label")


def _parse(text: str) -> Any:
    try:
        return jsontext.loads(text)
    except ValueError:
        raise errors.invalid_definition(
            invalid_definition_message(asl.validate(text))
        ) from None


def _targets(state: Mapping[str, Any]) -> list[str]:
    found = [state.get("Next"), state.get("Default")]
    found += [rule.get("Next") for rule in state.get("Choices") or [] if isinstance(rule, Mapping)]
    found += [c.get("Next") for c in state.get("Catch") or [] if isinstance(c, Mapping)]
    return [t for t in found if isinstance(t, str)]


def _retriable(state: Mapping[str, Any], error: str, count: int) -> tuple[int, float] | None:
    """(retrier index, backoff seconds) when a retrier would retry ``error``."""
    for index, retrier in enumerate(state.get("Retry") or []):
        equals = retrier.get("ErrorEquals") or []
        if error in equals or ("States.ALL" in equals and not error.startswith("States.Runtime")):
            if count >= retrier.get("MaxAttempts", 3):
                return None
            interval = retrier.get("IntervalSeconds", 1) * retrier.get("BackoffRate", 2.0) ** count
            cap = retrier.get("MaxDelaySeconds")
            return index, min(interval, cap) if cap is not None else interval
    return None


def test_state(svc: Services, caller: Caller, p: dict[str, Any]) -> dict[str, Any]:
    for member in ("variables", "context", "stateConfiguration"):
        if member == "stateConfiguration":
            extra = set(p.get(member) or {}) - {"retrierRetryCount"}
            if not extra:
                continue
        elif p.get(member) is None:
            continue
        # Refused rather than ignored: the state would run with other values than asked.
        raise errors.ValidationError(f"TestState with '{member}' is not supported by Stepline yet")
    parsed = _parse(p["definition"])
    name = p.get("stateName")
    top: dict[str, Any] = {}
    if name is not None:
        states = parsed.get("States") if isinstance(parsed, Mapping) else None
        if not isinstance(states, Mapping) or name not in states:
            raise errors.ValidationError(f"State '{name}' was not found in the definition")
        state = states[name]
        if "QueryLanguage" in parsed:
            top["QueryLanguage"] = parsed["QueryLanguage"]
    else:
        name, state = "TestState", parsed
    if not isinstance(state, Mapping) or "Type" not in state:
        raise errors.invalid_definition(
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are "
            "required: [Type] at /'"
        )
    input_text = check_input(p.get("input"))
    mock = p.get("mock")
    body = {k: v for k, v in state.items() if k != "Retry"}
    handlers = dict(getattr(svc.executions, "handlers", None) or {})
    if mock is not None:
        if state["Type"] not in ("Task", "Map", "Parallel"):
            raise errors.ValidationError("A mock can only be given for Task, Map and Parallel states")
        if state["Type"] != "Task":
            body = {k: v for k, v in body.items() if k not in _CHILDREN}
            body.update(Type="Task", Resource=_MOCK_RESOURCE)
        handlers[str(body["Resource"])] = _mock_handler(mock)
    elif state["Type"] in ("Map", "Parallel"):
        raise errors.ValidationError(f"A mock is required to test a {state['Type']} state")
    machine_states: dict[str, Any] = {name: body}
    for target in _targets(state):
        if target != name:
            machine_states[target] = {"Type": "Pass", "End": True}
    try:
        machine = asl.load({**top, "StartAt": name, "States": machine_states})
    except asl.InvalidDefinition as exc:
        raise errors.invalid_definition(invalid_definition_message(exc.diagnostics)) from None
    result = run_local(machine, jsontext.loads(input_text), handlers, default_info(
        region=caller.region, account=caller.account))
    if result.status == "RUNNING":
        raise errors.ValidationError(
            "This state waits for a callback or an activity worker: give a mock to test it"
        )
    return _report(p, state, input_text, result)


def _mock_handler(mock: Mapping[str, Any]) -> Any:
    def answer(_: Any) -> Any:
        if "errorOutput" in mock:
            failure = mock["errorOutput"]
            raise TaskFailure(failure.get("error", ""), failure.get("cause", ""))
        try:
            return jsontext.loads(mock.get("result", "null"))
        except ValueError:
            raise TaskFailure("States.Runtime", "The mock result is not valid JSON") from None

    return answer


def _report(p: dict[str, Any], state: Mapping[str, Any], input_text: str, result: Any) -> dict[str, Any]:
    history = result.history()
    entered = [e for e in history if e["type"].endswith("StateEntered")]
    failure = next(
        (e for e in history
         if e["type"].endswith("Failed") and not e["type"].startswith("Execution")),
        None,
    )
    failed_details: dict[str, Any] = next((v for k, v in failure.items() if k.endswith("EventDetails")), {}) if failure else {}
    inspection: dict[str, Any] = {"input": input_text}
    if p.get("inspectionLevel") in ("DEBUG", "TRACE"):
        for event in history:
            if event["type"] == "TaskScheduled":
                inspection["afterParameters"] = event["taskScheduledEventDetails"]["parameters"]
            if event["type"] == "TaskSucceeded":
                inspection["result"] = event["taskSucceededEventDetails"].get("output", "null")
    out: dict[str, Any] = {"inspectionData": inspection}
    if len(entered) > 1:
        nxt = entered[1]["stateEnteredEventDetails"]
        out["nextState"] = nxt["name"]
        out["output"] = nxt.get("input", "null")
        if failure is not None:
            out["status"] = "CAUGHT_ERROR"
            out["error"] = failed_details.get("error", "")
            out["cause"] = failed_details.get("cause", "")
        else:
            out["status"] = "SUCCEEDED"
        return out
    if result.status == "SUCCEEDED":
        out.update(status="SUCCEEDED", output=jsontext.dumps(result.output))
        return out
    error, cause = result.error or "", result.cause or ""
    count = int((p.get("stateConfiguration") or {}).get("retrierRetryCount", 0))
    retry = _retriable(state, error, count)
    if retry is not None:
        inspection["errorDetails"] = {
            "retryIndex": retry[0],
            "retryBackoffIntervalSeconds": int(retry[1]),
        }
        out["status"] = "RETRIABLE"
    else:
        out["status"] = "FAILED"
    out["error"] = error
    out["cause"] = cause
    return out
