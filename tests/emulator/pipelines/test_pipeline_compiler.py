"""Compiled pipelines run on the engine: data flow, loops, branches, retries, reviews."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from pipeline_runs import compiled, details, events, exited, run, scheduled

from emulator import TaskFailure
from emulator.pipelines import compile_pipeline, parse_pipeline

FLOW = """
name: flow
variables: {tone: dry, count: 2}
input:
  schema:
    topic: {type: string, required: true}
    detail: {type: boolean, default: false}
steps:
  - id: draft
    model: stepline-local
    system_prompt: "Be {{vars.tone}}"
    prompt: "About {{input.topic}}{{#if input.detail}} in detail{{else}} briefly{{/if}}, x{{vars.count}}"
  - id: shape
    type: transform
    template:
      text: "{{steps.draft.output}}"
      words: "{{steps.draft.usage.output_tokens}}"
      label: "{{input.topic}}: {{steps.draft.model}}"
      nested: ["{{vars.count}}", {k: "{{input.detail}}"}]
  - id: final
    type: transform
    prompt: "{{steps.shape.output.label}} / {{steps.shape.output.nested.0}} / {{steps.nothing_yet.output}}"
  - {id: nothing_yet, type: transform, prompt: "late"}
output: {from: shape}
"""


def test_outputs_flow_between_steps_with_input_and_vars() -> None:
    result = run(FLOW, {"topic": "owls"})
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    (params,) = scheduled(result)
    assert params["prompt"] == "About owls briefly, x2"
    assert params["system_prompt"] == "Be dry"
    assert params["model"] == "stepline-local"
    assert result.output == {
        "text": "About owls briefly, x2",
        "words": 4,
        "label": "owls: stepline-local",
        "nested": [2, {"k": False}],
    }
    # A step that has not run yet reads as empty text, as in Handlebars.
    assert exited(result, "final") == [{"output": "owls: stepline-local / 2 / "}]
    # The llm step's record carries the model's usage for run views and usage totals.
    (draft,) = exited(result, "draft")
    assert draft["usage"] == {"input_tokens": 6, "output_tokens": 4, "cost_cents": 0}


def test_if_block_takes_the_true_branch() -> None:
    result = run(FLOW, {"topic": "owls", "detail": True})
    assert scheduled(result)[0]["prompt"] == "About owls in detail, x2"


def test_the_definition_holds_expressions_not_values() -> None:
    definition = compiled(FLOW)
    assert definition["QueryLanguage"] == "JSONata"
    assert definition["StartAt"] == "Prepare"
    draft = definition["States"]["draft"]
    assert draft["Resource"] == "arn:aws:states:::stepline:llm.invoke"
    assert draft["Arguments"]["prompt"].startswith("{% ")
    assert draft["TimeoutSeconds"] == 60
    assert "Retry" not in draft
    assert definition["States"]["nothing_yet"]["Next"] == "Pipeline output"


LOOP = """
name: loop
steps:
  - {id: start, type: transform, prompt: "go"}
  - id: work
    type: code
    handler: counter
    on_condition:
      - {if: "steps.work.output.n < 100", goto: work, max_loops: 4}
  - {id: done, type: transform, prompt: "n={{steps.work.output.n}}"}
"""


def test_on_condition_loop_stops_at_max_loops() -> None:
    calls: list[Any] = []

    def counter(payload: Any) -> dict[str, int]:
        calls.append(payload)
        return {"n": len(calls)}

    result = run(LOOP, {}, {"counter": counter})
    assert result.status == "SUCCEEDED", result.cause
    assert len(calls) == 5  # the first run and 4 loops
    assert result.output == "n=5"
    assert calls[1]["steps"]["work"] == {"output": {"n": 1}}


def test_on_condition_loop_ends_when_its_condition_is_false() -> None:
    calls: list[int] = []

    def counter(payload: Any) -> dict[str, int]:
        calls.append(1)
        return {"n": 100 if len(calls) == 2 else 1}

    result = run(LOOP, {}, {"counter": counter})
    assert result.status == "SUCCEEDED"
    assert len(calls) == 2 and result.output == "n=100"


def test_default_max_loops_is_three() -> None:
    text = LOOP.replace(", max_loops: 4", "")
    calls: list[int] = []
    result = run(text, {}, {"counter": lambda p: calls.append(1) or {"n": 1}})
    assert result.status == "SUCCEEDED" and len(calls) == 4


CONDITION = """
name: branch
input: {schema: {score: {type: number, required: true}}}
steps:
  - {id: grade, type: transform, template: {score: "{{input.score}}"}}
  - id: route
    type: condition
    conditions:
      - {if: "steps.grade.output.score >= 7", goto: good}
      - {if: "steps.grade.output.score >= 4 and not (steps.grade.output.score == 5)", goto: fair}
    default: poor
  - {id: good, type: transform, prompt: "good via {{steps.route.output}}"}
  - {id: fair, type: transform, prompt: "fair via {{steps.route.output}}"}
  - {id: poor, type: transform, prompt: "poor via {{steps.route.output}}"}
