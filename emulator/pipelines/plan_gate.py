"""The plan gate: where pipelines and runs meet the owner's plan (``emulator.accounts.plans``).

    gate = PlanGate(pipelines, plan_of)     # plan_of(user_id) -> "free" | "starter" | ...
    gate.new_pipeline(user_id)              # PLAN_MAX_PIPELINES
    gate.definition(user_id, pipeline)      # PLAN_MAX_STEPS, PLAN_CRON_DISABLED, PLAN_WEBHOOKS_DISABLED
    gate.new_run(user_id, trigger_type)     # PLAN_CRON_DISABLED, PLAN_API_DISABLED,
                                            # PLAN_MAX_RUNS_PER_DAY, PLAN_CREDITS_EXHAUSTED
    gate.resumed_run(user_id)               # PLAN_CREDITS_EXHAUSTED (a redrive)

Every check re-reads the plan (as stepIQ's plan checks re-read the user row, never the JWT).

- Pipelines: the active ones count (an archived pipeline takes no runs; stepIQ deletes).
- Steps: the top-level steps count, as stepIQ's ``steps.length`` check; nested steps are
  bounded by the definition's own limit (50, stepIQ's enterprise cap).
- A definition's ``schedule`` is a cron trigger: on a plan without cron the definition is
  refused (PLAN_CRON_DISABLED), as creating the same schedule through the API would be.
- ``output.deliver`` and ``notifications`` webhook targets are outbound webhooks:
  refused without webhooks (PLAN_WEBHOOKS_DISABLED).
- Runs per day: the runs created since 00:00 UTC of the server's clock, of every trigger
  (manual, api, webhook, cron, retry).  A redrive resumes a run rather than creating one: it
  does not count, but it spends credits, so it is refused without them.
- The counts are read before the run or pipeline is written: two requests racing at the
  limit may both pass it.
- A pipeline saved before a downgrade keeps its versions; its cron firings are then skipped
  (the plan check fails and the schedule records it as ``last_error``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from emulator.accounts import plans
from emulator.store.schema_pipelines import pipelines

if TYPE_CHECKING:
    from emulator.pipelines.service import Pipelines

PlanOf = Callable[[str], str]


def webhook_targets(pipeline: Any) -> list[str]:
    """Where the definition sends outbound webhooks (JSON-pointer-like field names)."""
    found = [
        f"output.deliver[{index}]"
        for index, target in enumerate(pipeline.output.deliver if pipeline.output else ())
        if target.type == "webhook"
    ]
    notifications = pipeline.notifications
    for when in ("on_success", "on_failure"):
        for index, note in enumerate(getattr(notifications, when, None) or ()):
            if note.type == "webhook":
                found.append(f"notifications.{when}[{index}]")
    return found


class PlanGate:
    def __init__(self, pipelines_service: Pipelines, plan_of: PlanOf) -> None:
        self.p = pipelines_service
        self.plan_of = plan_of

    def limits(self, user_id: str) -> plans.PlanLimits:
        return plans.limits_of(self.plan_of(user_id))

    def new_pipeline(self, user_id: str) -> None:
        with self.p.services.db.begin() as conn:
            active = conn.execute(
                sa.select(sa.func.count())
                .select_from(pipelines)
                .where(pipelines.c.user_id == user_id, pipelines.c.status == "active")
            ).scalar_one()
        plans.check_pipeline_count(self.plan_of(user_id), int(active))

    def definition(self, user_id: str, pipeline: Any) -> None:
        plan = self.plan_of(user_id)
        plans.check_step_count(plan, len(pipeline.steps))
        if pipeline.schedule is not None:
            plans.require_cron(plan)
        targets = webhook_targets(pipeline)
        if targets:
            try:
                plans.require_webhooks(plan)
            except plans.PlanLimitExceeded as refused:
                refused.details["fields"] = targets
                raise

    def new_run(self, user_id: str, trigger_type: str) -> None:
        plan = self.plan_of(user_id)
        usage = self.p.queries.usage(user_id, plans.limits_of(plan).credits)
        plans.check_trigger(plan, trigger_type, usage["runs_today"], usage["credits_remaining"])

    def resumed_run(self, user_id: str) -> None:
        plan = self.plan_of(user_id)
        usage = self.p.queries.usage(user_id, plans.limits_of(plan).credits)
        plans.check_credits(plan, usage["credits_remaining"])
