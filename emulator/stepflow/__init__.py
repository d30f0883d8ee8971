"""The Stepflow surface's emulator side: runs (an execution each, with a public access token)
and events that resume waiting executions.

    runs = StepflowRuns(services)
    started = await runs.trigger("welcome-user", {"userId": "1"}, user_id=None)
    run = runs.get(started.run_id)                       # a StepflowRun row, or None
    runs.token_allows(run, "pat_…")                      # the run's own, unexpired token?
    resumed = await notify(services, "payment-42", {"status": "paid"})   # executions resumed

Errors (``StepflowError`` with a ``code`` the API maps to an HTTP status): WORKFLOW_NOT_FOUND,
RUN_NOT_FOUND, EVENT_NOT_FOUND, INVALID_INPUT.
"""

from __future__ import annotations

from emulator.stepflow.errors import StepflowError
from emulator.stepflow.events import notify
from emulator.stepflow.runs import PAT_TTL, StepflowRun, StepflowRuns, Triggered

__all__ = ["PAT_TTL", "StepflowError", "StepflowRun", "StepflowRuns", "Triggered", "notify"]