"""


@pytest.mark.parametrize(
    ("score", "output"),
    [(9, "poor via good"), (4.5, "poor via fair"), (5, "poor via poor"), (1, "poor via poor")],
)
def test_condition_steps_branch(score: float, output: str) -> None:
    result = run(CONDITION, {"score": score})
    assert result.status == "SUCCEEDED"
    assert result.output == output  # every path falls through to the last step
    # Steps run in order after the one chosen: the chosen step is the first entered.
    entered = [details(e)["name"] for e in events(result, "PassStateEntered")]
    assert entered[2] == output.split()[-1]
    assert exited(result, "route") == [{"output": output.split()[-1]}]


PARALLEL = """
name: fan
input: {schema: {word: {type: string}}}
steps:
  - {id: seed, type: transform, prompt: "{{input.word}}"}
  - id: both
    type: parallel
    branches:
      - - {id: upper, type: transform, prompt: "A:{{steps.seed.output}}"}
        - {id: upper2, type: transform, template: ["{{steps.upper.output}}", 1]}
      - - id: shout
          type: code
          handler: shout
          input: {text: "{{steps.seed.output}}", vars: "{{vars}}"}
  - {id: after, type: transform, prompt: "{{steps.upper.output}}|{{steps.shout.output}}|{{steps.both.output.1}}"}
output: {from: both}
"""


def test_parallel_branches_run_and_merge() -> None:
    seen: list[Any] = []

    def shout(payload: Any) -> str:
        seen.append(payload)
        return payload["text"].upper() + "!"

    result = run(PARALLEL, {"word": "hey"}, {"shout": shout})
    assert result.status == "SUCCEEDED", result.cause
    assert seen == [{"text": "hey", "vars": {}}]
    assert result.output == [["A:hey", 1], "HEY!"]
    assert exited(result, "after") == [{"output": "A:hey|HEY!|HEY!"}]


def test_one_branch_parallel_keeps_a_list() -> None:
    text = """
name: one
steps:
  - id: p
    type: parallel
    branches: [[{id: only, type: transform, template: [1, 2]}]]
"""
    result = run(text)
    assert result.status == "SUCCEEDED"
    assert result.output == [[1, 2]]


def test_code_step_calls_the_handler_with_the_pipeline_data() -> None:
    text = """
name: code
variables: {k: v}
steps:
  - {id: a, type: transform, prompt: "x"}
  - {id: c, type: code, handler: fn}
"""
    got: list[Any] = []
    result = run(text, {"i": 1}, {"fn": lambda p: got.append(p) or {"ok": True}})
    assert result.status == "SUCCEEDED"
    assert got == [{"input": {"i": 1}, "vars": {"k": "v"}, "steps": {"a": {"output": "x"}}}]
    assert result.output == {"ok": True}
    (params,) = scheduled(result)
    assert params["FunctionName"] == "fn"


def test_retry_and_timeout_become_retry_and_timeout_seconds() -> None:
    text = """
name: r
steps:
  - id: c
    type: code
    handler: flaky
    timeout_seconds: 12
    retry: {max_attempts: 3, backoff_ms: 2500}
  - {id: review, type: human_review, prompt: "ok?", timeout_seconds: 86400}
  - {id: r2, type: human_review, prompt: "ok?"}
  - {id: once, type: code, handler: flaky, retry: {max_attempts: 1, backoff_ms: 0}}
  - {id: zero, type: code, handler: flaky, retry: {max_attempts: 2, backoff_ms: 0}}
"""
    states = compiled(text)["States"]
    assert states["c"]["TimeoutSeconds"] == 12
    assert states["c"]["Retry"] == [
        {"ErrorEquals": ["States.ALL"], "MaxAttempts": 2, "IntervalSeconds": 3, "BackoffRate": 2}
    ]
    assert states["review"]["TimeoutSeconds"] == 86400
    assert "TimeoutSeconds" not in states["r2"]
    assert "Retry" not in states["once"]
    assert states["zero"]["Retry"][0]["IntervalSeconds"] == 1


def test_retry_runs_the_step_again() -> None:
    text = """
name: r
steps:
  - {id: c, type: code, handler: flaky, retry: {max_attempts: 3, backoff_ms: 1000}}
"""
    calls: list[int] = []

    def flaky(payload: Any) -> str:
        calls.append(1)
        if len(calls) < 3:
            raise TaskFailure("Boom", "not yet")
        return "done"

    result = run(text, {}, {"flaky": flaky})
    assert result.status == "SUCCEEDED" and result.output == "done"
    assert len(calls) == 3
    calls.clear()
    result = run(text.replace("max_attempts: 3", "max_attempts: 2"), {}, {"flaky": flaky})
    assert result.status == "FAILED" and result.error == "Boom"


def test_human_review_leaves_the_run_waiting_with_the_token() -> None:
    text = """
