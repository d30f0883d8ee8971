"""The OpenAI-compatible provider against a fake Chat Completions server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fake_openai import FakeOpenAI, chat_answer

from emulator import models
from emulator.models import CompletionRequest, ModelError, errors


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    replies: list[tuple[int, Any]] = []

    def reply(body: dict[str, Any]) -> tuple[int, Any]:
        return replies.pop(0) if replies else (200, chat_answer("hello there"))

    fake = FakeOpenAI(reply).start()
    fake.replies = replies  # type: ignore[attr-defined]
    yield fake
    fake.stop()


def secrets(values: dict[str, str]) -> Any:
    return lambda name: values.get(name)


def test_calls_chat_completions_with_the_users_key(
    server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STEPLINE_OPENAI_BASE_URL", server.url)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    request = CompletionRequest(
        "gpt-4o-mini", "Say hi", system_prompt="Be brief", temperature=0.2, max_tokens=50,
        output_format="json",
    )  # fmt: skip
    answer = models.complete(request, secrets({"OPENAI_API_KEY": "sk-test-1"}))
    assert (answer.text, answer.input_tokens, answer.output_tokens) == ("hello there", 11, 5)
    (seen,) = server.requests
    assert seen["path"] == "/v1/chat/completions"
    assert seen["headers"]["Authorization"] == "Bearer sk-test-1"
    assert seen["body"] == {
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": "Be brief"},
            {"role": "user", "content": "Say hi"},
        ],
        "temperature": 0.2,
        "max_completion_tokens": 50,
        "response_format": {"type": "json_object"},
    }


def test_a_step_base_url_and_key_secret_win(server: FakeOpenAI) -> None:
    request = CompletionRequest(
        "my-own-model", "x", base_url=server.url, api_key_secret="MY_KEY", max_tokens=5
    )
    models.complete(request, secrets({"MY_KEY": "k2", "OPENAI_API_KEY": "other"}))
    (seen,) = server.requests
    assert seen["headers"]["Authorization"] == "Bearer k2"
    assert seen["body"]["model"] == "my-own-model"
    assert seen["body"]["max_tokens"] == 5  # not OpenAI's own endpoint's field name


def test_a_base_url_of_ones_own_may_need_no_key(server: FakeOpenAI) -> None:
    models.complete(CompletionRequest("local-llama", "x", base_url=server.url), secrets({}))
    assert "Authorization" not in server.requests[0]["headers"]


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (429, errors.RATE_LIMITED),
        (401, errors.UNAUTHORIZED),
        (403, errors.UNAUTHORIZED),
        (500, errors.HTTP_ERROR),
        (400, errors.HTTP_ERROR),
    ],
)
def test_http_errors_have_clear_names(server: FakeOpenAI, status: int, error: str) -> None:
    server.replies.append((status, {"error": {"message": "nope, key sk-secret-9 refused"}}))  # type: ignore[attr-defined]
    request = CompletionRequest("gpt-4o", "x", base_url=server.url)
    with pytest.raises(ModelError) as info:
        models.complete(request, secrets({"OPENAI_API_KEY": "sk-secret-9"}))
    assert info.value.error == error
    assert info.value.cause == f"HTTP {status}: nope, key [REDACTED] refused"


def test_an_answer_that_is_not_chat_completions(server: FakeOpenAI) -> None:
    server.replies.append((200, {"choices": []}))  # type: ignore[attr-defined]
    with pytest.raises(ModelError) as info:
        models.complete(CompletionRequest("gpt-4o", "x", base_url=server.url), secrets({}))
    assert info.value.error == errors.INVALID_RESPONSE


def test_no_key_for_the_providers_own_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STEPLINE_OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("openai_api_key", raising=False)
    with pytest.raises(ModelError) as info:
        models.complete(CompletionRequest("gpt-4o", "x"), secrets({}))
    assert info.value.error == errors.NO_API_KEY
    assert "OPENAI_API_KEY" in info.value.cause


def test_unreachable_endpoint() -> None:
    request = CompletionRequest("gpt-4o", "x", base_url="http://127.0.0.1:9", timeout_seconds=5)
    with pytest.raises(ModelError) as info:
        models.complete(request, secrets({"OPENAI_API_KEY": "k"}))
    assert info.value.error == errors.UNREACHABLE


def test_unknown_model_without_base_url() -> None:
    with pytest.raises(ModelError) as info:
        models.complete(CompletionRequest("who-knows", "x"), secrets({}))
    assert info.value.error == errors.UNKNOWN_MODEL
