"""Five-field cron expressions with IANA time zones, parsed and evaluated by hand.

    expr = parse_cron("30 9 * * MON-FRI")
    expr.next_after(now, zone("Europe/Paris"))        # the next fire time, aware UTC
    expr.upcoming(now, zone("America/New_York"), 5)

Fields: minute (0-59), hour (0-23), day of month (1-31), month (1-12 or JAN-DEC), day of
week (0-7, 0 and 7 are Sunday, or SUN-SAT).  Each field is a comma list of ``*``, ``N``,
``A-B``, and any of those followed by ``/STEP`` (``N/STEP`` runs from N to the field's end).
Names are case-insensitive.

Day of month and day of week follow the standard (Vixie cron, POSIX) rule: when both are
restricted — neither begins with ``*`` — a day matches if *either* matches; otherwise both must.

Daylight saving time follows Amazon EventBridge Scheduler, the AWS scheduler for Step
Functions executions: expressions are evaluated on the zone's wall clock; a wall time that the
spring change skips does not fire that day, and a wall time that the autumn change repeats
fires once, at its first occurrence.
https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html (daylight savings
time section); https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
# How far ahead to look for a match: 28 years covers every weekday/leap-year combination
# (a "29 Feb that is a Monday" repeats within 28 years), plus a margin for 2100.
_SEARCH_YEARS = 40


class CronError(ValueError):
    """An expression or time zone that cannot be used, with a message naming the field."""


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    name_base: int = 0


_FIELDS = (
    _Field("minute", 0, 59),
    _Field("hour", 0, 23),
    _Field("day of month", 1, 31),
    _Field("month", 1, 12, tuple(_MONTHS), 1),
    _Field("day of week", 0, 7, tuple(_DAYS), 0),
)


def _value(text: str, field: _Field) -> int:
    upper = text.upper()
    if field.names and upper in field.names:
        return field.names.index(upper) + field.name_base
    if not (text.isascii() and text.isdigit()):
        raise CronError(f"invalid {field.name} value {text!r}")
    value = int(text)
    if not field.low <= value <= field.high:
        raise CronError(
            f"{field.name} value {value} is out of range {field.low}-{field.high}"
        )
    return value


def _parse_field(text: str, field: _Field) -> frozenset[int]:
    values: set[int] = set()
    for item in text.split(","):
        if not item:
            raise CronError(f"empty item in the {field.name} field {text!r}")
        base, slash, step_text = item.partition("/")
        step = 1
        if slash:
            if not (step_text.isascii() and step_text.isdigit()) or int(step_text) < 1:
                raise CronError(f"invalid step {step_text!r} in the {field.name} field")
            step = int(step_text)
        if base == "*":
            low, high = field.low, field.high
        elif "-" in base:
            start, _, end = base.partition("-")
            low, high = _value(start, field), _value(end, field)
            if low > high:
                raise CronError(f"{field.name} range {base!r} runs backwards")
        else:
            low = _value(base, field)
            high = field.high if slash else low
        values.update(range(low, high + 1, step))
    return frozenset(values)


@dataclass(frozen=True)
class CronExpression:
    source: str
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday .. 6 = Saturday
    day_star: bool  # the day-of-month field begins with "*"
    weekday_star: bool

    def day_matches(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        by_day = day.day in self.days
        by_weekday = (day.isoweekday() % 7) in self.weekdays
        if self.day_star or self.weekday_star:
            return by_day and by_weekday
        return by_day or by_weekday

    def matches(self, local: datetime) -> bool:
        """Whether a wall-clock time (its own zone) matches every field."""
        return (
            local.minute in self.minutes
            and local.hour in self.hours
            and self.day_matches(local.date())
        )

    def next_after(self, after: datetime, tz: ZoneInfo) -> datetime | None:
        """The first fire time strictly after ``after`` (aware), in UTC; None if never."""
        if after.tzinfo is None:
            raise ValueError("next_after needs an aware datetime")
        after = after.astimezone(UTC)
        day = after.astimezone(tz).date() - timedelta(days=1)  # a fold may reach back a day
        end = day.replace(year=min(day.year + _SEARCH_YEARS, 9999), day=1)
        while day < end:
            if day.month not in self.months:
                day = _first_of_next_month(day)
                continue
            if self.day_matches(day):
                for instant in self._instants(day, tz):
                    if instant > after:
                        return instant
            day += timedelta(days=1)
        return None

    def upcoming(self, after: datetime, tz: ZoneInfo, count: int) -> list[datetime]:
        out: list[datetime] = []
        when: datetime | None = after
        while len(out) < count and when is not None:
            when = self.next_after(when, tz)
            if when is not None:
                out.append(when)
        return out

    def _instants(self, day: date, tz: ZoneInfo) -> list[datetime]:
        found: list[datetime] = []
        for hour in self.hours:
            for minute in self.minutes:
                instant = _resolve(datetime(day.year, day.month, day.day, hour, minute), tz)
                if instant is not None:
                    found.append(instant)
        return sorted(found)


def _first_of_next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def _resolve(wall: datetime, tz: ZoneInfo) -> datetime | None:
    """The UTC instant the naive wall time ``wall`` first happens at in ``tz``, or None
    when the zone skips it."""
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    return first if first.astimezone(tz).replace(tzinfo=None) == wall else None


def parse_cron(text: object) -> CronExpression:
    if not isinstance(text, str):
        raise CronError("cron_expression must be a string")
    parts = text.split()
    if len(parts) != 5:
        raise CronError(
            "cron_expression must have exactly 5 fields "
            "(minute hour day-of-month month day-of-week), "
            f"got {len(parts)}"
        )
    minute, hour, dom, month, dow = (
        _parse_field(part, field) for part, field in zip(parts, _FIELDS, strict=True)
    )
    weekdays = frozenset(d % 7 for d in dow)
    expression = CronExpression(
        " ".join(parts), tuple(sorted(minute)), tuple(sorted(hour)), dom, month, weekdays,
        parts[2].startswith("*"), parts[4].startswith("*"),
    )
    # When only the day of month restricts the day, it must exist in some chosen month.
    if (expression.day_star or expression.weekday_star) and not any(
        d <= _longest(m) for m in month for d in dom
    ):
        raise CronError(f"cron_expression {text!r} never matches a real date")
    return expression


def _longest(month: int) -> int:
    return 29 if month == 2 else calendar.monthrange(2001, month)[1]


def zone(name: object) -> ZoneInfo:
    """An IANA time zone by name, or CronError."""
    if not isinstance(name, str) or not name or name.startswith(("/", ".")) or ".." in name:
        raise CronError(f"unknown time zone {name!r}: use an IANA name such as Europe/Paris")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise CronError(
            f"unknown time zone {name!r}: use an IANA name such as Europe/Paris"
        ) from exc
