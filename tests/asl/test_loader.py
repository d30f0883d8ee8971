"""Loading: any JSON gives a model or diagnostics, never another exception."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import asl

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)

STATE_TYPES = ["Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map", "Bogus"]
FIELDS = [
    "Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result", "Resource",
    "Choices", "Default", "Seconds", "SecondsPath", "Timestamp", "Error", "Cause", "Branches",
    "ItemsPath", "Iterator", "ItemProcessor", "Retry", "Catch", "TimeoutSeconds", "MaxConcurrency",
]
path_like = st.sampled_from(["$", "$.a", "$$.Execution.Id", "$[0]", "$..x", "bad", "$.a[", None, 3])

states = st.dictionaries(
    st.sampled_from(["A", "B", "C"]),
    st.fixed_dictionaries({"Type": st.sampled_from(STATE_TYPES)}).flatmap(
        lambda base: st.dictionaries(
            st.sampled_from(FIELDS), json_values | path_like | st.sampled_from(["A", "B", True]),
            max_size=4,
        ).map(lambda extra: {**extra, **base})
    ),
    max_size=3,
)
definitions = st.fixed_dictionaries(
    {"StartAt": st.sampled_from(["A", "B", "Z", 1]), "States": states}
)


def _load(raw: Any) -> None:
    try:
        model = asl.load(raw)
    except asl.InvalidDefinition as exc:
        assert exc.diagnostics
        for d in exc.diagnostics:
            assert d.severity in ("ERROR", "WARNING") and d.code and d.message
    else:
        assert isinstance(model, asl.StateMachine)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_value_loads_or_gives_diagnostics(raw: Any) -> None:
    _load(raw)
    _load(json.dumps(raw))


@settings(max_examples=400, deadline=None)
@given(definitions)
def test_definition_shaped_documents_load_or_give_diagnostics(raw: Any) -> None:
    _load(raw)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_loads_or_gives_diagnostics(text: str) -> None:
    _load(text)


def test_paths_and_templates_compile_once_at_load() -> None:
    m = asl.load(
        {
            "StartAt": "A",
            "States": {
                "A": {
                    "Type": "Pass",
                    "InputPath": "$.in",
                    "Parameters": {"x.$": "$.a", "y": 1},
                    "ResultPath": "$.r",
                    "End": True,
                }
            },
        }
    )
    state = m.graph.states["A"]
    assert state.input_path is not None and state.input_path.text == "$.in"
    assert state.parameters is not None and not state.parameters.is_static
    assert state.result_path is not None and state.result_path.text == "$.r"
