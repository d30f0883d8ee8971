"""Redriving a Parallel or Map state: only the children that did not succeed run again.

AWS: "For workflows that include an Inline Map or Parallel state, RedriveExecution API action
reschedules and redrives only the iterations and branches that failed or aborted."
https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html
https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html

A fan-out that ended unsuccessfully (its state failed, or the execution was stopped or timed
out while it ran) stays on its frame with the results of the children that succeeded and the
frames of those that failed or were aborted.  Redriving the frame enters its state again,
keeps the successful results and runs the other children in index order under the state's
MaxConcurrency; iterations that had not started run for the first time.  A child that had
started is itself redriven from the state it stopped in, by the same rule, so a Map inside a
Parallel branch (or a Map in a Map) keeps its successful iterations too.  The state's result
is assembled from the old and the new results, in order.

The items, the ItemSelector results, MaxConcurrency and the tolerated-failure thresholds are
the ones the first attempt evaluated ("uses the same input", redrive-executions.html).

UNVERIFIED (no recorded AWS history of an inline redrive was found): the redriven state records
``…StateEntered`` and ``…StateStarted`` again (``MapStateStarted`` with the full length), then
``MapIterationStarted`` only for the iterations run again; tolerated failures are counted
afresh over the iterations run again (an iteration that failed before runs again and counts
only if it fails again, against the full item count).
"""

from __future__ import annotations

from asl.interpreter.cursor import CHILDREN, DONE, ENTER, FanOut, Frame
from asl.interpreter.engine import Run
from asl.model import MapState, State


def prepare(frame: Frame) -> None:
    """Make a stopped frame ready to run again from the state it stopped in.

    A fan-out it stopped in is left on the frame for the state's handler to take up
    (:func:`take_kept`); one restored from a cursor that predates kept results is dropped,
    and the whole state runs again.
    """
    fan = frame.fan
    reset(frame)
    if fan is not None and fan.succeeded is not None:
        # Children still running when the execution timed out did not succeed either.
        fan.stopped.update(fan.children)
        fan.children = {}
        frame.fan = fan
    if frame.phase != DONE:
        frame.phase = ENTER


def reset(frame: Frame) -> None:
    """Forget what the stopped attempt of the frame's state was waiting on."""
    frame.fan = None
    frame.timers = []
    frame.wait_id = None
    frame.task_token = None
    frame.heartbeat = None
    frame.error = None
    frame.cause = None
    frame.retries = None
    frame.retry_count = 0


def take_kept(frame: Frame) -> FanOut | None:
    """The fan-out :func:`prepare` left on a frame about to enter its state, if any."""
    kept = frame.fan
    frame.fan = None
    return kept


def restart(run: Run, frame: Frame, state: State, kept: FanOut) -> None:
    """Start the state again from ``kept``: only its unsuccessful children are to run."""
    total = len(kept.results)
    succeeded = kept.succeeded or set()
    kept.order = [index for index in range(total) if index not in succeeded]
    kept.next_index = 0
    kept.running = 0
    kept.failures = 0
    kept.children = {}
    if isinstance(state, MapState):
        run.emit(frame, "MapStateStarted", "mapStateStartedEventDetails", {"length": total})
    else:
        run.emit(frame, "ParallelStateStarted")
    frame.fan = kept
    frame.phase = CHILDREN


def revive(parent: Frame, child: Frame) -> None:
    """A stopped child of ``parent`` is run again, from the state it stopped in."""
    prepare(child)
    child.parent = parent
    child.last_event = parent.last_event
    if not child.own_vars:
        child.vars = parent.vars  # read through to the enclosing scope until it assigns
