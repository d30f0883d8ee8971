from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asl.timestamps import format_timestamp, parse_timestamp

PLUS_ONE = timezone(timedelta(hours=1))
MINUS_0530 = timezone(-timedelta(hours=5, minutes=30))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2016-03-14T01:59:00Z", datetime(2016, 3, 14, 1, 59, 0, tzinfo=UTC)),
        ("2016-08-18T17:33:00Z", datetime(2016, 8, 18, 17, 33, 0, tzinfo=UTC)),
        ("2012-10-09T19:00:55+01:00", datetime(2012, 10, 9, 19, 0, 55, tzinfo=PLUS_ONE)),
        ("2012-10-09T19:00:55-05:30", datetime(2012, 10, 9, 19, 0, 55, tzinfo=MINUS_0530)),
        ("2012-10-09T19:00:55-00:00", datetime(2012, 10, 9, 19, 0, 55, tzinfo=UTC)),
        ("2012-10-09T19:00:55+00:00", datetime(2012, 10, 9, 19, 0, 55, tzinfo=UTC)),
        ("2024-01-01T00:00:00.5Z", datetime(2024, 1, 1, 0, 0, 0, 500_000, tzinfo=UTC)),
        ("2024-01-01T00:00:00.123Z", datetime(2024, 1, 1, 0, 0, 0, 123_000, tzinfo=UTC)),
        ("2024-01-01T00:00:00.123456Z", datetime(2024, 1, 1, 0, 0, 0, 123_456, tzinfo=UTC)),
        # More than microseconds: kept to the microsecond, truncated (never rounded up).
        ("2024-01-01T00:00:00.123456789Z", datetime(2024, 1, 1, 0, 0, 0, 123_456, tzinfo=UTC)),
        ("2024-01-01T00:00:00.9999999Z", datetime(2024, 1, 1, 0, 0, 0, 999_999, tzinfo=UTC)),
        (
            "2024-02-29T23:59:59.250+23:59",
            datetime(
                2024, 2, 29, 23, 59, 59, 250_000, tzinfo=timezone(timedelta(hours=23, minutes=59))
            ),
        ),
        ("0001-01-01T00:00:00Z", datetime(1, 1, 1, tzinfo=UTC)),
        ("9999-12-31T23:59:59Z", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_parses_the_rfc3339_profile(text: str, expected: datetime) -> None:
    parsed = parse_timestamp(text)
    assert parsed == expected
    assert parsed is not None
    assert parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "HelloWorld",
        "2023-02-24",  # a date alone
        "2012-10-09T19:00:55",  # no offset
        "2023-02-24 12:15:56.832957",  # space separator, no offset
        "2016-03-14t01:59:00Z",  # lowercase t
        "2016-03-14T01:59:00z",  # lowercase z
        "2016-03-14 01:59:00Z",
        "2016-03-14T01:59Z",  # no seconds
        "2016-03-14T01:59:00+0100",  # offset without colon
        "2016-03-14T01:59:00+01",
        "2016-03-14T01:59:00+24:00",
        "2016-03-14T01:59:00+05:60",
        "2016-03-14T01:59:00.Z",  # empty fraction
        "2016-03-14T01:59:00.1234567890Z",  # ten fraction digits
        "2016-03-14T01:59:00,5Z",  # comma decimal
        "20160314T015900Z",  # basic format
        "2016-3-14T01:59:00Z",
        "2016-03-14T1:59:00Z",
        "+2016-03-14T01:59:00Z",
        " 2016-03-14T01:59:00Z",
        "2016-03-14T01:59:00Z ",
        "2016-03-14T01:59:00Z\n",
        "2016-03-14T01:59:00ZZ",
        "2023-02-30T00:00:00Z",  # no such day
        "2023-13-01T00:00:00Z",
        "2023-00-10T00:00:00Z",
        "2016-03-14T24:00:00Z",
        "2016-03-14T23:60:00Z",
        "2016-12-31T23:59:60Z",  # leap second
        "0000-01-01T00:00:00Z",
        "２０１６-03-14T01:59:00Z",  # non-ASCII digits
        "2016-03-14T01:59:00\u200bZ",
    ],
)
def test_rejects_everything_else(text: str) -> None:
    assert parse_timestamp(text) is None


def test_offsets_denote_the_same_instant() -> None:
    utc = parse_timestamp("2012-10-09T18:00:55Z")
    plus_one = parse_timestamp("2012-10-09T19:00:55+01:00")
    minus = parse_timestamp("2012-10-09T12:30:55-05:30")
    assert utc is not None and plus_one is not None and minus is not None
    assert utc == plus_one == minus
    assert parse_timestamp("2012-10-09T19:00:55+01:00") != parse_timestamp("2012-10-09T19:00:55Z")


def test_fractions_order_exactly() -> None:
    earlier = parse_timestamp("2012-10-09T19:00:55.999Z")
    later = parse_timestamp("2012-10-09T19:00:56Z")
    between = parse_timestamp("2012-10-09T19:00:55.9995Z")
    assert earlier is not None and later is not None and between is not None
    assert earlier < between < later


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2024, 1, 1, tzinfo=UTC), "2024-01-01T00:00:00.000Z"),
        (datetime(2019, 3, 26, 20, 14, 13, 192_000, tzinfo=UTC), "2019-03-26T20:14:13.192Z"),
        # truncated, not rounded: .9999 s is still in second 59
        (datetime(2019, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC), "2019-12-31T23:59:59.999Z"),
        (datetime(2019, 3, 26, 20, 14, 13, 1_999, tzinfo=UTC), "2019-03-26T20:14:13.001Z"),
        # converted to UTC, crossing a date line
        (datetime(2024, 1, 1, 0, 30, tzinfo=PLUS_ONE), "2023-12-31T23:30:00.000Z"),
        (datetime(2023, 12, 31, 20, 0, tzinfo=MINUS_0530), "2024-01-01T01:30:00.000Z"),
        # naive means UTC
        (datetime(2024, 5, 6, 7, 8, 9, 10_000), "2024-05-06T07:08:09.010Z"),
        (datetime(5, 1, 2, 3, 4, 5, tzinfo=UTC), "0005-01-02T03:04:05.000Z"),
    ],
)
def test_formats_like_the_context_object(value: datetime, expected: str) -> None:
    assert format_timestamp(value) == expected


aware_datetimes = st.datetimes(
    min_value=datetime(1, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.sampled_from([UTC, PLUS_ONE, MINUS_0530, timezone(timedelta(hours=-23))]),
)


@given(aware_datetimes)
def test_format_then_parse_is_the_instant_to_the_millisecond(value: datetime) -> None:
    text = format_timestamp(value)
    parsed = parse_timestamp(text)
    assert parsed is not None
    assert parsed.utcoffset() == timedelta(0)
    difference = value - parsed
    assert timedelta(0) <= difference < timedelta(milliseconds=1)
    assert format_timestamp(parsed) == text


@given(st.text())
def test_parse_never_raises(text: str) -> None:
    result = parse_timestamp(text)
    assert result is None or result.tzinfo is not None
