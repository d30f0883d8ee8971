"""Models: the catalog GET /api/models lists, and the providers that answer ``llm`` steps.

    complete(request, secret) -> Completion     # or ModelError(error, cause)

``secret(name)`` looks a user secret up (the provider's key).  ``stepline-local`` answers
offline (:mod:`emulator.models.local`); every other model is called through its provider's
OpenAI-compatible endpoint (:mod:`emulator.models.openai_compatible`).  A model outside the
catalog can be called when the step gives its own ``base_url`` (it then costs nothing).
"""

from __future__ import annotations

from emulator.models import errors, local, openai_compatible
from emulator.models.catalog import (
    CUSTOM_PROVIDER,
    LOCAL_MODEL,
    PROVIDERS,
    ModelInfo,
    catalog,
    cost_cents,
    find_model,
)
from emulator.models.errors import ModelError
from emulator.models.openai_compatible import SecretLookup
from emulator.models.request import Completion, CompletionRequest

__all__ = [
    "LOCAL_MODEL",
    "Completion",
    "CompletionRequest",
    "ModelError",
    "ModelInfo",
    "catalog",
    "complete",
    "cost_cents",
    "find_model",
]


def complete(request: CompletionRequest, secret: SecretLookup) -> Completion:
    info = find_model(request.model)
    if info is not None and info.provider == "stepline":
        return local.complete(request)
    if info is None and not request.base_url:
        raise ModelError(
            errors.UNKNOWN_MODEL,
            f"The model {request.model!r} is not in the catalog (GET /api/models) and the step "
            "gives no provider.base_url",
        )
    # A model of one's own: its endpoint's key only when the step names its secret.
    provider = PROVIDERS[info.provider] if info is not None else CUSTOM_PROVIDER
    return openai_compatible.complete(request, provider, secret)
