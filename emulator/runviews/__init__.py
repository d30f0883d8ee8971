"""Run views: an execution's history projected into a run and its steps.

Both REST surfaces show an execution as a *run* (status, input, output, error, times) made of
*steps* (one per state the execution entered at the top level, or per named pipeline step),
and stream what changes as new history events are committed.  Everything here is derived from
what Step Functions itself returns (``DescribeExecution`` and ``GetExecutionHistory``), so a
run reads the same whichever process advanced it.

    view = project(history_events, describe)              # a RunView, O(number of events)
    projector = Projector(describe)                       # incrementally, for streams:
    for event in new_events:
        changes = projector.feed(event)                   # what each event changed
    view = read_run(services, execution_arn)              # the same, read from the store
    events = tail(services, execution_arn, after_id=42)   # the events committed after id 42

Statuses.  A run is ``running``, ``completed`` (SUCCEEDED), ``failed`` (FAILED, TIMED_OUT) or
``cancelled`` (ABORTED).  A step is ``running``; ``waiting`` while a Wait state waits or a
``.waitForTaskToken`` task waits for its token (after ``TaskSubmitted``); ``completed``;
``failed`` (its error was not retried: caught, or it failed the execution); ``cancelled`` (the
execution was stopped, or a sibling branch failed, while it ran); and, for the named steps of a
pipeline, ``pending`` until it is entered (``skipped`` if the run ended without entering it).
A task that failed and waits for its retry stays ``running``, with the failure in ``error`` and
``cause``; each retry counts in ``retry_count``.

Which states are steps.  The history is flat; nesting is recovered from ``previousEventId``:
the first state of a Parallel branch or Map iteration follows ``ParallelStateStarted`` or
``MapIterationStarted`` (its parent is that state), any other state follows the last event of
its predecessor (same parent).  Top-level states are steps; a pipeline may name its steps
instead (``step_names``), wherever they are nested.  Task events carry no state name: they
belong to the state whose chain of ``previousEventId`` they continue.
https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
"""

from __future__ import annotations

from emulator.runviews.projector import Projector
from emulator.runviews.reading import all_events, describe, project, read_run, tail
from emulator.runviews.views import (
    RUN_STATUS,
    STEP_STATUSES,
    TERMINAL,
    Change,
    RunView,
    StepView,
    iso,
    parse_json,
)

__all__ = [
    "RUN_STATUS",
    "STEP_STATUSES",
    "TERMINAL",
    "Change",
    "Projector",
    "RunView",
    "StepView",
    "all_events",
    "describe",
    "iso",
    "parse_json",
    "project",
    "read_run",
    "tail",
]
