"""Trading calendars: weekday calendar, SSE holiday list, the 15:00 cut-off, coverage."""

from __future__ import annotations

import importlib.util
import warnings
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin.calendar import (
    SSE_HOLIDAYS,
    SSE_MAKEUP_WORKDAYS,
    UNNAMED_CLOSURE,
    ChinaExchangeCalendar,
    TradingCalendar,
    WeekdayCalendar,
    shanghai,
)
from antfin.errors import InvalidTimeError, OutsideCoverageError

SSE = ChinaExchangeCalendar.sse()
COVERED = st.dates(min_value=date(2020, 1, 8), max_value=date(2026, 12, 20))


def test_both_calendars_satisfy_the_protocol() -> None:
    assert isinstance(SSE, TradingCalendar)
    assert isinstance(WeekdayCalendar(), TradingCalendar)
    assert not isinstance(object(), TradingCalendar)


def test_cutoff_boundary_one_second_apart() -> None:
    # Wednesday 2024-06-05, an ordinary trading day.
    assert SSE.trading_day_for(shanghai(2024, 6, 5, 14, 59, 59)) == date(2024, 6, 5)
    assert SSE.trading_day_for(shanghai(2024, 6, 5, 15, 0, 0)) == date(2024, 6, 6)


def test_cutoff_is_judged_in_shanghai_time() -> None:
    # 06:59:59 UTC is 14:59:59 in Shanghai; 07:00 UTC is 15:00.
    assert SSE.trading_day_for(datetime(2024, 6, 5, 6, 59, 59, tzinfo=UTC)) == date(2024, 6, 5)
    assert SSE.trading_day_for(datetime(2024, 6, 5, 7, 0, 0, tzinfo=UTC)) == date(2024, 6, 6)


def test_friday_order_after_cutoff_counts_on_monday() -> None:
    assert SSE.trading_day_for(shanghai(2024, 6, 14, 16)) == date(2024, 6, 17)
    assert SSE.next_trading_day(date(2024, 6, 14)) == date(2024, 6, 17)


def test_order_before_national_day_holiday() -> None:
    # Monday 2024-09-30 is the last trading day before the National Day closure (Oct 1-7).
    assert SSE.trading_day_for(shanghai(2024, 9, 30, 14)) == date(2024, 9, 30)
    assert SSE.trading_day_for(shanghai(2024, 9, 30, 15)) == date(2024, 10, 8)
    assert SSE.next_trading_day(date(2024, 9, 30)) == date(2024, 10, 8)
    assert SSE.previous_trading_day(date(2024, 10, 8)) == date(2024, 9, 30)


def test_make_up_saturday_does_not_trade() -> None:
    # Saturday 2024-10-12 was an office workday (调休) but the exchange was closed.
    assert date(2024, 10, 12) in SSE_MAKEUP_WORKDAYS
    assert not SSE.is_trading_day(date(2024, 10, 12))
    assert SSE.trading_day_for(shanghai(2024, 10, 12, 10)) == date(2024, 10, 14)
    assert WeekdayCalendar().is_trading_day(date(2024, 10, 11))


@pytest.mark.parametrize("day", SSE_MAKEUP_WORKDAYS)
def test_every_make_up_workday_is_a_closed_weekend(day: date) -> None:
    assert day.weekday() >= 5
    assert not SSE.is_trading_day(day)


def test_holiday_list_has_only_weekdays_and_known_counts() -> None:
    assert all(day.weekday() < 5 for day in SSE_HOLIDAYS)
    per_year = {year: sum(1 for day in SSE_HOLIDAYS if day.year == year) for year in range(2020, 2027)}
    assert per_year == {2020: 19, 2021: 18, 2022: 18, 2023: 18, 2024: 20, 2025: 18, 2026: 19}


@pytest.mark.parametrize(
    ("year", "trading_days"),
    # Published SSE totals: 243 (2020), 243 (2021), 242 (2022), 242 (2023), 242 (2024), 243 (2025).
    [(2020, 243), (2021, 243), (2022, 242), (2023, 242), (2024, 242), (2025, 243)],
)
def test_trading_day_counts_per_year(year: int, trading_days: int) -> None:
    assert len(SSE.trading_days(date(year, 1, 1), date(year, 12, 31))) == trading_days


def test_spring_festival_2024_starts_on_new_years_eve() -> None:
    assert SSE.holiday_name(date(2024, 2, 9)) == "Spring Festival"
    assert SSE.previous_trading_day(date(2024, 2, 19)) == date(2024, 2, 8)
    assert SSE.holiday_name(date(2024, 2, 8)) is None


@pytest.mark.parametrize("day", [date(1998, 12, 31), date(2027, 1, 1)])
def test_outside_coverage_raises(day: date) -> None:
    with pytest.raises(OutsideCoverageError, match=f"day {day} is outside the calendar's coverage"):
        SSE.is_trading_day(day)


