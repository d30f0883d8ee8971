"""A run's input against the pipeline's flat input schema."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.pipelines import PipelineInvalid, check_input, parse_pipeline

PIPELINE = parse_pipeline(
    """
name: x
input:
  schema:
    topic: {type: string, required: true}
    count: {type: integer, default: 3}
    ratio: {type: number}
    loud: {type: boolean, required: true, default: false}
steps: [{id: a, type: transform, prompt: "{{input.topic}}"}]
"""
)


def test_defaults_are_filled_and_extra_fields_kept() -> None:
    assert check_input(PIPELINE, {"topic": "t", "extra": [1]}) == {
        "topic": "t",
        "count": 3,
        "loud": False,
        "extra": [1],
    }


@pytest.mark.parametrize(
    ("data", "issues"),
    [
        ({}, [{"field": "input.topic", "message": "is required"}]),
        (None, [{"field": "input.topic", "message": "is required"}]),
        ({"topic": 5}, [{"field": "input.topic", "message": "must be a string"}]),
        ({"topic": "t", "count": 1.5}, [{"field": "input.count", "message": "must be an integer"}]),
        (
            {"topic": "t", "count": True},
            [{"field": "input.count", "message": "must be an integer"}],
        ),
        ({"topic": "t", "ratio": "1"}, [{"field": "input.ratio", "message": "must be a number"}]),
        ({"topic": "t", "loud": "yes"}, [{"field": "input.loud", "message": "must be a boolean"}]),
        ([1], [{"field": "input", "message": "must be an object"}]),
    ],
)
def test_mismatches_name_the_field(data: Any, issues: list[dict[str, str]]) -> None:
    with pytest.raises(PipelineInvalid) as info:
        check_input(PIPELINE, data)
    assert info.value.issues == issues


def test_whole_numbers_are_integers_and_integers_numbers() -> None:
    assert check_input(PIPELINE, {"topic": "t", "count": 2.0, "ratio": 1})["count"] == 2.0


def test_no_schema_accepts_any_object() -> None:
    p = parse_pipeline("name: x\nsteps: [{id: a, type: transform, prompt: x}]")
    assert check_input(p, {"anything": 1}) == {"anything": 1}
