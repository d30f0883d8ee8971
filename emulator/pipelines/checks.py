"""What a well-formed pipeline must also satisfy: the rules across fields.

Each step type uses its own fields (below); a field another type uses is refused, so a typo'd
pipeline fails when it is saved, not when it runs.

========  ===========================================================================
llm       ``prompt`` (required), ``model``, ``system_prompt``, ``temperature``,
          ``max_tokens``, ``output_format``, ``agent`` (without tools), ``provider``
transform ``prompt`` (a template; the output is the rendered string) or ``template``
          (any JSON value whose strings are templates; the output is that JSON)
condition ``conditions: [{if, goto, max_loops?}]`` and ``default`` (a step id; the next
          step when omitted); the output is the id of the step chosen
parallel  ``branches: [[step, …], …]``; the output is the list of each branch's last
          step output; steps of a branch are readable after the parallel step ends
webhook   ``url`` (template), ``method`` (POST), ``headers``, ``query``, ``body`` (JSON
          whose strings are templates); the output is the response body
human_review ``prompt`` (what the reviewer is asked, a template); the output is what the
          reviewer sends when approving
code      ``handler`` (a registered handler's name), ``input`` (JSON whose strings are
          templates; default ``{input, vars, steps}``); the output is what it returns
========  ===========================================================================

An ``agent`` (or ``agent_defaults``) may not declare tools (Stepline runs no agent tools);
without tools an agent step is one model call, as stepIQ falls back to, and
``max_duration_seconds`` caps its TimeoutSeconds.

``retry`` and ``timeout_seconds`` apply to the steps that call something (llm, webhook,
human_review, code; ``retry`` also to parallel); ``on_condition`` to every step but
``condition``.  A ``goto`` names a step of the same step list (ASL cannot jump into or out of
a Parallel branch).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from emulator.integrations.http_request import FORBIDDEN_HEADERS, FORBIDDEN_PREFIXES
from emulator.models.catalog import find_model
from emulator.pipelines import conditions, templating
from emulator.pipelines.definition import (
    MAX_TOTAL_STEPS,
    Pipeline,
    Step,
    default_model,
)
from emulator.pipelines.scopes import ScopeKey, Scopes, build_scopes, walk

_COMMON = {"id", "name", "type", "on_condition"}
_TASK = {"timeout_seconds", "retry"}
FIELDS: dict[str, set[str]] = {
    "llm": _COMMON | _TASK | {"model", "prompt", "system_prompt", "temperature", "max_tokens",
                              "output_format", "agent", "provider"},
    "transform": _COMMON | {"prompt", "template"},
    "condition": {"id", "name", "type", "conditions", "default"},
    "parallel": _COMMON | {"branches", "retry"},
    "webhook": _COMMON | _TASK | {"url", "method", "headers", "query", "body",
                                  "connection_arn"},
    "human_review": _COMMON | _TASK | {"prompt"},
    "code": _COMMON | _TASK | {"handler", "input"},
}  # fmt: skip
REQUIRED = {
    "llm": ("prompt",),
    "condition": ("conditions",),
    "parallel": ("branches",),
    "webhook": ("url",),
    "human_review": ("prompt",),
    "code": ("handler",),
}
TASK_TIMEOUT_LIMIT = 300  # stepIQ: timeout_seconds 1..300; human_review may wait longer


def check_pipeline(pipeline: Pipeline) -> list[dict[str, str]]:
    issues: list[dict[str, str]] = []

    def issue(field: str, message: str) -> None:
        issues.append({"field": field, "message": message})

    everything = list(walk(pipeline.steps))
    if len(everything) > MAX_TOTAL_STEPS:
        issue("steps", f"a pipeline has at most {MAX_TOTAL_STEPS} steps, nested ones included")
    seen: dict[str, str] = {}
    for where, step, _ in everything:
        if step.id in seen:
            issue(f"{where}.id", f"duplicate step id {step.id!r} (first at {seen[step.id]})")
        else:
            seen[step.id] = where
    for name, field in pipeline.input.schema_.items() if pipeline.input else ():
        if field.default is not None and not _scalar_ok(field.type, field.default):
            issue(f"input.schema.{name}.default", f"must be of type {field.type}")
    if pipeline.output is not None and pipeline.output.from_ not in seen:
        issue("output.from", f"there is no step {pipeline.output.from_!r}")
    for index, target in enumerate(pipeline.output.deliver if pipeline.output else ()):
        where = f"output.deliver[{index}]"
        if target.type != "webhook":
            issue(f"{where}.type", _UNDELIVERABLE[target.type])
        elif target.url is None:
            issue(f"{where}.url", "is required for a webhook target")
    if pipeline.schedule is not None:
        _check_schedule(pipeline, issue)
    notifications = pipeline.notifications
    for when in ("on_success", "on_failure"):
        for index, note in enumerate(getattr(notifications, when, None) or ()):
            where = f"notifications.{when}[{index}]"
            if note.type != "webhook":
                issue(f"{where}.type", _UNDELIVERABLE[note.type])
            elif note.url is None:
                issue(f"{where}.url", "is required for a webhook notification")
    _check_agent(pipeline.agent_defaults, "agent_defaults", issue)
    names = frozenset(pipeline.input.schema_) if pipeline.input else None
    scopes = build_scopes(pipeline.steps, pipeline.variables, names)
    for where, step, scope in everything:
        _check_step(step, where, scope, scopes, issue)
    return issues


def _check_schedule(pipeline: Any, issue: Any) -> None:
    """The definition's ``schedule`` becomes a schedule of the pipeline (five-field cron in
    an IANA time zone), whose runs have no input: every required input needs a default."""
    from emulator.schedules.cron import CronError, parse_cron, zone

    try:
        parse_cron(pipeline.schedule.cron)
    except CronError as exc:
        issue("schedule.cron", str(exc))
    try:
        zone(pipeline.schedule.timezone)
    except CronError as exc:
        issue("schedule.timezone", str(exc))
    for name, field in pipeline.input.schema_.items() if pipeline.input else ():
        if field.required and field.default is None:
            issue(
                "schedule",
                f"input {name!r} is required and has no default: a scheduled run has no input",
            )


# Refused rather than accepted and never sent: Stepline has no mail server, and a file path
# chosen by a pipeline's author would be a write anywhere on the server's disk.
_UNDELIVERABLE = {
    "email": "email delivery is not supported by Stepline (it sends no mail): use a webhook",
    "file": "file delivery is not supported by Stepline: use a webhook",
}


def _scalar_ok(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_agent(agent: Any, where: str, issue: Any) -> None:
    if agent is None:
        return
    if agent.tools:
        issue(f"{where}.tools", "agent tools are not supported by Stepline; remove them")
    if agent.allow_parallel_tools:
        issue(f"{where}.allow_parallel_tools", "parallel tool calls are not supported")


def _check_step(step: Step, where: str, scope: ScopeKey, scopes: Scopes, issue: Any) -> None:
    allowed = FIELDS[step.type]
    for name in sorted(step.model_fields_set - allowed):
        issue(f"{where}.{name}", f"is not used by a {step.type} step")
    for name in REQUIRED.get(step.type, ()):
        if getattr(step, name) is None:
            issue(f"{where}.{name}", f"is required for a {step.type} step")
    if step.type == "transform" and (step.prompt is None) == (step.template is None):
        issue(f"{where}.prompt", "a transform step needs either prompt or template")
    if (
        step.timeout_seconds is not None
        and step.type != "human_review"
        and step.timeout_seconds > TASK_TIMEOUT_LIMIT
    ):
        issue(f"{where}.timeout_seconds", f"must be at most {TASK_TIMEOUT_LIMIT}")
    if step.type == "llm":
        _check_agent(step.agent, f"{where}.agent", issue)
        model = step.model or default_model()
        if find_model(model) is None and (step.provider is None or step.provider.base_url is None):
            issue(
                f"{where}.model",
                f"unknown model {model!r}; GET /api/models lists the models, or give "
                "provider.base_url to call an OpenAI-compatible endpoint",
            )
    for header in step.headers or {}:
        lower = header.lower()
        if lower in FORBIDDEN_HEADERS or lower.startswith(FORBIDDEN_PREFIXES):
            issue(
                f"{where}.headers.{header}",
                "Step Functions' HTTP Task refuses this header; authenticate through the "
                "step's connection_arn",
            )
    resolve = scopes.resolver(scope)
    secrets_ok = step.type == "llm"
    for field, text in _templates(step):
        try:
            template = templating.parse_template(text)
            for ref in template.refs():
                if ref.root == "env":
                    if not secrets_ok or field.split(".")[0] not in ("prompt", "system_prompt"):
                        raise templating.TemplateError(
                            "secrets ({{env.NAME}}) can be read only in the prompt and "
                            "system_prompt of llm steps"
                        )
                else:
                    resolve(ref)
        except templating.TemplateError as exc:
            issue(f"{where}.{field}", str(exc))
    siblings = scopes.steps_in[scope]
    rules = [("on_condition", r) for r in step.on_condition or ()]
    rules += [("conditions", r) for r in step.conditions or ()]
    counts: dict[str, int] = {}
    for field, rule in rules:
        index = counts.get(field, 0)
        counts[field] = index + 1
        here = f"{where}.{field}[{index}]"
        if rule.goto not in siblings:
            issue(f"{here}.goto", _goto_message(rule.goto, scopes))
        try:
            parsed = conditions.parse_condition(rule.if_)
            for ref in parsed.refs:
                resolve(ref)
        except templating.TemplateError as exc:
            issue(f"{here}.if", str(exc))
    if step.default is not None and step.default not in siblings:
        issue(f"{where}.default", _goto_message(step.default, scopes))


def _goto_message(target: str, scopes: Scopes) -> str:
    if target in scopes.step_scope:
        return f"step {target!r} is in another step list; goto stays within its own list"
    return f"there is no step {target!r}"


def _templates(step: Step) -> Iterable[tuple[str, str]]:
    """(field, template text) of every template of ``step``."""
    for name in ("prompt", "system_prompt", "url"):
        value = getattr(step, name)
        if isinstance(value, str):
            yield name, value
    for name in ("headers", "query"):
        for key, value in (getattr(step, name) or {}).items():
            yield f"{name}.{key}", value
    for name in ("template", "body", "input"):
        yield from _json_strings(getattr(step, name), name)


def _json_strings(value: Any, where: str) -> Iterable[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _json_strings(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_strings(item, f"{where}[{index}]")
