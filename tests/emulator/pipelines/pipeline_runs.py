"""Compile a pipeline and run it in process (shared by the pipeline tests)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import asl
from emulator import ExecutionResult, run_local
from emulator.pipelines import check_input, compile_pipeline, parse_pipeline


def compiled(text: str, **kw: str) -> dict[str, Any]:
    definition = compile_pipeline(parse_pipeline(text), **kw)
    assert asl.validate(definition) == [], asl.validate(definition)
    return definition


def run(
    text: str,
    data: Any = None,
    handlers: dict[str, Callable[[Any], Any]] | None = None,
    **kw: str,
) -> ExecutionResult:
    pipeline = parse_pipeline(text)
    definition = compile_pipeline(pipeline, **kw)
    assert asl.validate(definition) == []
    return run_local(asl.load(definition), check_input(pipeline, data), handlers or {})


def events(result: ExecutionResult, kind: str) -> list[dict[str, Any]]:
    return [e for e in result.history() if e["type"] == kind]


def details(event: dict[str, Any]) -> dict[str, Any]:
    return next(v for k, v in event.items() if k.endswith("EventDetails"))


def scheduled(result: ExecutionResult) -> list[dict[str, Any]]:
    """The parameters of every TaskScheduled event, parsed."""
    return [json.loads(details(e)["parameters"]) for e in events(result, "TaskScheduled")]


def exited(result: ExecutionResult, state: str) -> list[Any]:
    """The outputs of every exit of ``state``, parsed."""
    return [
        json.loads(details(e)["output"])
        for e in result.history()
        if e["type"].endswith("StateExited") and details(e)["name"] == state
    ]
