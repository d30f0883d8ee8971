"""Which Retrier or Catcher handles an error, and how long a retry waits.

https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from asl import errors


def error_matches(error_equals: Sequence[str], error: str) -> bool:
    """AWS's matching rules for ErrorEquals.

    * ``States.Runtime`` is never retried or caught ("A retry or catch on States.ALL won't
      catch States.Runtime errors" — and the execution always fails).
    * ``States.ALL`` matches any error but ``States.DataLimitExceeded`` (a terminal error that
      only an explicit name catches).
    * ``States.TaskFailed`` matches any error except ``States.Timeout``.
    """
    if error == errors.RUNTIME:
        return False
    for name in error_equals:
        if name == error:
            return True
        if name == errors.ALL:
            if error != errors.DATA_LIMIT_EXCEEDED:
                return True
        elif (
            name == errors.TASK_FAILED
            and error != errors.TIMEOUT
            and error != errors.DATA_LIMIT_EXCEEDED
        ):
            return True
    return False


def retry_delay(
    interval: float,
    backoff: float,
    attempt: int,
    max_delay: float | None,
    jitter_full: bool,
    rng: random.Random | None,
) -> float:
    """Seconds before retry number ``attempt + 1`` (``attempt`` retries already made)."""
    delay = interval * (backoff**attempt)
    if max_delay is not None and delay > max_delay:
        delay = max_delay
    if jitter_full and rng is not None:
        delay = rng.uniform(0, delay)
    return delay
