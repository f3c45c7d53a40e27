"""Asia/Shanghai time helpers: aware instants, local dates, month arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from antfin.calendar import (
    EARLIEST_DATE,
    LATEST_DATE,
    SHANGHAI,
    add_months,
    add_months_at,
    ensure_aware,
    ensure_date,
    local_date,
    shanghai,
    start_of_day,
)
from antfin.errors import InvalidTimeError


def test_shanghai_is_utc_plus_eight() -> None:
    assert SHANGHAI.utcoffset(None) == timedelta(hours=8)
    assert shanghai(2024, 6, 1, 15).isoformat() == "2024-06-01T15:00:00+08:00"


def test_ensure_aware_accepts_aware_and_refuses_naive() -> None:
    at = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
    assert ensure_aware(at) is at
    with pytest.raises(InvalidTimeError, match="paid_at must be an aware datetime"):
        ensure_aware(datetime(2024, 5, 1, 9, 30), "paid_at")
    with pytest.raises(TypeError, match="paid_at must be an aware datetime, not date"):
        ensure_aware(date(2024, 5, 1), "paid_at")
    with pytest.raises(TypeError, match="not str"):
        ensure_aware("2024-05-01T09:30:00+08:00")


def test_ensure_date_refuses_datetimes() -> None:
    assert ensure_date(date(2024, 2, 29)) == date(2024, 2, 29)
    with pytest.raises(TypeError, match="due must be a date, not datetime"):
        ensure_date(shanghai(2024, 2, 29), "due")
    with pytest.raises(TypeError, match="not str"):
        ensure_date("2024-02-29")


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (datetime(2024, 1, 31, 15, 59, 59, tzinfo=UTC), date(2024, 1, 31)),
        (datetime(2024, 1, 31, 16, 0, tzinfo=UTC), date(2024, 2, 1)),
        (datetime(2024, 1, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5))), date(2024, 2, 1)),
        (shanghai(2024, 2, 1, 0, 0), date(2024, 2, 1)),
    ],
)
def test_local_date_is_the_shanghai_date(at: datetime, expected: date) -> None:
    assert local_date(at) == expected


def test_local_date_refuses_naive() -> None:
    with pytest.raises(InvalidTimeError):
        local_date(datetime(2024, 1, 1))


def test_start_of_day() -> None:
    assert start_of_day(date(2024, 6, 1)) == shanghai(2024, 6, 1)
    assert start_of_day(date(2024, 6, 1)).astimezone(UTC) == datetime(2024, 5, 31, 16, tzinfo=UTC)
    with pytest.raises(TypeError, match="day must be a date"):
        start_of_day(shanghai(2024, 6, 1))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 1, 31), 12, date(2025, 1, 31)),
        (date(2024, 8, 31), 1, date(2024, 9, 30)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_month_end(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)), st.integers(min_value=-240, max_value=240))
def test_add_months_lands_in_the_right_month(day: date, months: int) -> None:
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day == day.day or (result.day < day.day and (result + timedelta(days=1)).day == 1)


@given(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)), st.integers(min_value=-120_000, max_value=120_000)
)
def test_add_months_gives_the_dates_of_relativedelta(day: date, months: int) -> None:
    """Computed directly now: the same date as dateutil's ``relativedelta`` wherever both have one."""
    try:
        expected: date | None = day + relativedelta(months=months)
    except (ValueError, OverflowError):
        expected = None
    inside = expected is not None and EARLIEST_DATE <= expected <= LATEST_DATE and EARLIEST_DATE <= day <= LATEST_DATE
    if inside:
        assert add_months(day, months) == expected
    else:
        with pytest.raises(InvalidTimeError):
            add_months(day, months)


@given(
    st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(2900, 12, 31), timezones=st.just(SHANGHAI)),
    st.integers(min_value=-1_000, max_value=1_000),
)
def test_add_months_at_keeps_the_wall_clock_time(moment: datetime, months: int) -> None:
    expected = moment + relativedelta(months=months)
    if not EARLIEST_DATE.year <= expected.year <= LATEST_DATE.year:
        with pytest.raises(InvalidTimeError, match="must lie between"):
            add_months_at(moment, months)
        return
    assert add_months_at(moment, months) == expected
    assert add_months_at(moment.astimezone(UTC), months) == expected


def test_add_months_at_refuses_naive_and_past_the_last_year() -> None:
    with pytest.raises(InvalidTimeError):
        add_months_at(datetime(2024, 1, 31), 1)
    with pytest.raises(InvalidTimeError, match="must lie between 1900-01-01 and 2999-12-31"):
        add_months_at(shanghai(2999, 12, 1), 1)
    with pytest.raises(InvalidTimeError, match="outside the years 1 to 9999"):
        add_months_at(shanghai(2024, 1, 1), 10**6)
