"""Reading runs from the store: DescribeExecution and the history, projected; the tail of
new events for streams."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from emulator.runviews.projector import Projector
from emulator.runviews.views import RUN_STATUS, RunView, parse_json

if TYPE_CHECKING:
    from emulator.sfn.context import Services


def project(
    history_events: Iterable[Mapping[str, Any]],
    describe: Mapping[str, Any],
    *,
    step_names: Sequence[str] | None = None,
) -> RunView:
    """The run view of an execution: ``describe`` as DescribeExecution returns it, its
    history events as GetExecutionHistory returns them (oldest first).  The status, output,
    error and stop date come from ``describe``, which is authoritative."""
    projector = Projector(describe, step_names=step_names)
    projector.feed_all(history_events)
    view = projector.view()
    status = describe.get("status")
    if isinstance(status, str) and status in RUN_STATUS:
        view.status = RUN_STATUS[status]
        if view.status == "completed" and "output" in describe:
            view.output = parse_json(describe["output"])
        if describe.get("error") is not None:
            view.error = describe["error"]
        if describe.get("cause") is not None:
            view.cause = describe["cause"]
        if describe.get("stopDate") is not None:
            view.completed_at = describe["stopDate"]
    return view


_PAGE = 1000


def tail(
    services: Services, execution_arn: str, after_id: int = 0, limit: int = _PAGE
) -> list[dict[str, Any]]:
    """The history events committed after event ``after_id`` (at most ``limit``), oldest first."""
    events: list[dict[str, Any]] = services.executions.history(
        execution_arn, start=after_id, limit=limit
    )
    return events


def all_events(services: Services, execution_arn: str, after_id: int = 0) -> list[dict[str, Any]]:
    """Every history event committed after ``after_id``, read page by page."""
    events: list[dict[str, Any]] = []
    while True:
        page = tail(services, execution_arn, after_id)
        events.extend(page)
        if len(page) < _PAGE:
            return events
        after_id = int(page[-1]["id"])


def describe(services: Services, execution_arn: str) -> dict[str, Any] | None:
    """DescribeExecution's answer for ``execution_arn``, or None if there is no such execution."""
    from emulator.sfn import OPERATIONS, Caller, SfnError

    parts = execution_arn.split(":")
    caller = Caller(
        parts[3] if len(parts) > 4 else services.default_region,
        parts[4] if len(parts) > 4 else services.account,
    )
    try:
        result = OPERATIONS["DescribeExecution"](services, caller, {"executionArn": execution_arn})
    except SfnError:
        return None
    assert isinstance(result, dict)
    return result


def read_run(
    services: Services, execution_arn: str, *, step_names: Sequence[str] | None = None
) -> RunView | None:
    """The run view of a stored execution (None if there is none): one DescribeExecution and
    one pass over its history."""
    described = describe(services, execution_arn)
    if described is None:
        return None
    return project(all_events(services, execution_arn), described, step_names=step_names)
