"""The llm.invoke and humanReview integrations, driven by compiled pipelines."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import asl
from emulator import run_local
from emulator.pipelines import secrets

sys.path.insert(0, str(Path(__file__).parent / "pipelines"))
sys.path.insert(0, str(Path(__file__).parent / "models"))
from fake_openai import FakeOpenAI, chat_answer
from pipeline_runs import compiled, details, events, exited, run, scheduled


@pytest.fixture
def vault() -> Iterator[list[tuple[str, str, str]]]:
    asked: list[tuple[str, str, str]] = []
    values = {("u1", "TOKEN"): "s3cr3t-value"}

    def lookup(owner: str, pipeline_id: str, name: str) -> str | None:
        asked.append((owner, pipeline_id, name))
        return values.get((owner, name))

    secrets.set_lookup(lookup)
    yield asked
    secrets.set_lookup(None)


SECRET = """
name: s
steps:
  - id: ask
    model: stepline-local
    system_prompt: "key={{env.TOKEN}}"
    prompt: "use {{env.TOKEN}} for {{input.topic}}"
"""


def test_secrets_are_resolved_at_call_time_and_never_recorded(
    vault: list[tuple[str, str, str]],
) -> None:
    definition = compiled(SECRET, owner="u1", pipeline_id="p9")
    assert "s3cr3t" not in json.dumps(definition)
    result = run(SECRET, {"topic": "owls"}, owner="u1", pipeline_id="p9")
    assert result.status == "SUCCEEDED", result.cause
    assert ("u1", "p9", "TOKEN") in vault
    # The echo model repeats the prompt: the secret in its answer is redacted.
    assert result.output == "use [REDACTED] for owls"
    assert "s3cr3t" not in json.dumps(result.history())
    (params,) = scheduled(result)
    assert params["prompt"] == {"parts": ["use ", {"env": "TOKEN"}, " for owls"]}


def test_a_missing_secret_fails_the_step(vault: list[tuple[str, str, str]]) -> None:
    result = run(SECRET, {"topic": "owls"}, owner="someone-else", pipeline_id="p9")
    assert result.status == "FAILED"
    assert result.error == "Stepline.Secret.NotFound"
    assert "TOKEN" in (result.cause or "")


def test_data_cannot_read_a_secret(vault: list[tuple[str, str, str]]) -> None:
    result = run(SECRET, {"topic": "{{env.TOKEN}}"}, owner="u1", pipeline_id="p9")
    assert result.status == "SUCCEEDED"
    assert result.output == "use [REDACTED] for {{env.TOKEN}}"


def test_json_output_is_parsed_for_later_steps() -> None:
    text = """
name: j
steps:
  - {id: score, model: stepline-local, output_format: json, prompt: '{"score": {{input.n}}}'}
  - {id: say, type: transform, prompt: "score is {{steps.score.output.score}}"}
"""
    result = run(text, {"n": 8})
    assert result.status == "SUCCEEDED", result.cause
    assert exited(result, "score")[0]["output"] == {"score": 8}
    assert result.output == "score is 8"


@pytest.fixture
def openai(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    replies: list[tuple[int, Any]] = []
    fake = FakeOpenAI(lambda body: replies.pop(0) if replies else (200, chat_answer("ok")))
    fake.start()
    fake.replies = replies  # type: ignore[attr-defined]
    monkeypatch.setenv("STEPLINE_OPENAI_BASE_URL", fake.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-platform")
    yield fake
    fake.stop()


def test_openai_step_records_tokens_and_cost(openai: FakeOpenAI) -> None:
    openai.replies.append((200, chat_answer("A fine answer", 400_000, 100_000)))  # type: ignore[attr-defined]
    text = "name: o\nsteps: [{id: a, model: gpt-4o-mini, prompt: 'hi {{input.x}}'}]"
    result = run(text, {"x": 1})
    assert result.status == "SUCCEEDED", result.cause
    (record,) = exited(result, "a")
    # ceil(((400000/1e6)*150 + (100000/1e6)*600) * 1.25) = ceil(150) = 150
    assert record == {
        "output": "A fine answer",
        "model": "gpt-4o-mini",
        "usage": {"input_tokens": 400_000, "output_tokens": 100_000, "cost_cents": 150},
    }
    assert openai.requests[0]["headers"]["Authorization"] == "Bearer sk-platform"
    assert openai.requests[0]["body"]["messages"] == [{"role": "user", "content": "hi 1"}]


def test_invalid_json_fails_with_a_retriable_error(openai: FakeOpenAI) -> None:
    for _ in range(3):
        openai.replies.append((200, chat_answer("not json at all")))  # type: ignore[attr-defined]
    text = """
name: o
steps:
  - id: a
    model: gpt-4o-mini
    output_format: json
    prompt: "give json"
    retry: {max_attempts: 3, backoff_ms: 10}
"""
    result = run(text)
    assert result.status == "FAILED"
    assert result.error == "States.LLM.InvalidJSON"
    assert len(openai.requests) == 3
    assert len(events(result, "TaskFailed")) == 3


def test_rate_limits_are_named(openai: FakeOpenAI) -> None:
    openai.replies.append((429, {"error": {"message": "slow down"}}))  # type: ignore[attr-defined]
    result = run("name: o\nsteps: [{id: a, model: gpt-4o, prompt: x}]")
    assert (result.error, result.cause) == ("Stepline.Model.RateLimited", "HTTP 429: slow down")


def test_review_without_a_token_is_refused() -> None:
    machine = asl.load(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "R",
            "States": {
                "R": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::stepline:humanReview.waitForTaskToken",
                    "Arguments": {"prompt": "ok?"},
                    "End": True,
                }
            },
        }
    )
    result = run_local(machine, {}, {})
    assert result.status == "FAILED"
    assert result.error == "Stepline.Review.InvalidRequest"


def test_review_answers_with_the_request() -> None:
    result = run(
        "name: r\nsteps: [{id: r, type: human_review, prompt: 'ok {{input.x}}?'}]", {"x": 2}
    )
    assert result.status == "RUNNING"
    (submitted,) = events(result, "TaskSubmitted")
    assert json.loads(details(submitted)["output"]) == {
        "prompt": "ok 2?",
        "owner": "",
        "pipeline_id": "",
        "step_id": "r",
        "status": "waiting_for_review",
    }
