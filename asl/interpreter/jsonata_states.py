"""Pass, Choice, Wait, Succeed and Fail in JSONata states.

https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
"""

from __future__ import annotations

from typing import Any

from asl import errors, jsontext
from asl.errors import StatesError
from asl.interpreter import queries
from asl.interpreter.cursor import WAIT, Frame
from asl.interpreter.engine import Run
from asl.model import ChoiceState, FailState, PassState, SucceedState, WaitState
from asl.timestamps import parse_timestamp


def run_pass(run: Run, frame: Frame, state: PassState) -> None:
    try:
        values = queries.bindings(run, frame, state)
        assigned = queries.assign(run, frame, state, state.assign, values)
        output = queries.output(run, state.output, values, frame.input, state)
    except StatesError as exc:
        run.raised(frame, state, exc)
        return
    run.complete(frame, state, output, assigned)


def run_succeed(run: Run, frame: Frame, state: SucceedState) -> None:
    try:
        values = queries.bindings(run, frame, state)
        output = queries.output(run, state.output, values, frame.input, state)
    except StatesError as exc:
        run.raised(frame, state, exc)
        return
    run.exit(frame, state, output, None)


def run_choice(run: Run, frame: Frame, state: ChoiceState) -> None:
    try:
        values = queries.bindings(run, frame, state)
        target = state.default
        output_template, assign_template = state.output, state.assign  # with the Default
        for rule in state.jsonata_rules:
            matched = queries.evaluate(run, rule.condition, values, "Condition")
            if not isinstance(matched, bool):
                raise StatesError(
                    errors.QUERY_EVALUATION_ERROR,
                    f"The Condition field must evaluate to a boolean, got "
                    f"{jsontext.dumps(matched)}",
                )
            if matched:
                target = rule.next
                output_template, assign_template = rule.output, rule.assign
                break
        if target is None:
            raise StatesError(errors.NO_CHOICE_MATCHED, "")
        assigned = queries.assign(run, frame, state, assign_template, values)
        output = queries.output(run, output_template, values, frame.input, state)
    except StatesError as exc:
        run.raised(frame, state, exc)
        return
    run.exit(frame, state, output, target, assigned)


def run_fail(run: Run, frame: Frame, state: FailState) -> None:
    error, cause = state.error, state.cause
    if state.error_expr is not None or state.cause_expr is not None:
        try:
            values = queries.bindings(run, frame, state)
            if state.error_expr is not None:
                error = queries.text(run, state.error_expr, values, "Error")
            if state.cause_expr is not None:
                cause = queries.text(run, state.cause_expr, values, "Cause")
        except StatesError as exc:
            run.raised(frame, state, exc)
            return
    run.fail_frame(frame, error, cause)  # type: ignore[arg-type]


def wait_seconds(run: Run, frame: Frame, state: WaitState) -> float:
    """Seconds until the Wait ends (a JSONata Seconds or Timestamp, or a literal)."""
    values = queries.bindings(run, frame, state)
    if state.seconds_expr is not None:
        return float(queries.integer(run, state.seconds_expr, values, "Seconds", 0))
    if state.seconds is not None:
        return float(state.seconds)
    if state.timestamp_expr is not None:
        text = queries.text(run, state.timestamp_expr, values, "Timestamp")
    else:
        assert state.timestamp is not None
        text = state.timestamp
    moment = parse_timestamp(text)
    if moment is None:
        raise StatesError(
            errors.QUERY_EVALUATION_ERROR,
            f"The Timestamp field does not hold a valid ISO-8601 extended offset date-time "
            f"format string: {text}",
        )
    return (moment - run.now).total_seconds()


def run_wait(run: Run, frame: Frame, state: WaitState) -> None:
    try:
        seconds = wait_seconds(run, frame, state)
    except StatesError as exc:
        run.raised(frame, state, exc)
        return
    if seconds <= 0:
        finish_wait(run, frame, state)
        return
    frame.phase = WAIT
    frame.wait_id = run.start_timer(frame, seconds, "wait")


def finish_wait(run: Run, frame: Frame, state: WaitState, data: Any = None) -> None:
    try:
        values = queries.bindings(run, frame, state)
        assigned = queries.assign(run, frame, state, state.assign, values)
        output = queries.output(run, state.output, values, frame.input, state)
    except StatesError as exc:
        run.raised(frame, state, exc)
        return
    run.complete(frame, state, output, assigned)
