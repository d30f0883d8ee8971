"""Tokens and cost through a real server: a priced model (gpt-4o) answered by a local
OpenAI-compatible endpoint, the offline model beside it; per-step usage summed on the run
and in GET /api/user/usage, by model; GET /api/models."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pipeline_harness import LOCAL_MODEL, run_async, session_for
from serving import Server, start_server, stop_server

from emulator.models import cost_cents, find_model

PROMPT_TOKENS = 100_000
COMPLETION_TOKENS = 20_000
USER_KEY = "sk-user-openai-key"


class _Completions(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.seen.append({"path": self.path, "auth": self.headers.get("Authorization"),
                          "model": body.get("model")})  # fmt: skip
        answer = json.dumps({
            "choices": [{"message": {"role": "assistant", "content": "priced answer"}}],
            "usage": {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": COMPLETION_TOKENS},
        }).encode()  # fmt: skip
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    fake = ThreadingHTTPServer(("127.0.0.1", 0), _Completions)
    thread = threading.Thread(target=fake.serve_forever, daemon=True)
    thread.start()
    previous = os.environ.get("STEPLINE_OPENAI_BASE_URL")
    os.environ["STEPLINE_OPENAI_BASE_URL"] = f"http://127.0.0.1:{fake.server_address[1]}/v1"
    try:
        running = start_server(Path(tmp_path_factory.mktemp("usage")) / "stepline.db")
    finally:
        if previous is None:
            del os.environ["STEPLINE_OPENAI_BASE_URL"]
        else:
            os.environ["STEPLINE_OPENAI_BASE_URL"] = previous
    try:
        yield running
    finally:
        stop_server(running)
        fake.shutdown()


PRICED = f"""
name: priced
steps:
  - id: cheap
    model: {LOCAL_MODEL}
    prompt: "Think about {{{{input.topic}}}}"
  - id: dear
    model: gpt-4o
    prompt: "Answer: {{{{steps.cheap.output}}}}"
"""


def test_cost_per_step_is_summed_on_runs_and_usage(server: Server) -> None:
    async def main() -> dict[str, Any]:
        session, api = await session_for(server.endpoint)
        async with session:
            await api.register()
            await api.ok("POST", "/api/user/secrets", 201,
                         json={"name": "OPENAI_API_KEY", "value": USER_KEY})  # fmt: skip
            pipeline = await api.create_yaml(PRICED)
            runs = []
            for topic in ("a", "b"):
                run = await api.run(pipeline["id"], {"topic": topic})
                runs.append(await api.wait_run(run["id"]))
            usage = await api.ok("GET", "/api/user/usage")
            return {"runs": runs, "usage": usage}

    got = run_async(main())
    expected = cost_cents(find_model("gpt-4o"), PROMPT_TOKENS, COMPLETION_TOKENS)
    assert expected > 0
    for run in got["runs"]:
        assert run["status"] == "completed", run
        steps = {s["step_id"]: s for s in run["steps"]}
        dear = steps["dear"]
        assert dear["model"] == "gpt-4o"
        assert (dear["input_tokens"], dear["output_tokens"]) == (PROMPT_TOKENS, COMPLETION_TOKENS)
        assert dear["cost_cents"] == expected
        assert steps["cheap"]["cost_cents"] == 0 and steps["cheap"]["input_tokens"] > 0
        assert run["total_cost_cents"] == expected
        assert run["total_tokens"] == sum(
            s["input_tokens"] + s["output_tokens"] for s in run["steps"]
        )
        assert run["output_data"] == "priced answer"
    usage = got["usage"]
    assert usage["total_cost_cents"] == 2 * expected
    assert usage["total_tokens"] == sum(r["total_tokens"] for r in got["runs"])
    assert usage["by_model"]["gpt-4o"] == {
        "steps": 2, "input_tokens": 2 * PROMPT_TOKENS, "output_tokens": 2 * COMPLETION_TOKENS,
        "cost_cents": 2 * expected,
    }  # fmt: skip
    assert usage["by_model"][LOCAL_MODEL]["steps"] == 2
    # stepIQ's legacy credits: ceil(tokens / 1000) per run; the pro plan (conftest) has 8000.
    per_run = [-(-r["total_tokens"] // 1000) for r in got["runs"]]
    assert usage["credits_used"] == sum(per_run) and sum(per_run) > 100
    assert usage["credits_remaining"] == 8000 - sum(per_run)
    assert usage["plan"] == "pro"
    assert {s["auth"] for s in _Completions.seen} == {f"Bearer {USER_KEY}"}
    assert {s["path"] for s in _Completions.seen} == {"/v1/chat/completions"}


def test_models_are_listed_without_credentials(server: Server) -> None:
    async def main() -> tuple[Any, Any]:
        session, api = await session_for(server.endpoint)
        async with session:
            return await api.ok("GET", "/api/models"), await api.ok(
                "GET", "/api/models?provider=openai"
            )

    models, openai = run_async(main())
    ids = {m["id"] for m in models}
    assert {LOCAL_MODEL, "gpt-4o", "claude-sonnet-4-20250514"} <= ids
    gpt = next(m for m in models if m["id"] == "gpt-4o")
    assert set(gpt) >= {"id", "name", "provider", "input_cost_per_million",
                        "output_cost_per_million", "max_tokens", "supports_json"}  # fmt: skip
    assert openai and all(m["provider"] == "openai" for m in openai)
