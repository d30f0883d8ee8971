"""A pipeline definition in stepIQ's format: parsed from YAML or JSON and validated.

The fields are stepIQ's ``pipelineDefinitionSchema`` (packages/core/src/schemas.ts; see
shared/reference/stepiq-and-stepflow.md section 1.1), with three differences that make errors
visible instead of silent: unknown fields are refused (stepIQ's Zod schema strips them), a step's
``name`` defaults to its id (stepIQ's own getting-started example has none), and fields a step
type does not use are refused.  stepIQ documents only ``llm`` and ``transform``; the fields of
the other types are Stepline's (see :mod:`emulator.pipelines.checks`).

Errors name the field: :class:`PipelineInvalid` carries ``issues``, each
``{"field": "steps[1].on_condition[0].goto", "message": "..."}``.
"""

from __future__ import annotations

import json
import os
import re
from typing import Annotated, Any, Literal

import yaml  # type: ignore[import-untyped]  # no stubs among the chosen dependencies
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

MAX_BODY_BYTES = 1_048_576
MAX_NODES = 100_000  # values in a parsed definition
MAX_STEPS = 20  # per step list (stepIQ: steps 1..20; the pro plan's cap)
MAX_TOTAL_STEPS = 50  # nested steps included (stepIQ's enterprise plan cap)
DEFAULT_MAX_LOOPS = 3  # stepIQ leaves max_loops optional (1..10) with no default
STEP_TYPES = ("llm", "transform", "condition", "parallel", "webhook", "human_review", "code")

StepId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$", min_length=1, max_length=64)]
SecretName = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", min_length=1, max_length=100)
]


class PipelineInvalid(Exception):
    """A definition that cannot be used; ``issues`` lists ``{field, message}``."""

    def __init__(self, issues: list[dict[str, str]]) -> None:
        self.issues = issues
        first = issues[0] if issues else {"field": "", "message": "invalid"}
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        super().__init__(f"{first['field'] or 'pipeline'}: {first['message']}{more}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True, frozen=True)


class Retry(_Model):
    max_attempts: int = Field(1, ge=1, le=5)
    backoff_ms: int = Field(1000, ge=0, le=3_600_000)


class ConditionRule(_Model):
    if_: str = Field(alias="if", min_length=1, max_length=2000)
    goto: str
    max_loops: int | None = Field(None, ge=1, le=10)


class AgentTool(_Model):
    type: Literal["http_request", "extract_json", "template_render", "curl"]
    name: Annotated[str, StringConstraints(pattern=r"^[a-zA-Z_][a-zA-Z0-9_]*$")]
    description: str | None = Field(None, max_length=500)
    input_schema: dict[str, Any] | None = None
    js_source: str | None = Field(None, max_length=50_000)


class Agent(_Model):
    max_turns: int = Field(8, ge=1, le=50)
    max_duration_seconds: int | None = Field(None, ge=1, le=600)
    max_tool_calls: int = Field(3, ge=0, le=50)
    allow_parallel_tools: bool = False
    tools: list[AgentTool] | None = Field(None, max_length=30)
    network_allowlist: (
        list[Annotated[str, StringConstraints(min_length=1, max_length=255)]] | None
    ) = Field(None, max_length=100)


class Provider(_Model):
    """Where an ``llm`` step's OpenAI-compatible model is called (Stepline's addition)."""

    base_url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    api_key_secret: SecretName | None = None


HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


class Step(_Model):
    id: StepId
    name: str | None = Field(None, min_length=1, max_length=100)
    type: Literal[
        "llm", "transform", "condition", "parallel", "webhook", "human_review", "code"
    ] = "llm"
    # llm
    model: str | None = Field(None, min_length=1, max_length=200)
    prompt: str | None = Field(None, max_length=100_000)
    system_prompt: str | None = Field(None, max_length=100_000)
    temperature: float | None = Field(None, ge=0, le=2)
    max_tokens: int | None = Field(None, ge=1, le=1_000_000)
    output_format: Literal["text", "json", "markdown"] = "text"
    agent: Agent | None = None
    provider: Provider | None = None
    # every Task step
    timeout_seconds: int | None = Field(None, ge=1, le=31_536_000)
    retry: Retry | None = None
    on_condition: list[ConditionRule] | None = Field(None, max_length=20)
    # transform
    template: Any = None
    # condition
    conditions: list[ConditionRule] | None = Field(None, min_length=1, max_length=20)
    default: str | None = None
    # parallel
    branches: list[list[Step]] | None = Field(None, min_length=1, max_length=10)
    # webhook
    url: str | None = Field(None, min_length=1, max_length=2048)
    method: HttpMethod | None = None
    headers: dict[str, str] | None = None
    query: dict[str, str] | None = None
    body: Any = None
    connection_arn: (
        Annotated[
            str, StringConstraints(pattern=r"^arn:aws:events:[a-z0-9-]*:\d{12}:connection/\S+$")
        ]
        | None
    ) = None
    # code
    handler: (
        Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_-]+)?$")] | None
    ) = None
    input: Any = None

    @property
    def label(self) -> str:
        return self.name or self.id


class InputField(_Model):
    type: Literal["string", "integer", "boolean", "number"]
    description: str | None = None
    required: bool | None = None
    default: Any = None


class InputSpec(_Model):
    schema_: dict[Annotated[str, StringConstraints(min_length=1, max_length=100)], InputField] = (
        Field(alias="schema")
    )