name: review
steps:
  - {id: draft, type: transform, prompt: "text for {{input.who}}"}
  - {id: approve, type: human_review, prompt: "Publish {{steps.draft.output}}?"}
"""
    result = run(text, {"who": "ann"}, owner="user-1", pipeline_id="pipe-1")
    assert result.status == "RUNNING"
    assert result.stuck_reason is not None
    (params,) = scheduled(result)
    assert len(params["TaskToken"]) == 64
    assert params["prompt"] == "Publish text for ann?"
    assert params["step_id"] == "approve" and params["pipeline_id"] == "pipe-1"
    (submitted,) = events(result, "TaskSubmitted")
    request = json.loads(details(submitted)["output"])
    assert "TaskToken" not in request and request["prompt"] == "Publish text for ann?"


class _Echo(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        answer = json.dumps(
            {"path": self.path, "got": json.loads(body), "h": self.headers["X-Topic"]}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def echo_url() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_webhook_step_calls_http_invoke(echo_url: str) -> None:
    text = f"""
name: hook
steps:
  - {{id: a, type: transform, template: {{n: 3}}}}
  - id: call
    type: webhook
    url: "{echo_url}/hook/{{{{input.topic}}}}"
    headers: {{X-Topic: "{{{{input.topic}}}}"}}
    body: {{count: "{{{{steps.a.output.n}}}}", text: "n={{{{steps.a.output.n}}}}"}}
"""
    definition = compiled(text)
    call = definition["States"]["call"]
    assert call["Resource"] == "arn:aws:states:::http:invoke"
    assert call["Arguments"]["Method"] == "POST"
    result = run(text, {"topic": "owls"})
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == {"path": "/hook/owls", "got": {"count": 3, "text": "n=3"}, "h": "owls"}


def test_output_from_a_step_that_did_not_run_is_null() -> None:
    text = """
name: skip
steps:
  - id: c
    type: condition
    conditions: [{if: "true", goto: end}]
  - {id: skipped, type: transform, prompt: "x"}
  - {id: end, type: transform, prompt: "y"}
output: {from: skipped}
"""
    result = run(text)
    assert result.status == "SUCCEEDED" and result.output is None


def test_backward_condition_goto_is_guarded() -> None:
    text = """
name: back
steps:
  - {id: a, type: code, handler: tick}
  - id: c
    type: condition
    conditions: [{if: "true", goto: a, max_loops: 2}]
"""
    ticks: list[int] = []
    result = run(text, {}, {"tick": lambda p: ticks.append(1) or len(ticks)})
    assert result.status == "SUCCEEDED" and len(ticks) == 3


def test_text_that_looks_like_an_expression_stays_text() -> None:
    text = """
name: lit
steps:
  - {id: a, type: transform, prompt: "{% 1 + 1 %}"}
  - {id: b, type: transform, template: {x: "{% $states %}"}}
"""
    result = run(text)
    assert result.status == "SUCCEEDED"
    assert exited(result, "a") == [{"output": "{% 1 + 1 %}"}]
    assert result.output == {"x": "{% $states %}"}


def test_owner_and_pipeline_id_are_written_for_the_integrations() -> None:
    pipeline = parse_pipeline("name: x\nsteps: [{id: a, model: stepline-local, prompt: p}]")
    args = compile_pipeline(pipeline, owner="u", pipeline_id="p")["States"]["a"]["Arguments"]
    assert (args["owner"], args["pipeline_id"], args["step_id"]) == ("u", "p", "a")


def test_compiling_an_unchecked_pipeline_checks_it() -> None:
    from emulator.pipelines import Pipeline, PipelineInvalid

    unchecked = Pipeline.model_validate(
        {"name": "x", "steps": [{"id": "a", "type": "transform", "prompt": "{{steps.zz.output}}"}]}
    )
    with pytest.raises(PipelineInvalid) as info:
        compile_pipeline(unchecked)
    assert info.value.issues[0]["field"] == "steps[0].prompt"


def test_nested_parallel_reads_every_enclosing_scope() -> None:
    text = """
name: nest
steps:
  - {id: top, type: transform, prompt: "T"}
  - id: outer
    type: parallel
    branches:
      - - {id: mid, type: transform, prompt: "M{{steps.top.output}}"}
        - id: inner
          type: parallel
          branches:
            - [{id: leaf, type: transform, prompt: "{{steps.top.output}}{{steps.mid.output}}L"}]
            - [{id: leaf2, type: transform, template: {n: 2}}]
        - {id: tail, type: transform, prompt: "{{steps.leaf.output}}+{{steps.leaf2.output.n}}"}
  - {id: last, type: transform, prompt: "{{steps.tail.output}}|{{steps.leaf.output}}"}
"""
    result = run(text)
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == "TMTL+2|TMTL"
    assert exited(result, "inner") == [{"output": ["TMTL", {"n": 2}]}]
