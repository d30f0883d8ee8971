"""Timestamps as the States language reads and writes them.

Reading: ASL timestamps are RFC 3339 date-times with two further restrictions — an uppercase
``T`` separates date and time, and an uppercase ``Z`` stands for UTC when no numeric offset is
given, e.g. ``2016-03-14T01:59:00Z`` or ``2016-03-14T01:59:00.250+01:00``.
https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html (Choice rules, timestamps)
https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html (Wait ``Timestamp``)

RFC 3339 (section 5.6) allows any number of fractional-second digits; we accept one to nine
(nanoseconds, the finest a Java ``Instant`` holds) and keep microseconds, truncating the rest.
Offsets are ``+hh:mm`` / ``-hh:mm`` with hh 00–23 and mm 00–59; ``-00:00`` is read as UTC.
Everything else — lowercase ``t``/``z``, a space separator, a missing offset, ``+0100``, a date
alone, leap second 60, 24:00 — is not a timestamp.

Writing: context-object times (``$$.Execution.StartTime``, ``$$.State.EnteredTime``) are
ISO 8601 in UTC with exactly three fractional digits and ``Z``, e.g.
``2019-03-26T20:14:13.192Z``.
https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

__all__ = ["format_timestamp", "parse_timestamp"]

# The shape check is strict (ASCII digits only, uppercase T/Z, bounded offset fields);
# range checks (month 13, February 30, hour 24, second 60, year 0) are left to datetime,
# whose C parser is several times faster than building the value from regex groups.
_PROFILE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
    r"(?:\.[0-9]{1,9})?"
    r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
)
_fullmatch = _PROFILE.fullmatch
_fromisoformat = datetime.fromisoformat


def parse_timestamp(text: str) -> datetime | None:
    """The aware datetime ``text`` denotes, or None when it is not an ASL timestamp."""
    if _fullmatch(text) is None:
        return None
    try:
        return _fromisoformat(text)
    except ValueError:  # well-formed but out of range: 2023-02-30, 24:00:00, :60
        return None


def format_timestamp(dt: datetime) -> str:
    """``dt`` as AWS writes times in the context object: UTC, milliseconds, ``Z``.

    A naive datetime is taken to be UTC already.  Sub-millisecond digits are truncated,
    not rounded, so a time never moves past the instant it stands for.
    """
    if dt.tzinfo is not None and dt.tzinfo is not UTC:
        dt = dt.astimezone(UTC)
    # %-formatting: about twice as fast as an f-string or isoformat() here.
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (  # noqa: UP031
        dt.year,
        dt.month,
        dt.day,
        dt.hour,
        dt.minute,
        dt.second,
        dt.microsecond // 1000,
    )
