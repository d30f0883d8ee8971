"""Service integrations: the Task resources that services answer
(``arn:aws:states:::SERVICE:ACTION[.waitForTaskToken|.sync]``, ``arn:aws:states:::aws-sdk:…``,
``arn:aws:states:::http:invoke`` and Stepline's own resources).

Each integration module registers an :class:`Integration` when it is imported (the imports at the
bottom of this file).  :func:`emulator.handlers.invoke` asks them, in registration order, after
Lambda routing and after a local handler registered under the exact resource string: a user's
handler always wins.  A call runs in a worker thread and answers ``(when, outcome)``.

https://docs.aws.amazon.com/step-functions/latest/dg/integrate-services.html
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import asl

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"


@dataclass(frozen=True, slots=True)
class TaskCall:
    """One call of a Task's resource: the effect, the time it is made, and the execution
    making it (``execution_arn`` is empty when a caller has none)."""

    effect: asl.InvokeTask
    now: datetime
    execution_arn: str = ""

    def _arn_part(self, index: int, default: str) -> str:
        parts = self.execution_arn.split(":")
        return parts[index] if len(parts) > index and parts[index] else default

    @property
    def region(self) -> str:
        """The region of the calling execution: the service is called in that region."""
        return self._arn_part(3, DEFAULT_REGION)

    @property
    def account(self) -> str:
        return self._arn_part(4, DEFAULT_ACCOUNT)


class Integration(Protocol):
    """Answers the Task resources :meth:`answers` accepts."""

    def answers(self, resource: str) -> bool: ...

    def call(self, call: TaskCall) -> tuple[datetime, asl.Outcome]: ...


_REGISTRY: list[Integration] = []


def register(integration: Integration) -> Integration:
    """Add an integration (asked after those registered before it)."""
    _REGISTRY.append(integration)
    return integration


def find(resource: str) -> Integration | None:
    """The integration that answers ``resource``, if any."""
    for integration in _REGISTRY:
        if integration.answers(resource):
            return integration
    return None


# Integrations register themselves on import (they use TaskCall and register above).
from emulator.integrations import aws as _aws  # noqa: E402,F401
from emulator.integrations import events as _events  # noqa: E402,F401
from emulator.integrations import http as _http  # noqa: E402,F401
from emulator.integrations import llm as _llm  # noqa: E402,F401
from emulator.integrations import review as _review  # noqa: E402,F401
