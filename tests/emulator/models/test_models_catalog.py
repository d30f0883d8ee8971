"""The model catalog, stepIQ's cost formula and the offline model."""

from __future__ import annotations

import json

from emulator import models
from emulator.models import CompletionRequest, catalog, cost_cents, find_model


def test_catalog_lists_prices_with_stepiqs_markup() -> None:
    listed = {m["id"]: m for m in catalog()}
    assert listed["gpt-4o-mini"] == {
        "id": "gpt-4o-mini",
        "name": "GPT-4o Mini",
        "provider": "openai",
        "input_cost_per_million": 188,  # ceil(150 * 1.25)
        "output_cost_per_million": 750,
        "max_tokens": 16384,
        "supports_json": True,
    }
    assert listed["stepline-local"]["provider"] == "stepline"
    assert listed["stepline-local"]["input_cost_per_million"] == 0
    assert {m["provider"] for m in catalog()} == {
        "stepline", "openai", "anthropic", "google", "mistral", "zai"
    }  # fmt: skip
    assert len(listed) == 15


def test_cost_is_stepiqs_formula() -> None:
    mini = find_model("gpt-4o-mini")
    # ceil(((1000/1e6)*150 + (2000/1e6)*600) * 1.25) = ceil(1.6875) = 2
    assert cost_cents(mini, 1000, 2000) == 2
    assert cost_cents(mini, 0, 0) == 0
    assert cost_cents(mini, 1, 0) == 1  # any use costs at least a cent
    assert cost_cents(find_model("gpt-5.2"), 1_000_000, 1_000_000) == 19688
    assert cost_cents(None, 10**6, 10**6) == 0


def test_local_model_is_deterministic_and_counts_words() -> None:
    request = CompletionRequest("stepline-local", "one two  three", system_prompt="be kind")
    answer = models.complete(request, lambda name: None)
    assert (answer.text, answer.input_tokens, answer.output_tokens) == ("one two  three", 5, 3)
    assert models.complete(request, lambda name: None) == answer


def test_local_model_answers_valid_json() -> None:
    as_json = CompletionRequest("stepline-local", "plain words", output_format="json")
    assert json.loads(models.complete(as_json, lambda n: None).text) == {"text": "plain words"}
    given = CompletionRequest("stepline-local", '{"score": 9}', output_format="json")
    assert json.loads(models.complete(given, lambda n: None).text) == {"score": 9}
