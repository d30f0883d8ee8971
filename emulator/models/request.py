"""One model call: what is asked and what comes back."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CompletionRequest:
    model: str
    prompt: str
    system_prompt: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    output_format: str = "text"  # text | json | markdown
    base_url: str | None = None  # an OpenAI-compatible endpoint chosen by the step
    api_key_secret: str | None = None  # the user secret holding its key
    timeout_seconds: float = 60.0


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    input_tokens: int
    output_tokens: int
