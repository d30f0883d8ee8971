"""Definition checks: ValidateStateMachineDefinition, and what CreateStateMachine and
UpdateStateMachine refuse with InvalidDefinition.

https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinition.html
The core (``asl.validate``) finds the problems; this module adds the checks that depend on the
state machine's type (an EXPRESS machine cannot wait for a callback, run a ``.sync`` job or an
activity; messages as recorded from AWS in LocalStack's test_sfn_api_express.snapshot.json and
test_sfn_api_validation.snapshot.json).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import asl
from asl.loader import UNSUPPORTED
from asl.validation import invalid_definition_message
from asl.walk import iter_states
from emulator.sfn import errors

_WAIT = "Express state machine does not support '.waitForTaskToken' service integration "
_SYNC = "Express state machine does not support '.sync' service integration"
_ACTIVITY = "Express state machine does not support Activity ARN"


def express_diagnostics(raw: Any) -> list[asl.Diagnostic]:
    """What an EXPRESS state machine may not contain, at each Task's Resource."""
    out: list[asl.Diagnostic] = []
    for location, resource in _task_resources(raw):
        message = None
        if resource.endswith(".waitForTaskToken"):
            message = _WAIT
        elif resource.endswith(".sync") or ".sync:" in resource:
            message = _SYNC
        elif resource.startswith("arn:") and ":activity:" in resource:
            message = _ACTIVITY
        if message is not None:
            out.append(asl.Diagnostic("ERROR", "SCHEMA_VALIDATION_FAILED", message, location))
    return out


def _task_resources(raw: Any) -> Iterator[tuple[str, str]]:
    for here, state in iter_states(raw):
        resource = state.get("Resource")
        if state.get("Type") == "Task" and isinstance(resource, str):
            yield f"{here}/Resource", resource


def compile_definition(definition: str, machine_type: str) -> asl.StateMachine:
    """The compiled machine, or InvalidDefinition with AWS's message."""
    try:
        machine = asl.load(definition)
    except asl.InvalidDefinition as exc:
        raise errors.invalid_definition(invalid_definition_message(exc.diagnostics)) from None
    if machine_type == "EXPRESS":
        diags = express_diagnostics(machine.definition)
        if diags:
            raise errors.invalid_definition(invalid_definition_message(diags))
    return machine


def validate_state_machine_definition(params: dict[str, Any]) -> dict[str, Any]:
    """ValidateStateMachineDefinition: diagnostics, errors first, at most ``maxResults``
    (0 or absent means 100), ``truncated`` when some were left out."""
    definition = params["definition"]
    # UNSUPPORTED is Stepline's own code for what the interpreter cannot run yet; it is not
    # AWS's, so AWS's static analysis leaves it out, while CreateStateMachine refuses such a
    # definition rather than accept one it cannot run.
    diags = [d for d in asl.validate(definition) if d.code != UNSUPPORTED]
    if params.get("type", "STANDARD") == "EXPRESS" and not any(d.severity == "ERROR" for d in diags):
        parsed = _parsed(definition)
        if parsed is not None:
            diags += express_diagnostics(parsed)
    if params.get("severity", "ERROR") == "ERROR":
        diags = [d for d in diags if d.severity == "ERROR"]
    diags.sort(key=lambda d: d.severity != "ERROR")  # stable: errors, then warnings
    limit = params.get("maxResults") or 100
    result = "FAIL" if any(d.severity == "ERROR" for d in diags) else "OK"
    return {
        "result": result,
        "diagnostics": [d.to_api() for d in diags[:limit]],
        "truncated": len(diags) > limit,
    }


def _parsed(definition: str) -> Any:
    from asl import jsontext

    try:
        return jsontext.loads(definition)
    except ValueError:
        return None
