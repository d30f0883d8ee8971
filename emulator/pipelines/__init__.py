"""Pipelines: stepIQ's pipeline definitions, validated and compiled into ASL.

    pipeline = parse_pipeline(yaml_or_json_text)        # or PipelineInvalid(issues)
    definition = compile_pipeline(pipeline, owner=user_id, pipeline_id=pipeline_id)
    run_input = check_input(pipeline, data)              # defaults filled, or PipelineInvalid

The compiled definition is an ordinary state machine (QueryLanguage JSONata); its ``llm`` steps
call :mod:`emulator.integrations.llm`, which reads secrets through :mod:`emulator.pipelines.secrets`.
"""

from __future__ import annotations

from emulator.pipelines.compiler import compile_pipeline
from emulator.pipelines.definition import (
    Pipeline,
    PipelineInvalid,
    Step,
    parse_pipeline,
    validate_pipeline,
)
from emulator.pipelines.input_schema import check_input

__all__ = [
    "Pipeline",
    "PipelineInvalid",
    "Step",
    "check_input",
    "compile_pipeline",
    "parse_pipeline",
    "validate_pipeline",
]
