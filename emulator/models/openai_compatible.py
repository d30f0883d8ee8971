"""Models behind an OpenAI-compatible Chat Completions endpoint.

``POST {base_url}/chat/completions`` with ``Authorization: Bearer KEY``, the messages (system,
then user), ``temperature``, the token cap, and ``response_format: {"type": "json_object"}`` for
``output_format: json``; the answer is ``choices[0].message.content`` and the token counts are
``usage.prompt_tokens`` / ``usage.completion_tokens``.
https://platform.openai.com/docs/api-reference/chat/create

The base URL is the step's ``provider.base_url``, else STEPLINE_<PROVIDER>_BASE_URL, else the
provider's own (:mod:`emulator.models.catalog`).  The key is the user secret the step names
(``provider.api_key_secret``), else the provider's usual secret names (OPENAI_API_KEY, …), else
the same name in the server's environment (the platform's key, as stepIQ's credit plans use).
A base URL of one's own may need no key (a local server); the provider's own always does.

The call is made from an integration worker thread, so it uses blocking ``urllib``.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from emulator.models import errors
from emulator.models.catalog import ProviderInfo
from emulator.models.errors import ModelError
from emulator.models.request import Completion, CompletionRequest

SecretLookup = Callable[[str], "str | None"]
MAX_RESPONSE_BYTES = 10 * 1024 * 1024


def base_url(provider: ProviderInfo, request: CompletionRequest) -> tuple[str, bool]:
    """(the base URL, whether it is the provider's own)."""
    if request.base_url:
        return request.base_url.rstrip("/"), False
    configured = os.environ.get(f"STEPLINE_{provider.name.upper()}_BASE_URL")
    if configured:
        return configured.rstrip("/"), False
    return provider.base_url, True


def api_key(provider: ProviderInfo, request: CompletionRequest, secret: SecretLookup) -> str | None:
    names = (request.api_key_secret,) if request.api_key_secret else provider.key_names
    for name in names:
        value = secret(name)
        if value:
            return value
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    return None


def complete(
    request: CompletionRequest, provider: ProviderInfo, secret: SecretLookup
) -> Completion:
    url, official = base_url(provider, request)
    key = api_key(provider, request, secret)
    if key is None and official:
        names = request.api_key_secret or " or ".join(provider.key_names[:2])
        raise ModelError(
            errors.NO_API_KEY,
            f"The model {request.model!r} ({provider.name}) needs an API key: add the secret "
            f"{names} (or use the offline model 'stepline-local')",
        )
    body = _body(request, provider)
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    http = urllib.request.Request(
        f"{url}/chat/completions", data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(http, timeout=request.timeout_seconds) as response:
            raw = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise _http_error(exc, key) from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ModelError(errors.UNREACHABLE, f"{provider.name} at {url}: {reason}") from None
    if len(raw) > MAX_RESPONSE_BYTES:
        raise ModelError(errors.INVALID_RESPONSE, "the model's answer is larger than 10 MiB")
    return _parse(raw)


def _body(request: CompletionRequest, provider: ProviderInfo) -> dict[str, Any]:
    messages = []
    if request.system_prompt:
        messages.append({"role": "system", "content": request.system_prompt})
    messages.append({"role": "user", "content": request.prompt})
    body: dict[str, Any] = {"model": request.model, "messages": messages}
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.max_tokens is not None:
        # OpenAI's current models take max_completion_tokens; other providers max_tokens.
        # https://platform.openai.com/docs/api-reference/chat/create#chat-create-max_completion_tokens
        field = "max_completion_tokens" if provider.name == "openai" else "max_tokens"
        body[field] = request.max_tokens
    if request.output_format == "json":
        body["response_format"] = {"type": "json_object"}
    return body


def _http_error(exc: urllib.error.HTTPError, key: str | None) -> ModelError:
    try:
        text = exc.read(4096).decode("utf-8", "replace")
    except OSError:
        text = ""
    message = text
    try:
        detail = json.loads(text)
        if isinstance(detail, dict) and isinstance(detail.get("error"), dict):
            message = str(detail["error"].get("message") or text)
    except ValueError:
        pass
    if key:
        message = message.replace(key, "[REDACTED]")
    cause = f"HTTP {exc.code}: {message.strip()}"[:2000]
    if exc.code == 429:
        return ModelError(errors.RATE_LIMITED, cause)
    if exc.code in (401, 403):
        return ModelError(errors.UNAUTHORIZED, cause)
    return ModelError(errors.HTTP_ERROR, cause)


def _parse(raw: bytes) -> Completion:
    try:
        answer = json.loads(raw)
        content = answer["choices"][0]["message"]["content"]
        usage = answer.get("usage") or {}
        input_tokens = int(usage.get("prompt_tokens") or 0)
        output_tokens = int(usage.get("completion_tokens") or 0)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise ModelError(
            errors.INVALID_RESPONSE, f"not a Chat Completions answer ({type(exc).__name__}: {exc})"
        ) from None
    if not isinstance(content, str):
        content = "" if content is None else json.dumps(content)
    return Completion(content, input_tokens, output_tokens)
