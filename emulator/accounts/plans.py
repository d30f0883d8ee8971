"""Plans: stepIQ's ``PLAN_LIMITS`` table and the checks that enforce it.

    limits = limits_of(user.plan)                  # PlanLimits of free|starter|pro|enterprise
    check_pipeline_count(plan, active_pipelines)   # raises PlanLimitExceeded (PLAN_MAX_PIPELINES)
    check_trigger(plan, trigger_type, runs_today, credits_remaining)

The table is stepIQ's (``packages/core/src/constants.ts``, see the reference §1.3); ``-1``
means unlimited.  Each refusal is a ``PlanLimitExceeded`` carrying stepIQ's code
(``PLAN_MAX_PIPELINES``, ``PLAN_MAX_STEPS``, ``PLAN_MAX_RUNS_PER_DAY``,
``PLAN_CREDITS_EXHAUSTED``, ``PLAN_CRON_DISABLED``, ``PLAN_WEBHOOKS_DISABLED``,
``PLAN_API_DISABLED``) and ``details`` naming the plan, the limit and the value that hit it.

Credits: a run costs ``ceil(tokens / 1000)`` credits (stepIQ's ``legacy`` mode); what is left
is the plan's credits minus what every run of the user used (``RunQueries.usage``).  Only a
plan without overage stops at zero (free: "0 (hard stop)"); starter and pro bill overage
(1 and 0.8 cents a credit) and enterprise has no credit cap, so they are never stopped here.
stepIQ sends out-of-credit starter/pro users to their own provider keys (``PLAN_BYOK_REQUIRED``);
Stepline's model calls use the pipeline's own ``provider`` settings, so that mode does not apply.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Any

from emulator.accounts.errors import AccountsError, invalid

PLANS = ("free", "starter", "pro", "enterprise")
UNLIMITED = -1
TOKENS_PER_CREDIT = 1000  # stepIQ's TOKENS_PER_CREDIT (legacy credits: ceil(tokens / 1000))
DEFAULT_PLAN_ENV = "STEPLINE_DEFAULT_PLAN"
# New users get stepIQ's default plan, free, unless STEPLINE_DEFAULT_PLAN names another: a
# local server then refuses what stepIQ's production refuses (no surprise on deployment), and
# one environment variable (or PUT /api/user/plan under STEPLINE_DEV=1) lifts the limits.
STEPIQ_DEFAULT_PLAN = "free"


@dataclass(frozen=True)
class PlanLimits:
    plan: str
    credits: int
    runs_per_day: int
    max_pipelines: int
    max_steps: int
    agent_max_turns: int
    agent_max_duration_seconds: int
    agent_max_tool_calls: int
    agent_tool_fee_cents: int
    cron_enabled: bool
    webhooks_enabled: bool
    api_enabled: bool
    overage_per_credit_cents: float

    @property
    def hard_stop(self) -> bool:
        """Runs stop when the credits are gone (a plan with credits and no overage)."""
        return self.credits != UNLIMITED and self.overage_per_credit_cents == 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


PLAN_LIMITS: dict[str, PlanLimits] = {
    "free": PlanLimits("free", 100, 10, 3, 5, 3, 120, 1, 3, False, False, False, 0),
    "starter": PlanLimits("starter", 2000, 100, 10, 10, 8, 180, 3, 2, True, True, True, 1),
    "pro": PlanLimits("pro", 8000, 500, UNLIMITED, 20, 20, 240, 10, 1, True, True, True, 0.8),
    "enterprise": PlanLimits(
        "enterprise", UNLIMITED, UNLIMITED, UNLIMITED, 50, 20, 500, 10, 0, True, True, True, 0
    ),
}


class PlanLimitExceeded(AccountsError):
    """The user's plan does not allow the request (stepIQ: HTTP 403 ``{error, code, details}``)."""

    code = "PLAN_LIMIT"

    def __init__(self, message: str, code: str, details: dict[str, Any]) -> None:
        super().__init__(message)
        self.code = code
        self.details = details


def check_plan(plan: object) -> str:
    if not isinstance(plan, str) or plan not in PLAN_LIMITS:
        raise invalid("plan", f"must be one of {', '.join(PLANS)}")
    return plan


