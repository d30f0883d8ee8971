"""Carrying out a committed step's InvokeTask effects: a mocked answer, a nested execution
started on this emulator (emulator.integrations.states), an activity queued for its workers,
or a local handler called in a worker thread.  Each answer comes back to the runner as an
outcome, through :meth:`Runner.deliver`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

import asl
from emulator.activities import is_activity
from emulator.handlers import invoke
from emulator.integrations import sfn_local
from emulator.integrations.states import pattern_of

if TYPE_CHECKING:
    from emulator.executions import Executions
    from emulator.integrations.states import NestedExecutions
    from emulator.runner import Runner

log = logging.getLogger("stepline.runner")


class TaskDispatch:
    """The task side of a :class:`emulator.runner.Runner`: it counts the tasks in flight (the
    virtual clock waits for them) and hands every answer back to the runner."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.inflight = 0
        self.tasks: set[asyncio.Task[Any]] = set()

    def dispatch(self, arn: str, effect: asl.InvokeTask) -> None:
        if self._mocked(arn, effect):
            return
        nested = self.runner.nested
        resource = effect.resource
        if nested is not None and pattern_of(resource) and resource not in self.runner.handlers:
            # Nested executions need the runner: answered on the loop, not in a thread (a
            # local handler registered for the resource still wins, as everywhere).
            self._track(self._nested(nested, arn, effect))
            return
        if (
            nested is not None
            and sfn_local.answers_locally(resource)
            and resource not in self.runner.handlers
        ):
            # aws-sdk:sfn without a Step Functions endpoint: this emulator's own API.
            self._track(self._sdk_sfn(nested.executions, arn, effect))
            return
        if is_activity(effect.resource):
            self.offer_activity(arn, effect)
            return
        self._track(self._invoke(arn, effect))

    def _track(self, work: Coroutine[Any, Any, None]) -> None:
        self.inflight += 1
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _nested(self, nested: NestedExecutions, arn: str, effect: asl.InvokeTask) -> None:
        try:
            await nested.start(arn, effect)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("starting a nested execution for %s failed", arn)
        finally:
            self._done()

    async def _sdk_sfn(self, executions: Executions, arn: str, effect: asl.InvokeTask) -> None:
        """aws-sdk:sfn answered by this emulator's own API (emulator.integrations.sfn_local)."""
        try:
            outcome = await sfn_local.call(executions, arn, effect)
            self.runner.deliver(arn, outcome)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("an aws-sdk:sfn call of %s failed", arn)
        finally:
            self._done()

    def offer_activity(self, arn: str, effect: asl.InvokeTask) -> None:
        """Activity tasks wait in the queue for a worker's GetActivityTask (emulator.activities)."""
        try:
            self.runner.activities.offer(arn, effect)
        except SQLAlchemyError:
            # The pending task is committed: offered again when the execution is reloaded.
            log.exception("could not offer an activity task of %s", arn)
            self.runner._drop(arn)
            self.runner._reload.add(arn)

    async def _invoke(self, arn: str, effect: asl.InvokeTask) -> None:
        try:
            started = self.runner.clock.now()
            at, outcome = await asyncio.to_thread(
                invoke, effect, self.runner.handlers, started, arn
            )
            delay = at - started
            if delay > timedelta(0):
                self.runner._timers.add_outcome(arn, outcome, self.runner.clock.now() + delay)
                self.runner._wake.set()
            else:
                self.runner.deliver(arn, outcome)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("dispatching a task of %s failed", arn)
        finally:
            self._done()

    def _done(self) -> None:
        self.inflight -= 1
        if self.inflight == 0:
            self.runner._wake.set()
        self.runner._resolve_settlers()

    def _mocked(self, arn: str, effect: asl.InvokeTask) -> bool:
        """Answer the task from the execution's mock test case, if it mocks the state.
        The answer is delivered on the next loop turn, as a task's would be."""
        live = self.runner.live.get(arn)
        outcomes = live.mock.answer(effect) if live is not None and live.mock is not None else None
        if outcomes is None:
            return False
        self.inflight += 1
        asyncio.get_running_loop().call_soon(self._deliver_mocked, arn, outcomes)
        return True

    def _deliver_mocked(self, arn: str, outcomes: tuple[asl.Outcome, ...]) -> None:
        try:
            for outcome in outcomes:
                self.runner.deliver(arn, outcome)
        except Exception:
            log.exception("delivering a mocked answer to %s failed", arn)
        finally:
            self.inflight -= 1
            if self.inflight == 0:
                self.runner._wake.set()
            self.runner._resolve_settlers()
