"""Step Functions Local's mock configuration files (``MockConfigFile.json``).

A mock file names, per state machine, test cases that map state names to mocked responses;
each mocked response answers a state's invocations by number (0-based, per state and per
execution, retries included), one number or an inclusive range ``"a-b"`` per key::

    {"StateMachines": {"SM": {"TestCases": {"HappyPath": {"LambdaState": "MockedLambda"}}}},
     "MockedResponses": {"MockedLambda": {"0": {"Return": {"StatusCode": 200, "Payload": {}}},
                                          "1-2": {"Throw": {"Error": "E", "Cause": "c"}}}}}

``Return`` answers the task with its value as the service would have (users write the
service's response shape); ``Throw`` fails it with ``Error``/``Cause``.  States the test case
does not list call the real resource (the "HybridPath").  A ``.waitForTaskToken`` task that is
mocked is answered at once, without waiting for its token.
https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html
https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-test-sm-exec.html

The file is found as Step Functions Local finds it: ``SFN_MOCK_CONFIG``, else (as LocalStack
names it) ``LOCALSTACK_SFN_MOCK_CONFIG``, else ``MockConfigFile.json`` in the working directory.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

import asl
from emulator.store import event_rows, schema

ENV_VARIABLES = ("SFN_MOCK_CONFIG", "LOCALSTACK_SFN_MOCK_CONFIG")
DEFAULT_FILE = "MockConfigFile.json"

# The history events that mark one call of a Task's resource.
_SCHEDULED = ("TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled")
_RANGE = re.compile(r"(0|[1-9][0-9]*)(?:-(0|[1-9][0-9]*))?")

RUNTIME = "States.Runtime"
# Step Functions Local fails the execution when an activity state is mocked ("Activity state
# cannot be mocked", https://github.com/aws-samples/aws-stepfunctions-examples/issues/69); the
# rest of the sentence is ours.
ACTIVITY_CAUSE = "Activity state cannot be mocked. State '{state}' calls the activity '{resource}'."
# Every invocation of a mocked state must have a response; one that has none fails the
# execution (sfn-local-mock-cfg-file.html, "MockedResponses").  The wording is ours.
MISSING_CAUSE = (
    "The mocked response '{response}' has no response for invocation {invocation} "
    "of the state '{state}' (test case '{case}')."
)


class MockConfigError(ValueError):
    """A mock configuration file that cannot be used, with where and why."""


@dataclass(frozen=True, slots=True)
class Answer:
    """One mocked response: a ``Return`` value, or a ``Throw`` error and cause."""

    value: Any = None
    error: str | None = None
    cause: str = ""


@dataclass(frozen=True, slots=True)
class MockedResponse:
    name: str
    ranges: tuple[tuple[int, int, Answer], ...]  # (first, last, answer), inclusive

    def at(self, invocation: int) -> Answer | None:
        for first, last, answer in self.ranges:
            if first <= invocation <= last:
                return answer
        return None


@dataclass(frozen=True, slots=True)
class TestCase:
    state_machine: str
    name: str
    states: Mapping[str, MockedResponse]  # state name -> its mocked response


@dataclass(frozen=True, slots=True)
class MockConfig:
    test_cases: Mapping[str, Mapping[str, TestCase]]  # state machine name -> case name -> case
    source: str = "<mock config>"

    def test_case(self, state_machine: str, case: str) -> TestCase | None:
        return self.test_cases.get(state_machine, {}).get(case)


# ---------------------------------------------------------------------- loading


def parse(document: Any, source: str = "<mock config>") -> MockConfig:
    """Validate a parsed mock file; :class:`MockConfigError` names the first problem."""
    where = source
    if not isinstance(document, dict):
        raise MockConfigError(f"{where}: the mock configuration must be a JSON object")
    responses_doc = document.get("MockedResponses", {})
    machines_doc = document.get("StateMachines", {})
    if not isinstance(responses_doc, dict):
        raise MockConfigError(f"{where}: MockedResponses must be an object")
    if not isinstance(machines_doc, dict):
        raise MockConfigError(f"{where}: StateMachines must be an object")
    responses = {
        name: _response(name, body, f"{where}: MockedResponses.{name}")
        for name, body in responses_doc.items()
    }
    test_cases: dict[str, dict[str, TestCase]] = {}
    for machine, body in machines_doc.items():
        at = f"{where}: StateMachines.{machine}"
        if not isinstance(body, dict) or not isinstance(body.get("TestCases"), dict):
            raise MockConfigError(f"{at} must be an object with a TestCases object")
        cases: dict[str, TestCase] = {}
        for case, states in body["TestCases"].items():
            if not isinstance(states, dict):
                raise MockConfigError(f"{at}.TestCases.{case} must map state names to responses")
            mocked: dict[str, MockedResponse] = {}
            for state, response in states.items():
                if not isinstance(response, str) or response not in responses:
                    raise MockConfigError(
                        f"{at}.TestCases.{case}.{state}: {response!r} is not a name in MockedResponses"
                    )
                mocked[state] = responses[response]
            cases[case] = TestCase(machine, case, mocked)
        test_cases[machine] = cases
    return MockConfig(test_cases, source)


def _response(name: str, body: Any, at: str) -> MockedResponse:
    if not isinstance(body, dict) or not body:
        raise MockConfigError(f"{at} must be a non-empty object keyed by invocation numbers")
    ranges: list[tuple[int, int, Answer]] = []
    for key, entry in body.items():
        match = _RANGE.fullmatch(key) if isinstance(key, str) else None
        if match is None:
            raise MockConfigError(
                f"{at}: {key!r} is not an invocation number or range (such as \"0\" or \"1-2\")"
            )
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) is not None else first
        if last < first:
            raise MockConfigError(f"{at}: the range {key!r} ends before it starts")
        for other_first, other_last, _ in ranges:
            if first <= other_last and other_first <= last:
                raise MockConfigError(f"{at}: {key!r} overlaps another invocation key")
        ranges.append((first, last, _answer(entry, f"{at}.{key}")))
    ranges.sort(key=lambda r: r[0])
    return MockedResponse(name, tuple(ranges))


def _answer(entry: Any, at: str) -> Answer:
    if not isinstance(entry, dict) or len(entry) != 1 or not ({"Return", "Throw"} & entry.keys()):
        raise MockConfigError(f"{at} must hold exactly one of Return or Throw")
    if "Return" in entry:
        return Answer(value=entry["Return"])
    throw = entry["Throw"]
    if not isinstance(throw, dict) or not isinstance(throw.get("Error"), str):
        raise MockConfigError(f"{at}.Throw must be an object with an Error string")
    cause = throw.get("Cause", "")
    if not isinstance(cause, str):
        raise MockConfigError(f"{at}.Throw.Cause must be a string")
    return Answer(error=throw["Error"], cause=cause)


def load(path: str | Path) -> MockConfig:
    """Read and validate a mock file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise MockConfigError(f"cannot read the mock configuration {path}: {exc.strerror}") from None
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise MockConfigError(f"{path}: the mock configuration is not valid JSON: {exc}") from None
    return parse(document, str(path))


