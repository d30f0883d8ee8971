"""``arn:aws:states:::stepline:llm.invoke``: an ``llm`` step's model call.

Arguments (written by :mod:`emulator.pipelines.compiler`)::

    {"model", "prompt", "system_prompt"?, "temperature"?, "max_tokens"?, "output_format",
     "provider"?: {"base_url"?, "api_key_secret"?}, "owner", "pipeline_id", "step_id"}

``prompt`` and ``system_prompt`` are strings, or ``{"parts": [...]}`` when the template reads
secrets: the ``{"env": NAME}`` parts are looked up now (:mod:`emulator.pipelines.secrets`), so
no secret is ever in the definition or the history, and any secret value found in the answer or
in an error is replaced with ``[REDACTED]``, as stepIQ does.

The result is ``{"output", "model", "usage": {"input_tokens", "output_tokens",
"cost_cents"}}``; with ``output_format: json`` the output is the parsed JSON, and an answer that
does not parse fails the task with ``States.LLM.InvalidJSON`` (stepIQ keeps the raw text
instead; a failing step can be retried or caught).  Provider failures have their own error
names (:mod:`emulator.models.errors`).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import asl
from emulator import models
from emulator.integrations import TaskCall, register
from emulator.models import errors
from emulator.models.errors import ModelError
from emulator.pipelines import secrets

RESOURCE = "arn:aws:states:::stepline:llm.invoke"
REDACTED = "[REDACTED]"


class LlmInvoke:
    def answers(self, resource: str) -> bool:
        return resource == RESOURCE

    def call(self, call: TaskCall) -> tuple[datetime, asl.Outcome]:
        effect = call.effect
        used: list[str] = []
        try:
            request, owner, pipeline_id = _request(effect.input, effect.timeout_seconds, used)
            completion = models.complete(
                request, lambda name: _secret(owner, pipeline_id, name, used)
            )
            output: Any = completion.text
            if request.output_format == "json":
                try:
                    output = json.loads(completion.text)
                except ValueError as exc:
                    raise ModelError(
                        errors.INVALID_JSON,
                        f"The model's answer is not valid JSON ({exc}): {completion.text[:500]}",
                    ) from None
        except ModelError as exc:
            return call.now, asl.TaskFailed(effect.id, exc.error, _redact(exc.cause, used))
        info = models.find_model(request.model)
        result = {
            "output": _redact_value(output, used),
            "model": request.model,
            "usage": {
                "input_tokens": completion.input_tokens,
                "output_tokens": completion.output_tokens,
                "cost_cents": models.cost_cents(
                    info, completion.input_tokens, completion.output_tokens
                ),
            },
        }
        return call.now, asl.TaskSucceeded(effect.id, result)


def _secret(owner: str, pipeline_id: str, name: str, used: list[str]) -> str | None:
    value = secrets.lookup(owner, pipeline_id, name)
    if value:
        used.append(value)
    return value


def _request(
    args: Any, timeout: int | None, used: list[str]
) -> tuple[models.CompletionRequest, str, str]:
    if not isinstance(args, dict):
        raise ModelError(errors.INVALID_REQUEST, "the llm.invoke Arguments must be an object")
    owner = _text(args, "owner", required=False) or ""
    pipeline_id = _text(args, "pipeline_id", required=False) or ""
    model = _text(args, "model")
    assert model is not None
    prompt = _render(args.get("prompt"), "prompt", owner, pipeline_id, used)
    system = args.get("system_prompt")
    system_prompt = (
        None if system is None else _render(system, "system_prompt", owner, pipeline_id, used)
    )
    fmt = args.get("output_format", "text")
    if fmt not in ("text", "json", "markdown"):
        raise ModelError(errors.INVALID_REQUEST, "output_format must be text, json or markdown")
    temperature = args.get("temperature")
    if temperature is not None and (
        isinstance(temperature, bool) or not isinstance(temperature, (int, float))
    ):
        raise ModelError(errors.INVALID_REQUEST, "temperature must be a number")
    max_tokens = args.get("max_tokens")
    if max_tokens is not None and (isinstance(max_tokens, bool) or not isinstance(max_tokens, int)):
        raise ModelError(errors.INVALID_REQUEST, "max_tokens must be an integer")
    provider = args.get("provider") or {}
    if not isinstance(provider, dict):
        raise ModelError(errors.INVALID_REQUEST, "provider must be an object")
    request = models.CompletionRequest(
        model=model,
        prompt=prompt,
        system_prompt=system_prompt,
        temperature=None if temperature is None else float(temperature),
        max_tokens=max_tokens,
        output_format=fmt,
        base_url=_text(provider, "base_url", required=False),
        api_key_secret=_text(provider, "api_key_secret", required=False),
        timeout_seconds=float(timeout or 60),
    )
    return request, owner, pipeline_id


def _text(args: dict[str, Any], key: str, required: bool = True) -> str | None:
    value = args.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value):
        raise ModelError(errors.INVALID_REQUEST, f"{key} must be a string")
    return value


def _render(value: Any, field: str, owner: str, pipeline_id: str, used: list[str]) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"parts"} and isinstance(value["parts"], list):
        out = []
        for part in value["parts"]:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, dict) and set(part) == {"env"} and isinstance(part["env"], str):
                secret = _secret(owner, pipeline_id, part["env"], used)
                if secret is None:
                    raise ModelError(
                        errors.SECRET_NOT_FOUND,
                        f"The {field} reads the secret {part['env']!r}, which is not set",
                    )
                out.append(secret)
            else:
                raise ModelError(errors.INVALID_REQUEST, f"{field}: a part is not text or env")
        return "".join(out)
    raise ModelError(errors.INVALID_REQUEST, f"{field} must be a string")


def _redact(text: str, used: list[str]) -> str:
    for value in sorted(set(used), key=len, reverse=True):
        text = text.replace(value, REDACTED)
    return text


def _redact_value(value: Any, used: list[str]) -> Any:
    if not used:
        return value
    if isinstance(value, str):
        return _redact(value, used)
    if isinstance(value, list):
        return [_redact_value(v, used) for v in value]
    if isinstance(value, dict):
        return {k: _redact_value(v, used) for k, v in value.items()}
    return value


register(LlmInvoke())
