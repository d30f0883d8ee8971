"""Outbound webhooks: a run that finishes is POSTed, signed, to each ``output.deliver`` target
of type ``webhook``.

- When: the runner calls :meth:`Deliveries.finished` after it commits an execution's end; on
  start-up, runs that finished while nothing listened (the process stopped first) are planned
  too.  Planning writes one ``deliveries`` row per target in the same transaction as the run's
  ``delivered_stop``, so each finish is planned once.
- What: ``pipeline.run.completed`` for a completed run; ``pipeline.run.failed`` for a failed or
  cancelled one, only to targets that ask for it (``events: [pipeline.run.failed]``).
- How: up to 4 attempts, 1/2/4 s apart on the emulator's clock, 10 s timeout each; network
  errors, timeouts and statuses other than 2xx/4xx are retried, a 4xx stops.  Every attempt is
  recorded in ``delivery_attempts``.  A target naming a signing secret the user does not have
  is not sent unsigned: the delivery fails with a clear error.

The worker is a participant of the clock: a virtual clock that advances fires the attempts
due on the way, as it fires the runner's timers.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
import sqlalchemy as sa

from emulator.pipelines import delivery_records
from emulator.pipelines import webhook_signing as signing
from emulator.pipelines.records import iso
from emulator.pipelines.service_errors import Conflict, NotFound
from emulator.sfn.context import aware
from emulator.store import execution_rows
from emulator.store.schema import executions
from emulator.store.schema_pipelines import deliveries, delivery_attempts, pipelines, runs

if TYPE_CHECKING:
    from emulator.pipelines.service import Pipelines, SecretLookup

log = logging.getLogger("stepline.deliveries")

MAX_ATTEMPTS = 4
TIMEOUT_SECONDS = 10.0


def backoff(attempt: int) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1-based): 1, 2, 4."""
    return float(2 ** (attempt - 1))


