from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.schedules.cron import CronError, parse_cron, zone

UTCZ = ZoneInfo("UTC")
NY = ZoneInfo("America/New_York")
PARIS = ZoneInfo("Europe/Paris")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def fires(expr: str, after: str, tz: ZoneInfo, count: int) -> list[str]:
    return [
        w.astimezone(tz).isoformat() for w in parse_cron(expr).upcoming(at(after), tz, count)
    ]


def test_fields_lists_ranges_steps_and_names() -> None:
    e = parse_cron("0,30 9-17/4 * JAN,jun-Aug mon-FRI")
    assert e.minutes == (0, 30)
    assert e.hours == (9, 13, 17)
    assert e.months == frozenset({1, 6, 7, 8})
    assert e.weekdays == frozenset({1, 2, 3, 4, 5})
    assert parse_cron("*/15 * * * *").minutes == (0, 15, 30, 45)
    assert parse_cron("5/20 * * * *").minutes == (5, 25, 45)
    assert parse_cron("0 0 * * 7").weekdays == frozenset({0})  # 7 is Sunday too
    assert parse_cron("0 0 * * 5-7").weekdays == frozenset({5, 6, 0})


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("* * * *", "exactly 5 fields"),
        ("* * * * * *", "exactly 5 fields"),
        ("60 * * * *", "out of range"),
        ("* 24 * * *", "out of range"),
        ("* * 0 * *", "out of range"),
        ("* * * 13 *", "out of range"),
        ("* * * * 8", "out of range"),
        ("*/0 * * * *", "invalid step"),
        ("5-1 * * * *", "backwards"),
        ("* * * FOO *", "invalid month"),
        ("1,,2 * * * *", "empty item"),
        ("\u00b2 * * * *", "invalid minute"),  # a superscript two: str.isdigit() says yes
        ("*/\u0663 * * * *", "invalid step"),  # an Arabic-Indic three
        ("0 0 30 2 *", "never matches"),
        ("0 0 31 4,6 *", "never matches"),
    ],
)
def test_invalid_expressions(expr: str, message: str) -> None:
    with pytest.raises(CronError, match=message):
        parse_cron(expr)


def test_invalid_time_zone() -> None:
    for name in ("Mars/Olympus", "", "../etc/passwd", 5):
        with pytest.raises(CronError, match="time zone"):
            zone(name)
    assert zone("Asia/Kolkata").key == "Asia/Kolkata"


def test_next_is_strictly_after_now() -> None:
    e = parse_cron("30 9 * * *")
    assert e.next_after(at("2026-05-04T09:30:00+00:00"), UTCZ) == at("2026-05-05T09:30:00+00:00")
    assert e.next_after(at("2026-05-04T09:29:59+00:00"), UTCZ) == at("2026-05-04T09:30:00+00:00")


def test_day_of_month_or_day_of_week() -> None:
    # Both restricted: either matches (the 13th, or any Friday).
    got = fires("0 0 13 * FRI", "2026-02-01T00:00:00+00:00", UTCZ, 4)
    assert got == [
        "2026-02-06T00:00:00+00:00",
        "2026-02-13T00:00:00+00:00",
        "2026-02-20T00:00:00+00:00",
        "2026-02-27T00:00:00+00:00",
    ]
    # One field starts with "*": both must match (odd days that are Mondays).
    got = fires("0 0 */2 * MON", "2026-02-01T00:00:00+00:00", UTCZ, 2)
    assert got == ["2026-02-09T00:00:00+00:00", "2026-02-23T00:00:00+00:00"]


def test_leap_day() -> None:
    assert fires("0 12 29 2 *", "2026-01-01T00:00:00+00:00", UTCZ, 2) == [
        "2028-02-29T12:00:00+00:00",
        "2032-02-29T12:00:00+00:00",
    ]


def test_time_zone_shifts_the_fire_time() -> None:
    assert fires("0 9 * * *", "2026-01-10T00:00:00+00:00", PARIS, 1) == [
        "2026-01-10T09:00:00+01:00"
    ]
    assert fires("0 9 * * *", "2026-07-10T00:00:00+00:00", PARIS, 1) == [
        "2026-07-10T09:00:00+02:00"
    ]


