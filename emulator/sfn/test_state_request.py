"""TestState's request: the state under test and the checks AWS makes before running it.

https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html
The messages are AWS's, recorded in LocalStack's tests/aws/services/stepfunctions/v2/
test_state/*.snapshot.json (test_state_mock_validation, test_state_context_object,
test_test_state_scenarios); the few that no recording shows are marked "unverified wording".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import asl
from asl import jsontext
from asl.validation import invalid_definition_message
from emulator.activities import is_activity
from emulator.sfn import errors, test_state_mock
from emulator.sfn.executions import check_input

MAP_OR_PARALLEL = (
    "TestState API does not support Map or Parallel states. Supported state types include: "
    "[Task, Wait, Pass, Succeed, Fail, Choice]"
)
_CONTEXT = "Invalid Context object provided: "
# The fields a given context object may hold (the context object's documented fields;
# https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html).
_CONTEXT_FIELDS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "Execution": {"Id": str, "Input": object, "Name": str, "RoleArn": str, "StartTime": str,
                  "RedriveCount": int, "RedriveTime": str},
    "State": {"EnteredTime": str, "Name": str, "RetryCount": int},
    "StateMachine": {"Id": str, "Name": str},
    "Task": {"Token": str},
}  # fmt: skip


@dataclass
class Mock:
    result: Any = None
    has_result: bool = False
    text: str = ""  # the result as written
    error: str = ""
    cause: str = ""
    mode: str = "STRICT"


@dataclass
class Request:
    state: dict[str, Any]  # the state's definition
    query_language: str | None  # the enclosing machine's QueryLanguage
    input_text: str
    input: Any
    level: str
    mock: Mock | None
    context: Any  # the given context object, or None
    variables: dict[str, Any]
    role_arn: str | None
    retry_count: int
    error_caused_by: str | None
    map_failures: int | None
    reader_data: Any
    map_item: bool  # the state sits in a Map's ItemProcessor (stateName)

    @property
    def type(self) -> str:
        return str(self.state["Type"])


def parse(p: Mapping[str, Any]) -> Request:
    definition = _definition(p["definition"])
    name = p.get("stateName")
    query_language: str | None = None
    in_map = False
    if name is None:
        state = definition
    else:
        machine = _machine(definition)
        query_language = machine.get("QueryLanguage")
        found = _find(machine, name)
        if found is None:
            # Unverified wording: no recorded response for an unknown stateName.
            raise errors.ValidationError(f"State '{name}' was not found in the definition")
        state, in_map = found
    if not isinstance(state, Mapping) or "Type" not in state:
        raise errors.invalid_definition(
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are "
            "required: [Type] at /'"
        )
    input_text = check_input(p.get("input"))
    config = p.get("stateConfiguration") or {}
    request = Request(
        state=dict(state),
        query_language=query_language,
        input_text=input_text,
        input=jsontext.loads(input_text),
        level=p.get("inspectionLevel") or "INFO",
        mock=_mock(p.get("mock")),
        context=None,
        variables=_json_object(p.get("variables"), "variables") or {},
        role_arn=p.get("roleArn"),
        retry_count=int(config.get("retrierRetryCount") or 0),
        error_caused_by=config.get("errorCausedByState"),
        map_failures=config.get("mapIterationFailureCount"),
        reader_data=_reader_data(config.get("mapItemReaderData")),
        map_item=in_map,
    )
    _check_mock(request, p)
    if p.get("context") is not None:
        request.context = _context(p["context"], request)
    _check_configuration(request)
    return request


def _definition(text: str) -> Any:
    try:
        return jsontext.loads(text)
    except ValueError:
        raise errors.invalid_definition(invalid_definition_message(asl.validate(text))) from None


def _machine(definition: Any) -> Mapping[str, Any]:
    """With ``stateName`` the definition is a whole state machine, checked as CreateStateMachine
    checks it."""
    try:
        asl.load(_inline_all(definition))
    except asl.InvalidDefinition as exc:
        raise errors.invalid_definition(invalid_definition_message(exc.diagnostics)) from None
    assert isinstance(definition, Mapping)
    return definition


def inline(state: dict[str, Any]) -> dict[str, Any]:
    """A mocked Distributed Map checked as an inline one: its iterations never run, so its
    ItemReader, ItemBatcher and ResultWriter (which Stepline does not run) are only
    reported on."""
    processor = state.get("ItemProcessor")
    if state.get("Type") != "Map" or not isinstance(processor, Mapping):
        return state
    body = {
        k: v for k, v in state.items() if k not in ("ItemReader", "ItemBatcher", "ResultWriter")
    }
    body["ItemProcessor"] = {**processor, "ProcessorConfig": {"Mode": "INLINE"}}
    return body


def _inline_all(value: Any) -> Any:
    """The definition with every Map checked as an inline one (see :func:`inline`)."""
    if isinstance(value, list):
        return [_inline_all(item) for item in value]
    if not isinstance(value, Mapping):
        return value
    return inline({k: _inline_all(v) for k, v in value.items()})  # every Map, at any depth


def _find(scope: Mapping[str, Any], name: str, in_map: bool = False) -> tuple[Any, bool] | None:
    """A state by name in the machine or in any branch or item processor of it."""
    states = scope.get("States") or {}
    if name in states:
        return states[name], in_map
    for state in states.values():
        for child, child_in_map in _children(state):
            found = _find(child, name, child_in_map)
            if found is not None:
                return found
    return None


def state_names(state: Any) -> Iterator[str]:
    """The names of the states inside a Parallel's branches or a Map's item processor."""
    for child, _ in _children(state):
        for name, inner in (child.get("States") or {}).items():
            yield name
            yield from state_names(inner)


def _children(state: Any) -> Iterator[tuple[Mapping[str, Any], bool]]:
    if not isinstance(state, Mapping):
        return
    for branch in state.get("Branches") or []:
        if isinstance(branch, Mapping):
            yield branch, False
    processor = state.get("ItemProcessor") or state.get("Iterator")
    if isinstance(processor, Mapping):
        yield processor, True


def _json_object(text: str | None, member: str) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        value = jsontext.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        # Unverified wording: no recorded response for malformed variables.
        raise errors.ValidationError(f"The '{member}' field must be a JSON object")
    return value


def _reader_data(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return jsontext.loads(text)
    except ValueError:
        # Unverified wording: no recorded response for malformed mapItemReaderData.
        raise errors.ValidationError("The 'mapItemReaderData' field must be valid JSON") from None


def _mock(raw: Mapping[str, Any] | None) -> Mock | None:
    if raw is None:
        return None
    if ("result" in raw) == ("errorOutput" in raw):
        raise errors.ValidationError(
            "A test mock should have only one of the following fields: [result, errorOutput]."
        )
    mock = Mock(mode=raw.get("fieldValidationMode") or "STRICT")
    if "result" in raw:
        try:
            mock.result = jsontext.loads(raw["result"])
            mock.text = raw["result"]
        except ValueError:
            # Unverified wording (LocalStack's; no recording).
            raise errors.ValidationError("Mocked result must be valid JSON") from None
        mock.has_result = True
    else:
        failure = raw["errorOutput"] or {}
        mock.error = failure.get("error") or ""
        mock.cause = failure.get("cause") or ""
    return mock


def _check_mock(request: Request, p: Mapping[str, Any]) -> None:
    kind, mock, state = request.type, request.mock, request.state
    if mock is None:
        if kind in ("Map", "Parallel"):
            raise errors.invalid_definition(MAP_OR_PARALLEL)
        if kind == "Task":
            resource = str(state.get("Resource", ""))
            if is_activity(resource) or resource.endswith(
                (".sync", ".sync:2", ".waitForTaskToken")
            ):
                # AWS: "TestState only supports [...] Activity tasks, .sync or
                # .waitForTaskToken service integration patterns [...] when a mock is
                # specified". Unverified wording.
                raise errors.ValidationError(
                    "TestState requires a mock to test an Activity task or a .sync or "
                    ".waitForTaskToken service integration pattern"
                )
            if request.role_arn is None:
                raise errors.ValidationError("RoleArn must be specified when testing a Task state")
        return
    if kind not in ("Task", "Map", "Parallel"):
        raise errors.ValidationError(
            f"State type '{kind}' is not supported when a mock is specified"
        )
    if p.get("revealSecrets"):
        raise errors.ValidationError(
            "TestState does not support RevealSecrets when a mock is specified."
        )
    if not mock.has_result:
        return
    if kind == "Map":
        if "ResultWriter" in state and not isinstance(mock.result, dict):
            raise errors.ValidationError("Mocked result must be a JSON object.")
        if "ResultWriter" not in state and not isinstance(mock.result, list):
            raise errors.ValidationError("Mocked result must be an array.")
    elif kind == "Parallel":
        if not isinstance(mock.result, list):
            raise errors.ValidationError("Mocked result must be an array.")
        if len(mock.result) != len(state.get("Branches") or []):
            raise errors.ValidationError(
                "Mocked result must contain the same number of items as number of Parallel branches."
            )
    else:
        test_state_mock.check_result(str(state.get("Resource", "")), mock.result, mock.mode)


def _context(text: str, request: Request) -> Any:
    if request.mock is None:
        # API reference: "This field may only be specified if a mock is specified in the
        # same request."  Unverified wording.
        raise errors.ValidationError(_CONTEXT + "A Context object may only be given with a mock")
    try:
        context = jsontext.loads(text)
    except ValueError:
        context = None
    if not isinstance(context, dict):
        raise errors.ValidationError(
            _CONTEXT + "The Context object must be a JSON object"
        )  # unverified
    for field, value in context.items():
        if field == "Map":
            raise errors.ValidationError(
                _CONTEXT + "'Map' field is not supported when mocking a Context object"
            )
        if field not in _CONTEXT_FIELDS:
            raise errors.ValidationError(_CONTEXT + f"Field '{field}' is not allowed")
        if not isinstance(value, dict):
            raise errors.ValidationError(_CONTEXT + f"{field} must be an object")  # unverified
        allowed = _CONTEXT_FIELDS[field]
        for name, item in value.items():
            if name not in allowed:
                raise errors.ValidationError(_CONTEXT + f"Field '{name}' is not allowed")
            expected = allowed[name]
            if expected is not object and (
                isinstance(item, bool) or not isinstance(item, expected)
            ):
                kind = "a string" if expected is str else "a number"
                raise errors.ValidationError(_CONTEXT + f"{field}.{name} must be {kind}")
    if "Task" in context and not _callback_task(request.state):
        raise errors.ValidationError(
            _CONTEXT + "Context object contains 'Task' when state is not a Task state with a "
            "'.sync' or '.waitForTaskToken' service integration pattern"
        )
    return context


def _callback_task(state: Mapping[str, Any]) -> bool:
    resource = str(state.get("Resource", ""))
    return state.get("Type") == "Task" and (
        ".sync" in resource or resource.endswith(".waitForTaskToken")
    )


def _check_configuration(request: Request) -> None:
    """stateConfiguration members belong to the states they describe (unverified wording)."""
    kind = request.type
    if request.error_caused_by is not None:
        if kind not in ("Map", "Parallel"):
            raise errors.ValidationError(
                "The stateConfiguration field 'errorCausedByState' is only supported for Map "
                "and Parallel states"
            )
        if request.mock is None or request.mock.has_result:
            raise errors.ValidationError(
                "The stateConfiguration field 'errorCausedByState' requires a mocked errorOutput"
            )
        if _find(_processor_scope(request.state), request.error_caused_by) is None:
            raise errors.ValidationError(
                f"State '{request.error_caused_by}' was not found in the Map or Parallel state"
            )
    for field, value in (("mapIterationFailureCount", request.map_failures),
                         ("mapItemReaderData", request.reader_data)):  # fmt: skip
        if value is not None and kind != "Map":
            raise errors.ValidationError(
                f"The stateConfiguration field '{field}' is only supported for Map states"
            )
    if request.reader_data is not None and "ItemReader" not in request.state:
        raise errors.ValidationError(
            "The stateConfiguration field 'mapItemReaderData' requires a Map state with an ItemReader"
        )


def _processor_scope(state: Mapping[str, Any]) -> Mapping[str, Any]:
    """A scope whose States are every state inside the Map or Parallel state."""
    return {"States": {"": state}}
