"""Load a definition (JSON text or a parsed dict) into a compiled :class:`StateMachine`.

Validation runs first and reports every problem as a diagnostic; only a definition without
errors is compiled.  Features the interpreter does not run yet are refused here with a
diagnostic of their own, never silently ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asl.choice import compile_choice_rule
from asl.errors import DefinitionError
from asl.jsonpath import Path, ReferencePath, compile_path, compile_reference_path
from asl.model import (
    Catcher,
    ChoiceState,
    FailState,
    Graph,
    MapState,
    ParallelState,
    PassState,
    Retrier,
    State,
    StateMachine,
    SucceedState,
    TaskState,
    WaitState,
)
from asl.payload import compile_dynamic_value, compile_template
from asl.validation import Diagnostic, validate_definition, validate_definition_text
from asl.walk import iter_states

UNSUPPORTED = "UNSUPPORTED_FEATURE"


class InvalidDefinition(Exception):
    """The definition has errors; ``diagnostics`` lists them."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        first = diagnostics[0] if diagnostics else None
        super().__init__(f"{first.code}: {first.message} at {first.location}" if first else "")


def validate(definition: str | Mapping[str, Any]) -> list[Diagnostic]:
    """Every diagnostic for a definition: AWS's static checks plus Stepline's own limits."""
    return _check(definition)[1]


def _check(definition: str | Mapping[str, Any]) -> tuple[Any, list[Diagnostic]]:
    if isinstance(definition, str):
        raw, diags = validate_definition_text(definition)
    else:
        raw, diags = definition, validate_definition(definition)
    if raw is not None and not _errors(diags):
        diags = diags + _unsupported(raw)
    return raw, diags


def load(definition: str | Mapping[str, Any]) -> StateMachine:
    """Compile a definition; raises :class:`InvalidDefinition` when it has errors."""
    raw, diags = _check(definition)
    if _errors(diags):
        raise InvalidDefinition(_errors(diags))
    scopes: dict[str, Graph] = {}
    try:
        graph = _graph(raw, "", scopes, raw.get("QueryLanguage", "JSONPath"))
    except DefinitionError as exc:  # validation should have caught it; never leak a traceback
        raise InvalidDefinition(
            [Diagnostic("ERROR", "SCHEMA_VALIDATION_FAILED", str(exc), "/")]
        ) from None
    return StateMachine(
        graph=graph,
        definition=dict(raw),
        timeout_seconds=raw.get("TimeoutSeconds"),
        comment=raw.get("Comment"),
        scopes=scopes,
    )


def _errors(diags: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diags if d.severity == "ERROR"]


# --------------------------------------------------------------------------- unsupported


def _unsupported(raw: Mapping[str, Any]) -> list[Diagnostic]:
    out: list[Diagnostic] = []

    def refuse(location: str, what: str) -> None:
        out.append(
            Diagnostic("ERROR", UNSUPPORTED, f"{what} is not supported by Stepline yet", location)
        )

    for here, state in iter_states(raw):
        for key in ("ItemReader", "ItemBatcher", "ResultWriter"):
            if key in state:
                refuse(f"{here}/{key}", f"Distributed Map ({key})")
        processor = state.get("ItemProcessor")
        config = processor.get("ProcessorConfig") if isinstance(processor, Mapping) else None
        if isinstance(config, Mapping) and config.get("Mode") == "DISTRIBUTED":
            refuse(f"{here}/ItemProcessor/ProcessorConfig/Mode", "Distributed Map")
    return out


# --------------------------------------------------------------------------- compiling


def _graph(raw: Mapping[str, Any], scope_id: str, scopes: dict[str, Graph], language: str) -> Graph:
    states: dict[str, State] = {}
    graph = Graph(start_at=raw["StartAt"], states=states, scope_id=scope_id)
    scopes[scope_id] = graph
    for name, spec in raw["States"].items():
        # A state's own QueryLanguage, else the machine's (nested states included).
        if spec.get("QueryLanguage", language) == "JSONata":
            from asl.compile_jsonata import jsonata_state

            states[name] = jsonata_state(
                name,
                spec,
                scope_id,
                lambda nested, nested_id: _graph(nested, nested_id, scopes, language),
                tuple(_retrier(r) for r in spec.get("Retry", ())),
            )
        else:
            states[name] = _state(name, spec, scope_id, scopes, language)
    return graph


def _path(spec: Mapping[str, Any], key: str) -> tuple[Path | None, bool]:
    """(compiled path or None for "$"/absent, True when the field is JSON null)."""
    if key not in spec:
        return None, False
    value = spec[key]
    if value is None:
        return None, True
    if value == "$":
        return None, False
    return compile_path(value), False


def _reference(spec: Mapping[str, Any], key: str) -> tuple[ReferencePath | None, bool]:
    if key not in spec:
        return None, False
    value = spec[key]
    if value is None:
        return None, True
    if value == "$":
        return None, False
    return compile_reference_path(value), False


def _optional_reference(spec: Mapping[str, Any], key: str) -> ReferencePath | None:
    value = spec.get(key)
    return compile_reference_path(value) if isinstance(value, str) else None


