"""A stepIQ pipeline triggered through the Stepflow surface: the workflow id is the pipeline's
name or id; the run's steps are the pipeline's, with tokens per llm step."""

from __future__ import annotations

import uuid

from serving import Server, unique
from stepflow_client import BASE, SseReader, call

PIPELINE = """
name: {name}
input:
  schema:
    topic: {{type: string, required: true}}
steps:
  - id: outline
    model: stepline-local
    prompt: "Outline {{{{input.topic}}}}"
  - id: draft
    model: stepline-local
    prompt: "Draft from {{{{steps.outline.output}}}}"
output:
  from: draft
"""


def test_a_pipeline_runs_as_a_stepflow_workflow(server: Server) -> None:
    status, session = call(server.endpoint, "POST", "/api/auth/register", {
        "email": f"p-{uuid.uuid4().hex[:10]}@example.com", "password": "correct horse battery",
    })  # fmt: skip
    assert status == 201, session
    bearer = {"Authorization": f"Bearer {session['token']}"}
    name = unique("summaries")
    status, pipeline = call(
        server.endpoint, "POST", "/api/pipelines", raw=PIPELINE.format(name=name).encode(),
        headers={**bearer, "Content-Type": "application/yaml"},
    )  # fmt: skip
    assert status == 201, pipeline

    # Input is checked against input.schema.
    status, answer = call(server.endpoint, "POST", f"{BASE}/trigger/{name}", {}, headers=bearer)
    assert (status, answer["code"]) == (400, "INVALID_INPUT")
    assert "topic" in answer["error"]
    # Without a user, a pipeline name is no workflow.
    status, answer = call(server.endpoint, "POST", f"{BASE}/trigger/{name}", {"topic": "x"})
    assert (status, answer["code"]) == (404, "WORKFLOW_NOT_FOUND")

    for workflow in (name, pipeline["id"]):
        status, run = call(
            server.endpoint, "POST", f"{BASE}/trigger/{workflow}", {"topic": "owls"},
            headers=bearer,
        )  # fmt: skip
        assert status == 200, run
        path = f"{BASE}/runs/{run['runId']}"
        events = SseReader(server.endpoint, f"{path}/stream?token={run['publicAccessToken']}")
        assert events.start().wait()[-1].event == "complete"
        status, body = call(server.endpoint, "GET", f"{path}?token={run['publicAccessToken']}")
        assert status == 200
        assert body["workflowId"] == workflow
        assert body["status"] == "completed"
        assert [(s["name"], s["status"]) for s in body["steps"]] == [
            ("outline", "completed"), ("draft", "completed"),
        ]  # fmt: skip
        for step in body["steps"]:
            assert step["usage"]["input_tokens"] > 0
            assert step["usage"]["output_tokens"] > 0