def test_stepping_out_of_coverage_raises() -> None:
    with pytest.raises(OutsideCoverageError):
        SSE.next_trading_day(date(2026, 12, 31))
    with pytest.raises(OutsideCoverageError):
        SSE.previous_trading_day(date(1999, 1, 4))
    with pytest.raises(OutsideCoverageError):
        SSE.trading_day_for(shanghai(2026, 12, 31, 15))


def test_bad_inputs_are_typed_errors() -> None:
    with pytest.raises(TypeError, match="day must be a date"):
        SSE.is_trading_day(datetime(2024, 6, 5, tzinfo=UTC))
    with pytest.raises(TypeError, match="day must be a date"):
        WeekdayCalendar().is_trading_day("2024-06-05")  # type: ignore[arg-type]
    with pytest.raises(InvalidTimeError, match="aware"):
        SSE.trading_day_for(datetime(2024, 6, 5, 10))
    with pytest.raises(TypeError, match="cutoff"):
        WeekdayCalendar(cutoff="15:00")  # type: ignore[arg-type]
    with pytest.raises(InvalidTimeError, match="must not be after"):
        ChinaExchangeCalendar({}, date(2025, 1, 2), date(2025, 1, 1))
    with pytest.raises(InvalidTimeError, match="outside the coverage"):
        ChinaExchangeCalendar({date(2026, 1, 1): "x"}, date(2025, 1, 1), date(2025, 12, 31))
    with pytest.raises(TypeError, match="holiday name"):
        ChinaExchangeCalendar({date(2025, 1, 1): 1}, date(2025, 1, 1), date(2025, 12, 31))  # type: ignore[dict-item]


def test_custom_calendar_and_cutoff() -> None:
    calendar = ChinaExchangeCalendar(
        {date(2030, 1, 1): "New Year"}, date(2030, 1, 1), date(2030, 1, 31), cutoff=time(11, 30)
    )
    assert not calendar.is_trading_day(date(2030, 1, 1))
    assert calendar.trading_day_for(shanghai(2030, 1, 2, 11, 29)) == date(2030, 1, 2)
    assert calendar.trading_day_for(shanghai(2030, 1, 2, 11, 30)) == date(2030, 1, 3)


@given(COVERED)
def test_next_and_previous_are_inverse_neighbours(day: date) -> None:
    following = SSE.next_trading_day(day)
    assert following > day
    assert SSE.is_trading_day(following)
    assert not any(SSE.is_trading_day(day + timedelta(days=step)) for step in range(1, (following - day).days))
    assert SSE.previous_trading_day(following) <= day or not SSE.is_trading_day(day)
    if SSE.is_trading_day(day):
        assert SSE.previous_trading_day(following) == day


@given(COVERED, st.integers(min_value=0, max_value=86399))
def test_trading_day_for_is_a_trading_day_on_or_after_the_date(day: date, second: int) -> None:
    at = shanghai(day.year, day.month, day.day) + timedelta(seconds=second)
    result = SSE.trading_day_for(at)
    assert SSE.is_trading_day(result)
    assert result >= day
    before_cutoff = second < 15 * 3600
    assert (result == day) == (SSE.is_trading_day(day) and before_cutoff)


@given(COVERED)
def test_sse_trades_on_a_subset_of_weekdays(day: date) -> None:
    assert not SSE.is_trading_day(day) or WeekdayCalendar().is_trading_day(day)
    assert SSE.is_trading_day(day) == (day.weekday() < 5 and day not in SSE_HOLIDAYS)


@pytest.mark.skipif(importlib.util.find_spec("exchange_calendars") is None, reason="exchange_calendars not installed")
def test_matches_exchange_calendars_xshg() -> None:
    """The shipped SSE list equals the maintained XSHG calendar over its whole 1999-2026 coverage."""
    import exchange_calendars

    with warnings.catch_warnings():
        # pandas deprecation warnings raised inside the package are not ours to fix (pytest turns warnings into errors).
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        xshg = exchange_calendars.get_calendar("XSHG", start=SSE.first.isoformat(), end=SSE.last.isoformat())
        theirs = {stamp.date() for stamp in xshg.sessions}
    assert set(SSE.trading_days(SSE.first, SSE.last)) == theirs


def test_closures_before_2020_are_unnamed_but_closed() -> None:
    assert SSE.first == date(1999, 1, 1)
    assert SSE.holiday_name(date(2013, 6, 12)) == UNNAMED_CLOSURE  # Dragon Boat 2013, the week Yu'ebao launched
    assert SSE.next_trading_day(date(2013, 6, 7)) == date(2013, 6, 13)
    assert SSE.holiday_name(date(2020, 1, 1)) == "New Year's Day"