def _common(name: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    input_path, input_null = _path(spec, "InputPath")
    output_path, output_null = _path(spec, "OutputPath")
    result_path, result_null = _reference(spec, "ResultPath")
    out: dict[str, Any] = {
        "name": name,
        "type": spec["Type"],
        "next": spec.get("Next"),
        "end": bool(spec.get("End", False)),
        "input_path": input_path,
        "input_null": input_null,
        "output_path": output_path,
        "output_null": output_null,
        "result_path": result_path,
        "result_null": result_null,
    }
    if "Parameters" in spec and spec["Type"] != "Map":
        out["parameters"] = compile_template(spec["Parameters"], "Parameters")
    if "ResultSelector" in spec:
        out["result_selector"] = compile_template(spec["ResultSelector"], "ResultSelector")
    out["retriers"] = tuple(_retrier(r) for r in spec.get("Retry", ()))
    out["catchers"] = tuple(_catcher(c) for c in spec.get("Catch", ()))
    if "Assign" in spec:
        out["assign"] = _assign(spec["Assign"])
    return out


def _assign(raw: Any) -> Any:
    """A JSONPath Assign: a payload template whose keys are the variable names."""
    return compile_template(raw, "Assign")


def _retrier(spec: Mapping[str, Any]) -> Retrier:
    return Retrier(
        error_equals=tuple(spec["ErrorEquals"]),
        interval_seconds=spec.get("IntervalSeconds", 1),
        max_attempts=spec.get("MaxAttempts", 3),
        backoff_rate=spec.get("BackoffRate", 2.0),
        max_delay_seconds=spec.get("MaxDelaySeconds"),
        jitter_full=spec.get("JitterStrategy", "NONE") == "FULL",
    )


def _catcher(spec: Mapping[str, Any]) -> Catcher:
    result_path, result_null = _reference(spec, "ResultPath")
    return Catcher(
        error_equals=tuple(spec["ErrorEquals"]),
        next=spec["Next"],
        result_path=result_path,
        result_null=result_null,
        assign=_assign(spec["Assign"]) if "Assign" in spec else None,
    )


def _state(
    name: str, spec: Mapping[str, Any], scope_id: str, scopes: dict[str, Graph], language: str
) -> State:
    kind = spec["Type"]
    common = _common(name, spec)
    if kind == "Pass":
        return PassState(**common, result=spec.get("Result"), has_result="Result" in spec)
    if kind == "Task":
        resource = spec["Resource"]
        credentials = spec.get("Credentials")
        return TaskState(
            **common,
            resource=resource,
            timeout_seconds=spec.get("TimeoutSeconds"),
            timeout_seconds_path=_optional_reference(spec, "TimeoutSecondsPath"),
            heartbeat_seconds=spec.get("HeartbeatSeconds"),
            heartbeat_seconds_path=_optional_reference(spec, "HeartbeatSecondsPath"),
            credentials=compile_template(credentials, "Credentials") if credentials else None,
            wait_for_task_token=resource.endswith(".waitForTaskToken"),
        )
    if kind == "Choice":
        return ChoiceState(
            **common,
            choices=tuple(compile_choice_rule(rule, top_level=True) for rule in spec["Choices"]),
            rule_assign=tuple(
                _assign(rule["Assign"]) if "Assign" in rule else None for rule in spec["Choices"]
            ),
            default=spec.get("Default"),
        )
    if kind == "Wait":
        return WaitState(
            **common,
            seconds=spec.get("Seconds"),
            timestamp=spec.get("Timestamp"),
            seconds_path=_optional_reference(spec, "SecondsPath"),
            timestamp_path=_optional_reference(spec, "TimestampPath"),
        )
    if kind == "Succeed":
        return SucceedState(**common)
    if kind == "Fail":
        return FailState(
            **common,
            error=spec.get("Error"),
            cause=spec.get("Cause"),
            error_path=_fail_path(spec, "ErrorPath"),
            cause_path=_fail_path(spec, "CausePath"),
        )
    if kind == "Parallel":
        branches = tuple(
            _graph(branch, f"{scope_id}/{name}/{index}".lstrip("/"), scopes, language)
            for index, branch in enumerate(spec["Branches"])
        )
        return ParallelState(**common, branches=branches)
    if kind == "Map":
        processor_spec = spec.get("ItemProcessor") or spec["Iterator"]
        selector = spec.get("ItemSelector", spec.get("Parameters"))
        items_path, _ = _reference(spec, "ItemsPath")
        return MapState(
            **common,
            processor=_graph(processor_spec, f"{scope_id}/{name}".lstrip("/"), scopes, language),
            items_path=items_path,
            item_selector=compile_template(selector, "ItemSelector")
            if selector is not None
            else None,
            max_concurrency=spec.get("MaxConcurrency", 0),
            max_concurrency_path=_optional_reference(spec, "MaxConcurrencyPath"),
            tolerated_failure_percentage=spec.get("ToleratedFailurePercentage"),
            tolerated_failure_percentage_path=_optional_reference(
                spec, "ToleratedFailurePercentagePath"
            ),
            tolerated_failure_count=spec.get("ToleratedFailureCount"),
            tolerated_failure_count_path=_optional_reference(spec, "ToleratedFailureCountPath"),
        )
    raise DefinitionError(f"Unknown state type {kind!r}")


def _fail_path(spec: Mapping[str, Any], key: str) -> Any:
    value = spec.get(key)
    return compile_dynamic_value(value, key) if isinstance(value, str) else None