def find(environ: Mapping[str, str] | None = None, cwd: str | Path | None = None) -> Path | None:
    """Where the mock file is: the first environment variable set, else the default file
    in ``cwd`` if it exists, else None."""
    environ = os.environ if environ is None else environ
    for variable in ENV_VARIABLES:
        if environ.get(variable):
            return Path(environ[variable])
    default = Path(cwd if cwd is not None else os.getcwd()) / DEFAULT_FILE
    return default if default.is_file() else None


def from_environment(
    environ: Mapping[str, str] | None = None, cwd: str | Path | None = None
) -> MockConfig | None:
    path = find(environ, cwd)
    return None if path is None else load(path)


# ---------------------------------------------------------------------- answering


@dataclass(slots=True)
class MockSession:
    """One execution's test case and how many times each state has called its resource."""

    case: TestCase
    counts: dict[str, int] = field(default_factory=dict)

    def answer(self, effect: asl.InvokeTask) -> tuple[asl.Outcome, ...] | None:
        """The outcomes that answer ``effect`` (in order), or None: not mocked, call the
        real resource.  Every call counts, retries included."""
        state = effect.state_name
        response = self.case.states.get(state)
        if response is None:
            return None
        invocation = self.counts.get(state, 0)
        self.counts[state] = invocation + 1
        if _is_activity(effect.resource):
            cause = ACTIVITY_CAUSE.format(state=state, resource=effect.resource)
            return (asl.TaskFailed(effect.id, RUNTIME, cause),)
        answer = response.at(invocation)
        if answer is None:
            cause = MISSING_CAUSE.format(
                response=response.name, invocation=invocation, state=state, case=self.case.name
            )
            return (asl.TaskFailed(effect.id, RUNTIME, cause),)
        if answer.error is not None:
            return (asl.TaskFailed(effect.id, answer.error, answer.cause),)
        if effect.task_token is not None:
            # The call is submitted, and its token comes back at once with the same value.
            return (
                asl.TaskSucceeded(effect.id, answer.value),
                asl.CallbackSucceeded(effect.task_token, answer.value),
            )
        return (asl.TaskSucceeded(effect.id, answer.value),)

    def resume_counts(self, history: Iterable[Mapping[str, Any]], pending: Iterable[str]) -> None:
        """Rebuild the counts after a restart: the calls recorded in ``history`` (events as
        GetExecutionHistory returns them), less ``pending`` — the state names of the
        committed calls that are about to be made again."""
        self.counts = scheduled_counts(history)
        for state in pending:
            if self.counts.get(state, 0) > 0:
                self.counts[state] -= 1


