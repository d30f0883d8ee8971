"""The models Stepline can call, with stepIQ's prices and its cost formula.

The entries and prices are stepIQ's ``SUPPORTED_MODELS`` (packages/core/src/constants.ts at
Ligerian-labs/stepiq; integer US cents per million tokens, before stepIQ's 25 % markup), plus
Stepline's offline model ``stepline-local``.  Every hosted provider is called through its
OpenAI-compatible Chat Completions endpoint (:mod:`emulator.models.openai_compatible`):

* openai: https://api.openai.com/v1 (key OPENAI_API_KEY)
* anthropic: https://api.anthropic.com/v1 (OpenAI SDK compatibility; ANTHROPIC_API_KEY)
* google: https://generativelanguage.googleapis.com/v1beta/openai (GEMINI_API_KEY or
  GOOGLE_API_KEY)
* mistral: https://api.mistral.ai/v1 (MISTRAL_API_KEY)
* zai: https://api.z.ai/api/paas/v4 (ZAI_API_KEY)

Each base URL can be replaced with STEPLINE_<PROVIDER>_BASE_URL (e.g. STEPLINE_OPENAI_BASE_URL).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MARKUP_PERCENTAGE = 25  # stepIQ's MARKUP_PERCENTAGE


@dataclass(frozen=True, slots=True)
class ModelInfo:
    id: str
    name: str
    provider: str
    input_cost_per_million: int  # US cents per million input tokens, before the markup
    output_cost_per_million: int
    max_tokens: int
    supports_json: bool = True

    def listed(self) -> dict[str, object]:
        """The model as GET /api/models lists it: prices with the markup, rounded up."""
        return {
            "id": self.id,
            "name": self.name,
            "provider": self.provider,
            "input_cost_per_million": marked_up(self.input_cost_per_million),
            "output_cost_per_million": marked_up(self.output_cost_per_million),
            "max_tokens": self.max_tokens,
            "supports_json": self.supports_json,
        }


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    name: str
    base_url: str
    key_names: tuple[str, ...]  # user secrets holding the API key, first found wins


PROVIDERS = {
    p.name: p
    for p in (
        ProviderInfo("openai", "https://api.openai.com/v1", ("OPENAI_API_KEY", "openai_api_key")),
        ProviderInfo(
            "anthropic", "https://api.anthropic.com/v1", ("ANTHROPIC_API_KEY", "anthropic_api_key")
        ),
        ProviderInfo(
            "google",
            "https://generativelanguage.googleapis.com/v1beta/openai",
            ("GEMINI_API_KEY", "GOOGLE_API_KEY", "gemini_api_key", "google_api_key"),
        ),
        ProviderInfo(
            "mistral", "https://api.mistral.ai/v1", ("MISTRAL_API_KEY", "mistral_api_key")
        ),
        ProviderInfo("zai", "https://api.z.ai/api/paas/v4", ("ZAI_API_KEY", "zai_api_key")),
    )
}
CUSTOM_PROVIDER = ProviderInfo("openai-compatible", "", ())  # a step's own base_url
LOCAL_PROVIDER = "stepline"
LOCAL_MODEL = "stepline-local"

_MODELS = (
    ModelInfo(
        LOCAL_MODEL, "Stepline Local (deterministic, offline)", LOCAL_PROVIDER, 0, 0, 1_000_000
    ),
    ModelInfo("claude-opus-4-6", "Claude Opus 4.6", "anthropic", 5_000, 25_000, 8192),
    ModelInfo("gpt-5.2", "GPT-5.2", "openai", 1_750, 14_000, 128000),
    ModelInfo("gpt-5.2-chat-latest", "GPT-5.2 Instant", "openai", 1_750, 14_000, 128000),
    ModelInfo("gpt-5.3-codex", "GPT-5.3-Codex", "openai", 1_750, 14_000, 128000),
    ModelInfo("claude-sonnet-4-20250514", "Claude Sonnet 4", "anthropic", 3_000, 15_000, 8192),
    ModelInfo("claude-3-5-haiku-20241022", "Claude Haiku 3.5", "anthropic", 250, 1_250, 8192),
    ModelInfo("gpt-4o", "GPT-4o", "openai", 2_500, 10_000, 16384),
    ModelInfo("gpt-4o-mini", "GPT-4o Mini", "openai", 150, 600, 16384),
    ModelInfo("gemini-2.5-pro", "Gemini 2.5 Pro", "google", 1_250, 10_000, 65536),
    ModelInfo("gemini-2.5-flash", "Gemini 2.5 Flash", "google", 300, 2_500, 65536),
    ModelInfo("glm-5", "GLM-5", "zai", 20, 110, 128000),
    ModelInfo("glm-4.6", "GLM-4.6", "zai", 80, 200, 128000),
    ModelInfo("mistral-large-latest", "Mistral Large Latest", "mistral", 2_000, 6_000, 32000),
    ModelInfo("mistral-small-latest", "Mistral Small Latest", "mistral", 200, 600, 32000),
)
_BY_ID = {m.id: m for m in _MODELS}


def catalog() -> list[dict[str, object]]:
    """Every model, as GET /api/models lists it (prices with stepIQ's markup)."""
    return [m.listed() for m in _MODELS]


def find_model(model_id: str) -> ModelInfo | None:
    return _BY_ID.get(model_id)


def marked_up(cents_per_million: int) -> int:
    return math.ceil(cents_per_million * (100 + MARKUP_PERCENTAGE) / 100)


def cost_cents(model: ModelInfo | None, input_tokens: int, output_tokens: int) -> int:
    """stepIQ's step cost: ceil(((in/1e6)*input_cost + (out/1e6)*output_cost) * 1.25) cents
    (apps/worker/src/executor.ts); a model outside the catalog costs nothing."""
    if model is None:
        return 0
    raw = (input_tokens / 1e6) * model.input_cost_per_million + (
        output_tokens / 1e6
    ) * model.output_cost_per_million
    return math.ceil(raw * (1 + MARKUP_PERCENTAGE / 100))