class Deliveries:
    def __init__(self, pipelines: Pipelines, secret_lookup: SecretLookup | None) -> None:
        self.p = pipelines
        self.secret_lookup = secret_lookup
        self._due: dict[str, datetime] = {}
        self._inflight: dict[str, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._loop: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._unlisten: Any = None

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        service = self.p.services.executions
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS))
        self._unlisten = service.on_finish(self.finished)
        service.clock.register(self)
        self.recover()
        self._loop = asyncio.create_task(self._run(), name="stepline-deliveries")

    async def stop(self) -> None:
        if self._unlisten is not None:
            self._unlisten()
        self.p.services.executions.clock.unregister(self)
        tasks = [t for t in (self._loop, *self._inflight.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()

    def recover(self) -> None:
        """Plan the runs that finished unplanned; queue the deliveries still pending."""
        with self.p.services.db.begin() as conn:
            finished = conn.execute(
                sa.select(runs.c.execution_arn)
                .select_from(runs.join(
                    executions, executions.c.arn == runs.c.execution_arn
                ))
                .where(executions.c.status != "RUNNING")
                .where(sa.or_(
                    runs.c.delivered_stop.is_(None),
                    runs.c.delivered_stop != executions.c.stop_date,
                ))
            ).all()  # fmt: skip
        for row in finished:
            self.plan(row.execution_arn)
        with self.p.services.db.begin() as conn:
            pending = conn.execute(
                sa.select(deliveries.c.id, deliveries.c.next_attempt_at).where(
                    deliveries.c.status == "pending"
                )
            ).all()
        for row in pending:
            self._queue(row.id, _aware(row.next_attempt_at) or self.p.now())

    # ------------------------------------------------------------------ planning

    def finished(self, arn: str, finish: execution_rows.Finish) -> None:
        """The runner's finish listener: plan soon, outside the runner's step."""
        asyncio.get_running_loop().call_soon(self._plan_safely, arn)

    def _plan_safely(self, arn: str) -> None:
        try:
            self.plan(arn)
        except Exception:
            log.exception("planning the deliveries of %s failed", arn)

    def plan(self, execution_arn: str) -> list[str]:
        """Write the deliveries of a finished run once; returns the new delivery ids."""
        run = self.p.queries.by_execution(execution_arn)
        if run is None or run.x_status in (None, "RUNNING"):
            return []
        event = signing.COMPLETED if run.x_status == "SUCCEEDED" else signing.FAILED
        targets = self._targets(run.pipeline_id, run.pipeline_version)
        now = self.p.now()
        created: list[str] = []
        with self.p.services.db.begin() as conn:
            current = conn.execute(
                sa.select(runs.c.delivered_stop).where(runs.c.id == run.id)
            ).scalar()
            if current is not None and _aware(current) == _aware(run.x_stop):
                return []
            conn.execute(runs.update().where(runs.c.id == run.id).values(delivered_stop=run.x_stop))
            for index, target in enumerate(targets):
                if event not in target["events"]:
                    continue
                delivery_id = str(uuid.uuid4())
                conn.execute(
                    deliveries.insert().values(
                        id=delivery_id,
                        run_id=run.id,
                        target_index=index,
                        event=event,
                        url=target["url"],
                        method=target["method"],
                        signing_secret_name=target["signing_secret_name"],
                        status="pending",
                        attempts=0,
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
                created.append(delivery_id)
        for delivery_id in created:
            self._queue(delivery_id, now)
        return created

    def _targets(self, pipeline_id: str, version: int) -> list[dict[str, Any]]:
        return delivery_records.targets(self.p.pipeline_model(pipeline_id, version))

    # ------------------------------------------------------------------ the worker

    def _queue(self, delivery_id: str, due: datetime) -> None:
        self._due[delivery_id] = due
        self._wake.set()

    def next_due(self) -> datetime | None:
        return min(self._due.values()) if self._due else None

    def clock_moved(self) -> None:
        self._wake.set()

    async def settle(self, deadline: float) -> None:
        """Wait until the attempts due now have been made (at most until ``deadline``)."""
        while time.monotonic() < deadline:
            now = self.p.now()
            if not self._inflight and not any(due <= now for due in self._due.values()):
                return
            self._wake.set()
            await asyncio.sleep(0.01)

    async def _run(self) -> None:
        clock = self.p.services.executions.clock
        while True:
            self._wake.clear()
            now = self.p.now()
            for delivery_id, due in list(self._due.items()):
                if due <= now and delivery_id not in self._inflight:
                    del self._due[delivery_id]
                    task = asyncio.create_task(self._attempt_safely(delivery_id))
                    self._inflight[delivery_id] = task
                    task.add_done_callback(functools.partial(self._done, delivery_id))
            await clock.sleep_until(self.next_due(), self._wake, lambda: False)

    def _done(self, delivery_id: str, _task: asyncio.Task[None]) -> None:
        self._inflight.pop(delivery_id, None)
        self._wake.set()

    async def _attempt_safely(self, delivery_id: str) -> None:
        try:
            await self.attempt(delivery_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("delivery %s failed unexpectedly", delivery_id)

    async def attempt(self, delivery_id: str) -> None:
        """Make the next attempt of one delivery and record it."""
        with self.p.services.db.begin() as conn:
            delivery = conn.execute(
                sa.select(deliveries).where(deliveries.c.id == delivery_id)
            ).first()
            if delivery is None or delivery.status != "pending":
                return
            # Claim this attempt: another process sharing the database that knows the
            # delivery (it planned or recovered it too) finds the attempt count moved on.
            claimed = conn.execute(
                deliveries.update()
                .where(
                    deliveries.c.id == delivery_id,
                    deliveries.c.status == "pending",
                    deliveries.c.attempts == delivery.attempts,
                )
                .values(attempts=delivery.attempts + 1)
            ).rowcount
        if claimed != 1:
            return
        run = self.p.queries.by_execution(self._execution_of(delivery.run_id))
        attempt = delivery.attempts + 1
        started = self.p.now()
        began = time.monotonic()
        status_code: int | None = None
        error: str | None = None
        secret: str | None = None
        if delivery.signing_secret_name:
            secret = self._secret(run.user_id, delivery.signing_secret_name, run.pipeline_id)
        if delivery.signing_secret_name and secret is None:
            error = (
                f"The signing secret {delivery.signing_secret_name!r} is not set for this user; "
                "the delivery was not sent unsigned"
            )
            final = True
        else:
            timestamp = int(started.timestamp())
            body = signing.body_of(self._envelope(run, delivery.event, attempt, started))
            headers = signing.headers(delivery.event, timestamp, body, secret)
            assert self._session is not None
            try:
                async with self._session.request(
                    delivery.method,
                    delivery.url,
                    data=None if delivery.method == "GET" else body,
                    headers=headers,
                    allow_redirects=False,
                ) as response:
                    status_code = response.status
                    await response.read()
                if not 200 <= status_code < 300:
                    error = f"HTTP {status_code}"
            except TimeoutError:
                error = f"Timed out after {TIMEOUT_SECONDS:g} s"
            except (aiohttp.ClientError, OSError, ValueError) as exc:
                error = f"{type(exc).__name__}: {exc}"
            final = error is None or (status_code is not None and 400 <= status_code < 500)
        duration_ms = int((time.monotonic() - began) * 1000)
        final = final or attempt >= MAX_ATTEMPTS
        now = self.p.now()
        status = "succeeded" if error is None else ("failed" if final else "pending")
        next_at = None if final else now + timedelta(seconds=backoff(attempt))
        with self.p.services.db.begin() as conn:
            conn.execute(
                delivery_attempts.insert().values(
                    delivery_id=delivery_id,
                    attempt=attempt,
                    status_code=status_code,
                    error=error,
                    duration_ms=duration_ms,
                    started_at=started,
                    completed_at=now,
                )
            )
            conn.execute(
                deliveries.update()
                .where(deliveries.c.id == delivery_id)
                .values(
                    status=status,
                    attempts=attempt,
                    next_attempt_at=next_at,
                    last_error=error,
                    completed_at=now if final else None,
                )
            )
        if next_at is not None:
            self._queue(delivery_id, next_at)

    def _execution_of(self, run_id: str) -> str:
        with self.p.services.db.begin() as conn:
            arn: str = conn.execute(
                sa.select(runs.c.execution_arn).where(runs.c.id == run_id)
            ).scalar_one()
        return arn

    def _secret(self, user_id: str, name: str, pipeline_id: str) -> str | None:
        if self.secret_lookup is None:
            return None
        return self.secret_lookup(user_id, name, pipeline_id)

    def _envelope(self, run: Any, event: str, attempt: int, now: datetime) -> dict[str, Any]:
        rendered = self.p.queries.render(run)
        with self.p.services.db.begin() as conn:
            name = conn.execute(
                sa.select(pipelines.c.name).where(pipelines.c.id == run.pipeline_id)
            ).scalar()
        run_part: dict[str, Any] = {
            "id": run.id,
            "status": rendered["status"],
            "trigger_type": run.trigger_type,
            "started_at": rendered["started_at"],
            "completed_at": rendered["completed_at"],
        }
        if event == signing.FAILED:
            run_part["error"] = rendered["error"]
        return {
            "event": event,
            "pipeline": {"id": run.pipeline_id, "version": run.pipeline_version, "name": name},
            "run": run_part,
            "input": rendered["input_data"],
            "output": rendered["output_data"],
            "meta": {"sent_at": iso(now), "attempt": attempt},
        }

    def redeliver(self, run_id: str, delivery_id: str) -> str:
        """Send a settled delivery again, as a new delivery (its own attempts, from 1)."""
        now = self.p.now()
        with self.p.services.db.begin() as conn:
            row = conn.execute(
                sa.select(deliveries).where(
                    deliveries.c.id == delivery_id, deliveries.c.run_id == run_id
                )
            ).first()
            if row is None:
                raise NotFound("Delivery not found", "DELIVERY_NOT_FOUND")
            if row.status == "pending":
                raise Conflict(
                    "The delivery is still being attempted", "DELIVERY_PENDING",
                    details={"next_attempt_at": iso(row.next_attempt_at)},
                )  # fmt: skip
            new_id = str(uuid.uuid4())
            conn.execute(
                deliveries.insert().values(
                    id=new_id,
                    run_id=run_id,
                    target_index=row.target_index,
                    event=row.event,
                    url=row.url,
                    method=row.method,
                    signing_secret_name=row.signing_secret_name,
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
        self._queue(new_id, now)
        return new_id

    # ------------------------------------------------------------------ reading

    def for_run(self, run_id: str) -> list[dict[str, Any]]:
        with self.p.services.db.begin() as conn:
            return delivery_records.for_run(conn, run_id)


def _aware(value: datetime | None) -> datetime | None:
    result: datetime | None = aware(value)  # SQLite gives naive datetimes back
    return result
