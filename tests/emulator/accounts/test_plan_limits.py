"""stepIQ's PLAN_LIMITS table and its checks (``emulator.accounts.plans``); the users' plans."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from emulator.accounts import Accounts, InvalidRequest, PlanLimitExceeded, plans
from emulator.clock import VirtualClock
from emulator.store.db import Database


def _code(excinfo: pytest.ExceptionInfo[PlanLimitExceeded]) -> str:
    return excinfo.value.code


def test_the_table_is_stepiqs() -> None:
    # Reference §1.3 (PLAN_LIMITS in stepIQ's packages/core/src/constants.ts).
    rows = {
        name: (
            p.credits, p.runs_per_day, p.max_pipelines, p.max_steps, p.agent_max_turns,
            p.agent_max_duration_seconds, p.agent_max_tool_calls, p.agent_tool_fee_cents,
            p.cron_enabled, p.webhooks_enabled, p.api_enabled, p.overage_per_credit_cents,
        )
        for name, p in plans.PLAN_LIMITS.items()
    }  # fmt: skip
    assert rows == {
        "free": (100, 10, 3, 5, 3, 120, 1, 3, False, False, False, 0),
        "starter": (2000, 100, 10, 10, 8, 180, 3, 2, True, True, True, 1),
        "pro": (8000, 500, -1, 20, 20, 240, 10, 1, True, True, True, 0.8),
        "enterprise": (-1, -1, -1, 50, 20, 500, 10, 0, True, True, True, 0),
    }
    assert [p for p in plans.PLANS if plans.limits_of(p).hard_stop] == ["free"]
    assert plans.limits_of("unknown").plan == "free"


def test_credits_are_ceil_of_thousands_of_tokens() -> None:
    assert [plans.credits_of(t) for t in (0, 1, 999, 1000, 1001, 120_000)] == [0, 1, 1, 1, 2, 120]


def test_the_default_plan_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(plans.DEFAULT_PLAN_ENV, raising=False)
    assert plans.default_plan() == "free"
    monkeypatch.setenv(plans.DEFAULT_PLAN_ENV, " Pro ")
    assert plans.default_plan() == "pro"
    monkeypatch.setenv(plans.DEFAULT_PLAN_ENV, "gold")
    with pytest.raises(ValueError, match="STEPLINE_DEFAULT_PLAN"):
        plans.default_plan()


def test_limits_and_their_codes() -> None:
    plans.check_pipeline_count("free", 2)
    with pytest.raises(PlanLimitExceeded) as refused:
        plans.check_pipeline_count("free", 3)
    assert _code(refused) == "PLAN_MAX_PIPELINES"
    assert refused.value.details == {"plan": "free", "limit": 3, "current": 3}
    plans.check_pipeline_count("pro", 10_000)  # unlimited
    plans.check_step_count("starter", 10)
    with pytest.raises(PlanLimitExceeded) as refused:
        plans.check_step_count("starter", 11)
    assert _code(refused) == "PLAN_MAX_STEPS"
    plans.check_runs_today("enterprise", 10**6)
    with pytest.raises(PlanLimitExceeded) as refused:
        plans.check_runs_today("pro", 500)
    assert _code(refused) == "PLAN_MAX_RUNS_PER_DAY"
    plans.check_credits("starter", 0)  # overage, no hard stop
    plans.check_credits("enterprise", -1)  # unlimited
    with pytest.raises(PlanLimitExceeded) as refused:
        plans.check_credits("free", 0)
    assert _code(refused) == "PLAN_CREDITS_EXHAUSTED"


def test_a_trigger_checks_its_feature_before_the_counts() -> None:
    for trigger, code in (("cron", "PLAN_CRON_DISABLED"), ("webhook", "PLAN_API_DISABLED"),
                          ("manual", "PLAN_MAX_RUNS_PER_DAY")):  # fmt: skip
        with pytest.raises(PlanLimitExceeded) as refused:
            plans.check_trigger("free", trigger, 10, 0)
        assert _code(refused) == code
    with pytest.raises(PlanLimitExceeded) as refused:
        plans.check_trigger("free", "retry", 9, 0)
    assert _code(refused) == "PLAN_CREDITS_EXHAUSTED"
    plans.check_trigger("free", "manual", 9, 1)
    plans.check_trigger("starter", "webhook", 99, 0)


def test_users_get_the_default_plan_and_can_change_it() -> None:
    clock = VirtualClock(datetime(2026, 1, 1, tzinfo=UTC))
    accounts = Accounts(Database("sqlite://"), clock, bytes(range(32)))
    user = accounts.register("a@example.org", "password-1").user
    assert user.plan == "free"
    with pytest.raises(PlanLimitExceeded) as refused:
        accounts.create_api_key(user.id, "k")
    assert _code(refused) == "PLAN_API_DISABLED"
    with pytest.raises(PlanLimitExceeded):
        accounts.list_api_keys(user.id)
    assert accounts.set_plan(user.id, "starter").plan == "starter"
    assert accounts.plan_of(user.id) == "starter"
    key, _ = accounts.create_api_key(user.id, "k")
    assert [k.id for k in accounts.list_api_keys(user.id)] == [key.id]
    with pytest.raises(InvalidRequest):
        accounts.set_plan(user.id, "gold")
    pro = Accounts(Database("sqlite://"), clock, bytes(range(32)), default_plan="pro")
    assert pro.register("b@example.org", "password-1").user.plan == "pro"