def test_spring_forward_skips_the_missing_wall_time() -> None:
    # New York, 8 March 2026: 02:00 EST jumps to 03:00 EDT; 02:30 does not exist that day
    # and, as on EventBridge Scheduler, does not fire.
    got = fires("30 2 * * *", "2026-03-07T12:00:00+00:00", NY, 3)
    assert got == [
        "2026-03-09T02:30:00-04:00",
        "2026-03-10T02:30:00-04:00",
        "2026-03-11T02:30:00-04:00",
    ]
    got = fires("*/15 * * * *", "2026-03-08T06:40:00+00:00", NY, 3)
    assert got == [
        "2026-03-08T01:45:00-05:00",
        "2026-03-08T03:00:00-04:00",
        "2026-03-08T03:15:00-04:00",
    ]


def test_fall_back_repeated_wall_time_fires_once() -> None:
    # New York, 1 November 2026: 01:00-02:00 happens twice (EDT, then EST); it fires once.
    fixed = fires("30 1 * * *", "2026-10-31T12:00:00+00:00", NY, 2)
    assert fixed == ["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"]
    hourly = fires("30 * * * *", "2026-11-01T04:00:00+00:00", NY, 3)
    assert hourly == [
        "2026-11-01T00:30:00-04:00",
        "2026-11-01T01:30:00-04:00",
        "2026-11-01T02:30:00-05:00",
    ]


def test_europe_dst() -> None:
    # Paris, 29 March 2026: 02:00 CET jumps to 03:00 CEST.
    assert fires("15 2 * * *", "2026-03-28T12:00:00+00:00", PARIS, 2) == [
        "2026-03-30T02:15:00+02:00",
        "2026-03-31T02:15:00+02:00",
    ]
    # 25 October 2026: 02:00-03:00 repeats; 02:15 fires once, in summer time.
    assert fires("15 2 * * *", "2026-10-24T12:00:00+00:00", PARIS, 2) == [
        "2026-10-25T02:15:00+02:00",
        "2026-10-26T02:15:00+01:00",
    ]


# ---------------------------------------------------------------- properties


def _field(low: int, high: int) -> st.SearchStrategy[str]:
    value = st.integers(low, high)
    item = st.one_of(
        st.just("*"),
        value.map(str),
        st.tuples(value, value).map(lambda p: f"{min(p)}-{max(p)}"),
        st.tuples(st.integers(1, 10)).map(lambda s: f"*/{s[0]}"),
        st.tuples(value, st.integers(1, 10)).map(lambda p: f"{p[0]}/{p[1]}"),
    )
    return st.lists(item, min_size=1, max_size=3).map(",".join)


EXPRESSIONS = st.tuples(
    _field(0, 59), _field(0, 23), _field(1, 28), _field(1, 12), _field(0, 7)
).map(" ".join)
INSTANTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2060, 1, 1), timezones=st.just(UTC)
)
ZONES = st.sampled_from(["UTC", "America/New_York", "Europe/Paris", "Asia/Kolkata",
                         "Australia/Lord_Howe", "Pacific/Chatham"])


@settings(max_examples=300, deadline=None)
@given(EXPRESSIONS, INSTANTS, ZONES)
def test_next_fire_is_after_now_and_matches(expr: str, now: datetime, name: str) -> None:
    tz = ZoneInfo(name)
    cron = parse_cron(expr)
    fire = cron.next_after(now, tz)
    assert fire is not None  # days 1..28 exist in every month
    assert fire > now
    assert cron.matches(fire.astimezone(tz))
    assert fire.second == 0 and fire.microsecond == 0


def _first_occurrence(instant: datetime, tz: ZoneInfo) -> bool:
    wall = instant.astimezone(tz).replace(tzinfo=None)
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC) == instant


@settings(max_examples=150, deadline=None)
@given(EXPRESSIONS, INSTANTS, ZONES)
def test_no_matching_minute_is_passed_over(expr: str, now: datetime, name: str) -> None:
    tz = ZoneInfo(name)
    cron = parse_cron(expr)
    fire = cron.next_after(now, tz)
    assert fire is not None
    if fire - now > timedelta(days=3):
        return  # brute force only over short spans
    minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while minute < fire:
        hit = cron.matches(minute.astimezone(tz)) and _first_occurrence(minute, tz)
        assert not hit, f"{minute} matches {expr!r} in {name} before {fire}"
        minute += timedelta(minutes=1)
