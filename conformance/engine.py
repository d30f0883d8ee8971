"""Run one conformance case in-process and compare with its expectations."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import asl
from asl import jsontext
from conformance.cases import Case
from emulator import mocks
from emulator.driver import run_local
from emulator.handlers import Delayed, TaskFailure

START_TIME = datetime(2024, 1, 1, tzinfo=UTC)
INFO = asl.ExecutionInfo(
    execution_arn="arn:aws:states:us-east-1:123456789012:execution:Conformance:conformance",
    execution_name="conformance",
    state_machine_arn="arn:aws:states:us-east-1:123456789012:stateMachine:Conformance",
    state_machine_name="Conformance",
    role_arn="arn:aws:iam::123456789012:role/StepFunctionsRole",
    start_time=START_TIME,
)


def run_case(case: Case, endpoint: str | None = None) -> list[str]:
    """The list of mismatches (empty when the case passes).  ``api`` cases call the
    Step Functions API at ``endpoint`` (see conformance/api_cases.py)."""
    if case.kind == "validation":
        return _validation(case)
    if case.kind == "api":
        if endpoint is None:
            return ["an api case needs a server: give an endpoint"]
        from conformance.api_cases import run_api_case

        return run_api_case(case, endpoint)
    return _execution(case)


def _validation(case: Case) -> list[str]:
    expect = case.raw["expect"]
    diags = asl.validate(case.raw["definition"])
    errors = [d for d in diags if d.severity == "ERROR"]
    problems = []
    valid = not errors
    if "valid" in expect and expect["valid"] != valid:
        listed = "; ".join(f"{d.code} {d.location}: {d.message}" for d in diags)
        problems.append(f"valid: expected {expect['valid']}, got {valid} ({listed})")
    codes = {d.code for d in diags}
    for code in expect.get("codes", []):
        if code not in codes:
            problems.append(f"code {code} not reported (got {sorted(codes)})")
    locations = {d.location for d in diags}
    for location in expect.get("locations", []):
        if location not in locations:
            problems.append(f"location {location} not reported (got {sorted(locations)})")
    for text in expect.get("messages_contain", []):
        if not any(text in d.message for d in diags):
            problems.append(f"no message contains {text!r}")
    return problems


def _handler(answers: list[dict[str, Any]]) -> Callable[[Any], Any]:
    calls = 0

    def handle(task_input: Any) -> Any:
        nonlocal calls
        answer = answers[min(calls, len(answers) - 1)]
        calls += 1
        delay = answer.get("delay")
        if "error" in answer:
            if delay:
                return Delayed(delay, error=answer["error"], cause=answer.get("cause", ""))
            raise TaskFailure(answer["error"], answer.get("cause", ""))
        value = task_input if answer.get("echo") else answer.get("result")
        return Delayed(delay, result=value) if delay else value

    return handle


def _execution(case: Case) -> list[str]:
    spec = case.raw.get("http_server")
    if spec is None:
        return _run_execution(case.raw)
    from conformance.http_server import PLACEHOLDER, scripted

    with scripted(spec) as (base, received):
        text = json.dumps(case.raw["definition"]).replace(PLACEHOLDER, base)
        problems = _run_execution({**case.raw, "definition": json.loads(text)})
    for index, want in enumerate(case.raw["expect"].get("http_requests", [])):
        if index >= len(received):
            problems.append(f"http_requests: request {index} was never made")
        elif not _subset(want, received[index]):
            problems.append(f"http_requests[{index}]: expected {want}, got {received[index]}")
    return problems


def _run_execution(raw: dict[str, Any]) -> list[str]:
    expect = raw["expect"]
    try:
        machine = asl.load(raw["definition"])
    except asl.InvalidDefinition as exc:
        return [f"definition rejected: {exc}"]
    handlers = {resource: _handler(answers) for resource, answers in raw.get("handlers", {}).items()}
    mock = None
    if "mock_config" in raw:  # a Step Functions Local mock file and the test case to run
        machine_name = raw.get("state_machine_name", INFO.state_machine_name)
        test_case = mocks.parse(raw["mock_config"]).test_case(machine_name, raw["test_case"])
        if test_case is None:
            return [f"mock_config has no test case {raw['test_case']!r} for {machine_name!r}"]
        mock = mocks.MockSession(test_case)
    # Machines that states:startExecution tasks can start, by ARN (run as child executions).
    try:
        machines = {arn: asl.load(text) for arn, text in raw.get("machines", {}).items()}
    except asl.InvalidDefinition as exc:
        return [f"a child machine's definition was rejected: {exc}"]
    result = run_local(
        machine, raw.get("input", {}), handlers, INFO, seed=raw.get("seed", 0), mock=mock,
        machines=machines or None,
    )  # fmt: skip
    problems: list[str] = []
    if "status" in expect and result.status != expect["status"]:
        problems.append(
            f"status: expected {expect['status']}, got {result.status}"
            f" ({result.error}: {result.cause})"
        )
    if "output" in expect and (
        result.status != "SUCCEEDED" or not same_json(result.output, expect["output"])
    ):
        problems.append(
            f"output: expected {jsontext.dumps(expect['output'])}, got {jsontext.dumps(result.output)}"
        )
    if "error" in expect and result.error != expect["error"]:
        problems.append(f"error: expected {expect['error']!r}, got {result.error!r}")
    if "cause" in expect and result.cause != expect["cause"]:
        problems.append(f"cause: expected {expect['cause']!r}, got {result.cause!r}")
    if "cause_contains" in expect and expect["cause_contains"] not in (result.cause or ""):
        problems.append(f"cause: expected to contain {expect['cause_contains']!r}, got {result.cause!r}")
    types = [event.type for event in result.events]
    if "events" in expect and types != expect["events"]:
        problems.append(f"events: expected {expect['events']}, got {types}")
    if "event_counts" in expect:
        counts = Counter(types)
        for name, count in expect["event_counts"].items():
            if counts[name] != count:
                problems.append(f"event count {name}: expected {count}, got {counts[name]}")
    history = result.history()
    for detail in expect.get("event_details", []):
        index = detail["index"]
        if index >= len(history):
            problems.append(f"event_details: no event at index {index}")
            continue
        event = history[index]
        for key, want in detail.items():
            if key == "index":
                continue
            got = event.get(key)
            if not _subset(want, got):
                problems.append(
                    f"event {index} {key}: expected {json.dumps(want)}, got {json.dumps(got, default=str)}"
                )
    return problems


def same_json(a: Any, b: Any) -> bool:
    """Equality of JSON values that, unlike ``==``, tells true from 1 and 1 from 1.0."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _subset(want: Any, got: Any) -> bool:
    if isinstance(want, dict):
        return isinstance(got, dict) and all(k in got and _subset(v, got[k]) for k, v in want.items())
    return same_json(want, got)