def scheduled_counts(history: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """How many times each state called its resource, from an execution's history.

    A ``…Scheduled`` event's state is found by following ``previousEventId`` back to the
    nearest ``…StateEntered`` event: that chain stays within one Parallel branch or Map
    iteration, so interleaved branches are counted right.
    """
    by_id: dict[int, Mapping[str, Any]] = {}
    counts: dict[str, int] = {}
    for event in history:
        by_id[int(event["id"])] = event
        if event["type"] not in _SCHEDULED:
            continue
        previous = by_id.get(int(event.get("previousEventId", 0)))
        while previous is not None and not str(previous["type"]).endswith("StateEntered"):
            previous = by_id.get(int(previous.get("previousEventId", 0)))
        if previous is not None:
            name = str(previous["stateEnteredEventDetails"]["name"])
            counts[name] = counts.get(name, 0) + 1
    return counts


def resume(
    connection: Connection, arn: str, config: MockConfig | None, pending: Iterable[str]
) -> MockSession | None:
    """The mock session of a running execution loaded after a restart (None: it runs no
    test case, or the mock file no longer has it).  The execution row keeps the test case
    (``mock_test_case``); the counts come from its history."""
    if config is None:
        return None
    E = schema.executions
    row = connection.execute(
        select(E.c.state_machine_arn, E.c.mock_test_case).where(E.c.arn == arn)
    ).first()
    if row is None or row.mock_test_case is None:
        return None
    case = config.test_case(str(row.state_machine_arn).split(":")[-1], row.mock_test_case)
    if case is None:
        return None
    history = event_rows.read_history(
        connection, arn, reverse=False, include_data=False, start=0, limit=1 << 62
    )
    session = MockSession(case)
    session.resume_counts(history, pending)
    return session


def _is_activity(resource: str) -> bool:
    parts = resource.split(":")
    return len(parts) >= 7 and parts[2] == "states" and parts[5] == "activity"