def default_plan() -> str:
    """The plan of a newly registered user: ``STEPLINE_DEFAULT_PLAN``, else free."""
    value = os.environ.get(DEFAULT_PLAN_ENV, "").strip().lower()
    if not value:
        return STEPIQ_DEFAULT_PLAN
    if value not in PLAN_LIMITS:
        raise ValueError(f"{DEFAULT_PLAN_ENV} must be one of {', '.join(PLANS)}, not {value!r}")
    return value


def limits_of(plan: str | None) -> PlanLimits:
    """A plan's limits; an unknown plan name (an old row) is treated as free."""
    return PLAN_LIMITS.get(plan or STEPIQ_DEFAULT_PLAN, PLAN_LIMITS[STEPIQ_DEFAULT_PLAN])


def credits_of(tokens: int) -> int:
    """The credits one run's tokens cost (stepIQ's legacy deduction)."""
    return -(-tokens // TOKENS_PER_CREDIT)


def _exceeded(message: str, code: str, limits: PlanLimits, **details: Any) -> PlanLimitExceeded:
    return PlanLimitExceeded(message, code, {"plan": limits.plan, **details})


def check_pipeline_count(plan: str | None, existing: int) -> None:
    """Before creating a pipeline: ``existing`` active pipelines already."""
    limits = limits_of(plan)
    if limits.max_pipelines != UNLIMITED and existing >= limits.max_pipelines:
        raise _exceeded(
            f"Plan limit reached: the {limits.plan} plan allows {limits.max_pipelines} pipelines",
            "PLAN_MAX_PIPELINES", limits, limit=limits.max_pipelines, current=existing,
        )  # fmt: skip


def check_step_count(plan: str | None, steps: int) -> None:
    """A definition's top-level steps, as stepIQ counts them."""
    limits = limits_of(plan)
    if steps > limits.max_steps:
        raise _exceeded(
            f"Plan limit reached: the {limits.plan} plan allows {limits.max_steps} steps "
            f"per pipeline, this one has {steps}",
            "PLAN_MAX_STEPS", limits, limit=limits.max_steps, current=steps,
        )  # fmt: skip


def require_cron(plan: str | None) -> None:
    limits = limits_of(plan)
    if not limits.cron_enabled:
        raise _exceeded(
            f"Scheduled runs (cron) are not available on the {limits.plan} plan",
            "PLAN_CRON_DISABLED", limits,
        )  # fmt: skip


def require_webhooks(plan: str | None) -> None:
    limits = limits_of(plan)
    if not limits.webhooks_enabled:
        raise _exceeded(
            f"Webhooks are not available on the {limits.plan} plan",
            "PLAN_WEBHOOKS_DISABLED", limits,
        )  # fmt: skip


def require_api(plan: str | None) -> None:
    limits = limits_of(plan)
    if not limits.api_enabled:
        raise _exceeded(
            f"API access (API keys) is not available on the {limits.plan} plan",
            "PLAN_API_DISABLED", limits,
        )  # fmt: skip


def check_runs_today(plan: str | None, runs_today: int) -> None:
    limits = limits_of(plan)
    if limits.runs_per_day != UNLIMITED and runs_today >= limits.runs_per_day:
        raise _exceeded(
            f"Plan limit reached: the {limits.plan} plan allows {limits.runs_per_day} runs "
            "per day (UTC)",
            "PLAN_MAX_RUNS_PER_DAY", limits, limit=limits.runs_per_day, current=runs_today,
        )  # fmt: skip


def check_credits(plan: str | None, credits_remaining: int) -> None:
    limits = limits_of(plan)
    if limits.hard_stop and credits_remaining <= 0:
        raise _exceeded(
            f"No credits left on the {limits.plan} plan",
            "PLAN_CREDITS_EXHAUSTED", limits,
            credits=limits.credits, credits_remaining=credits_remaining,
        )  # fmt: skip


def check_trigger(plan: str | None, trigger_type: str, runs_today: int, credits_left: int) -> None:
    """Before a new run: the trigger's feature, then the daily runs, then the credits (the
    order of stepIQ's checks: cron and the API key's plan first, then the daily limit and
    the funding)."""
    if trigger_type == "cron":
        require_cron(plan)
    elif trigger_type == "webhook":
        # stepIQ's webhook route checks the plan's api_enabled (the route takes API keys
        # only): PLAN_API_DISABLED.  webhooks_enabled is checked too; the table enables both
        # on the same plans.
        require_api(plan)
        require_webhooks(plan)
    check_runs_today(plan, runs_today)
    check_credits(plan, credits_left)