class DeliveryTarget(_Model):
    type: Literal["webhook", "email", "file"]
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    method: Literal["GET", "POST", "PUT"] | None = None
    signing_secret_name: SecretName | None = None
    to: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None
    subject: str | None = None
    path: str | None = None
    # Which run events a webhook target receives (default: completed runs only).
    events: list[Literal["pipeline.run.completed", "pipeline.run.failed"]] | None = None


class Output(_Model):
    from_: str = Field(alias="from")
    deliver: list[DeliveryTarget] = Field(default_factory=list)


class Schedule(_Model):
    enabled: bool = True
    cron: str = Field(min_length=1)
    timezone: str = "UTC"


class Notification(_Model):
    type: Literal["email", "webhook"]
    to: str | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    subject: str | None = None


class Notifications(_Model):
    on_success: list[Notification] | None = None
    on_failure: list[Notification] | None = None


class Pipeline(_Model):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    version: int = Field(1, ge=1)
    variables: dict[str, str | int | float | bool] = Field(default_factory=dict)
    input: InputSpec | None = None
    steps: list[Step] = Field(min_length=1, max_length=MAX_STEPS)
    agent_defaults: Agent | None = None
    output: Output | None = None
    schedule: Schedule | None = None
    notifications: Notifications | None = None

    @property
    def output_from(self) -> str:
        """The step whose output is the run's output (stepIQ: the last step by default)."""
        return self.output.from_ if self.output is not None else self.steps[-1].id

    def to_json(self) -> dict[str, Any]:
        """The definition as JSON, with stepIQ's field names."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


def default_model() -> str:
    """The model of an ``llm`` step that names none: stepIQ's runtime default, ``gpt-5.2``,
    unless STEPLINE_DEFAULT_MODEL names another (``stepline-local`` works offline)."""
    return os.environ.get("STEPLINE_DEFAULT_MODEL") or "gpt-5.2"


def parse_pipeline(body: str | bytes, content_type: str | None = None) -> Pipeline:
    """Parse and validate a definition written in YAML or JSON (JSON is read as JSON when
    ``content_type`` says so, otherwise as YAML, of which JSON is a subset)."""
    if isinstance(body, bytes):
        if len(body) > MAX_BODY_BYTES:
            raise PipelineInvalid([_issue("", "the definition is larger than 1 MiB")])
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            raise PipelineInvalid([_issue("", "the definition is not UTF-8 text")]) from None
    if len(body) > MAX_BODY_BYTES:
        raise PipelineInvalid([_issue("", "the definition is larger than 1 MiB")])
    try:
        if content_type is not None and "json" in content_type.lower():
            data = json.loads(body)
        else:
            data = yaml.safe_load(body)
    except json.JSONDecodeError as exc:
        raise PipelineInvalid([_issue("", f"invalid JSON: {exc}")]) from None
    except yaml.YAMLError as exc:
        raise PipelineInvalid([_issue("", f"invalid YAML: {_yaml_message(exc)}")]) from None
    except (RecursionError, ValueError) as exc:
        raise PipelineInvalid([_issue("", f"the definition cannot be read: {exc}")]) from None
    return validate_pipeline(data)


def validate_pipeline(data: Any) -> Pipeline:
    """Validate an already-parsed definition (a dict)."""
    from emulator.pipelines.checks import check_pipeline  # it builds on the models here

    if not isinstance(data, dict):
        raise PipelineInvalid([_issue("", "the definition must be an object (a mapping)")])
    if not _small_enough(data):
        raise PipelineInvalid(
            [_issue("", f"the definition has more than {MAX_NODES} values (YAML aliases count)")]
        )
    try:
        pipeline = Pipeline.model_validate(data)
    except ValidationError as exc:
        raise PipelineInvalid(_issues(exc)) from None
    except RecursionError:
        raise PipelineInvalid([_issue("", "the definition is nested too deeply")]) from None
    issues = check_pipeline(pipeline)
    if issues:
        raise PipelineInvalid(issues)
    return pipeline


def _small_enough(data: Any) -> bool:
    """At most MAX_NODES values, counting each use of a YAML alias (a "billion laughs"
    document is small text but a huge value)."""
    budget = MAX_NODES
    stack = [data]
    while stack:
        item = stack.pop()
        budget -= 1
        if budget < 0:
            return False
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def field_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int) and out:
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _issue(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": message}


_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
}


# The loc parts pydantic adds for the members of a union (``str | int | float | bool``).
_UNION_TAGS = re.compile(r"^(str|int|float|bool|none|function-.*|\w+\[.*\])$")


def _issues(exc: ValidationError) -> list[dict[str, str]]:
    merged: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False):
        loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and _UNION_TAGS.match(p)))
        message = _MESSAGES.get(error["type"]) or error["msg"]
        if error["type"] == "string_pattern_mismatch" and loc and loc[-1] == "id":
            message = "must be lowercase letters, digits and underscores (^[a-z0-9_]+$)"
        message = message[:1].lower() + message[1:]
        if error["type"] == "literal_error":
            message = f"{message} (got {error['input']!r})"[:300]
        messages = merged.setdefault(field_path(loc), [])
        if message not in messages:
            messages.append(message)
    return [_issue(field, "; or ".join(messages)) for field, messages in merged.items()]


def _yaml_message(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    return str(problem)
