"""The states that run without leaving the step: Pass, Choice, Wait, Succeed, Fail."""

from __future__ import annotations

from typing import Any

from asl import errors, jsontext
from asl.errors import StatesError
from asl.interpreter import dataflow, jsonata_states, variables
from asl.interpreter.cursor import WAIT, Frame
from asl.interpreter.engine import HANDLERS, Run
from asl.jsonpath import PathNotFound
from asl.model import ChoiceState, FailState, PassState, SucceedState, WaitState
from asl.timestamps import parse_timestamp


def run_pass(run: Run, frame: Frame, state: PassState) -> None:
    run.enter(frame, state)
    if state.jsonata:
        jsonata_states.run_pass(run, frame, state)
        return
    raw = frame.input
    scope = run.scope(frame, state)
    try:
        data = dataflow.input_of(state, raw, scope)
        if state.parameters is not None:
            data = state.parameters.evaluate(data, scope)
        result = state.result if state.has_result else data
        assigned = None
        if state.assign is not None:
            assigned = variables.jsonpath_assign(frame, state, state.assign, result, scope)
        output = dataflow.finish_output(state, raw, result, scope)
    except StatesError as exc:
        run.raised(frame, state, exc)
        return
    run.complete(frame, state, output, assigned)


def run_choice(run: Run, frame: Frame, state: ChoiceState) -> None:
    run.enter(frame, state)
    if state.jsonata:
        jsonata_states.run_choice(run, frame, state)
        return
    scope = run.scope(frame, state)
    try:
        data = dataflow.input_of(state, frame.input, scope)
        target = state.default
        assign = state.assign  # the state's own Assign goes with the Default
        for index, rule in enumerate(state.choices):
            if rule.evaluate(data, scope):
                target = rule.next
                assign = state.rule_assign[index] if state.rule_assign else None
                break
        if target is None:
            # https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
            raise StatesError(errors.NO_CHOICE_MATCHED, "")
        assigned = None
        if assign is not None:
            assigned = variables.jsonpath_assign(frame, state, assign, data, scope)
        output = dataflow.output_of(state, data, scope)
    except StatesError as exc:
        run.raised(frame, state, exc)
        return
    run.exit(frame, state, output, target, assigned)


def run_succeed(run: Run, frame: Frame, state: SucceedState) -> None:
    run.enter(frame, state)
    if state.jsonata:
        jsonata_states.run_succeed(run, frame, state)
        return
    scope = run.scope(frame, state)
    try:
        output = dataflow.output_of(state, dataflow.input_of(state, frame.input, scope), scope)
    except StatesError as exc:
        run.raised(frame, state, exc)
        return
    run.exit(frame, state, output, None)


def run_fail(run: Run, frame: Frame, state: FailState) -> None:
    run.enter(frame, state)
    if state.jsonata:
        jsonata_states.run_fail(run, frame, state)
        return
    error, cause = state.error, state.cause
    if state.error_path is not None or state.cause_path is not None:
        scope = run.scope(frame, state)
        try:
            if state.error_path is not None:
                error = _as_text(state.error_path(frame.input, scope), "ErrorPath")
            if state.cause_path is not None:
                cause = _as_text(state.cause_path(frame.input, scope), "CausePath")
        except StatesError as exc:
            run.raised(frame, state, exc)
            return
    run.fail_frame(frame, error, cause)  # type: ignore[arg-type]


def _as_text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise StatesError(
            errors.RUNTIME,
            f"The value of the field '{field}' must be a string, got {jsontext.dumps(value)}",
        )
    return value


def run_wait(run: Run, frame: Frame, state: WaitState) -> None:
    run.enter(frame, state)
    if state.jsonata:
        jsonata_states.run_wait(run, frame, state)
        return
    scope = run.scope(frame, state)
    try:
        data = dataflow.input_of(state, frame.input, scope)
        seconds = _wait_seconds(run, state, data, scope)
    except StatesError as exc:
        run.raised(frame, state, exc)
        return
    if seconds <= 0:
        finish_wait(run, frame, state, data)
        return
    frame.effective = data
    frame.phase = WAIT
    frame.wait_id = run.start_timer(frame, seconds, "wait")


def _wait_seconds(run: Run, state: WaitState, data: Any, scope: Any) -> float:
    if state.seconds is not None:
        return float(state.seconds)
    if state.timestamp is not None:
        return _until(run, state.timestamp, "Timestamp")
    if state.seconds_path is not None:
        value = _select(state.seconds_path, data, scope, "SecondsPath")
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise StatesError(
                errors.RUNTIME,
                f"The SecondsPath parameter does not reference a valid integer: "
                f"{jsontext.dumps(value)}",
            )
        return float(value)
    assert state.timestamp_path is not None
    value = _select(state.timestamp_path, data, scope, "TimestampPath")
    return _until(run, value, "TimestampPath", state.timestamp_path.text)


def _select(path: Any, data: Any, scope: Any, field: str) -> Any:
    try:
        return path.select(data, scope)
    except PathNotFound as exc:
        raise StatesError(errors.RUNTIME, f"Invalid path '{path.text}' : {exc}") from None


def _until(run: Run, value: Any, field: str, path_text: str | None = None) -> float:
    moment = parse_timestamp(value) if isinstance(value, str) else None
    if moment is None:
        shown = value if isinstance(value, str) else jsontext.dumps(value)
        where = f"{path_text} == {shown}" if path_text else shown
        raise StatesError(
            errors.RUNTIME,
            f"The {field} parameter does not reference a valid ISO-8601 extended offset "
            f"date-time format string: {where}",
        )
    return (moment - run.now).total_seconds()


def finish_wait(run: Run, frame: Frame, state: WaitState, data: Any) -> None:
    if state.jsonata:
        jsonata_states.finish_wait(run, frame, state)
        return
    scope = run.scope(frame, state)
    try:
        assigned = None
        if state.assign is not None:
            assigned = variables.jsonpath_assign(frame, state, state.assign, data, scope)
        output = dataflow.output_of(state, data, scope)
    except StatesError as exc:
        run.raised(frame, state, exc)
        return
    frame.effective = None
    run.complete(frame, state, output, assigned)


HANDLERS.update(
    {
        "Pass": run_pass,
        "Choice": run_choice,
        "Succeed": run_succeed,
        "Fail": run_fail,
        "Wait": run_wait,
    }
)
