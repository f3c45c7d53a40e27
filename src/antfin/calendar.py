"""Asia/Shanghai clock rules: aware instants, local dates and month arithmetic.

No function here reads the system clock; every operation is given its instant.

>>> from datetime import datetime
>>> from antfin.calendar import SHANGHAI, local_date
>>> local_date(datetime(2024, 1, 31, 17, 0, tzinfo=SHANGHAI))
datetime.date(2024, 1, 31)

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone
from types import MappingProxyType
from typing import Final, Protocol, runtime_checkable

import attrs

from antfin.errors import InvalidTimeError, OutsideCoverageError

__all__ = [
    "EARLIEST_DATE",
    "LATEST_DATE",
    "SHANGHAI",
    "SSE_HOLIDAYS",
    "SSE_HOLIDAY_SOURCE",
    "SSE_MAKEUP_WORKDAYS",
    "TRADING_CUTOFF",
    "UNNAMED_CLOSURE",
    "ChinaExchangeCalendar",
    "TradingCalendar",
    "WeekdayCalendar",
    "add_months",
    "add_months_at",
    "ensure_aware",
    "ensure_date",
    "local_date",
    "shanghai",
    "start_of_day",
]

#: China Standard Time. China has kept UTC+8 without daylight saving since
#: 1991, so a fixed offset is exact for every date the library handles and
#: needs no tz database on the host.
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

#: The first and last calendar dates an operation may name (a sanity bound, not a business rule):
#: products add terms, timeouts and months to the dates they are given, and an instant near
#: ``datetime.max`` would overflow there instead of being refused with a typed error.
#: The earliest date (and instant) any antfin operation accepts.
EARLIEST_DATE: Final = date(1900, 1, 1)
#: The latest date (and instant) any antfin operation accepts.
LATEST_DATE: Final = date(2999, 12, 31)
_FIRST_YEAR: Final = EARLIEST_DATE.year
_LAST_YEAR: Final = LATEST_DATE.year


def ensure_aware(value: object, field: str = "at") -> datetime:
    """Return ``value`` if it is an aware :class:`~datetime.datetime`, else raise.

    >>> ensure_aware(datetime(2024, 5, 1, 9, 30, tzinfo=SHANGHAI)).hour
    9

    Raises:
        antfin.errors.InvalidTimeError: for a naive datetime, or one whose year lies outside
            :data:`EARLIEST_DATE` .. :data:`LATEST_DATE`.
        TypeError: for anything that is not a datetime.

    .. versionadded:: 0.1.0
    """
    if not isinstance(value, datetime):
        raise TypeError(f"{field} must be an aware datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise InvalidTimeError(f"{field} must be an aware datetime (with tzinfo), got naive {value}")
    if not _FIRST_YEAR <= value.year <= _LAST_YEAR:
        raise InvalidTimeError(f"{field} must lie between {EARLIEST_DATE} and {LATEST_DATE}, got {value.isoformat()}")
    return value


def ensure_date(value: object, field: str = "date") -> date:
    """Return ``value`` if it is a plain :class:`~datetime.date` (not a datetime).

    >>> ensure_date(date(2024, 2, 29))
    datetime.date(2024, 2, 29)

    Raises:
        TypeError: for a datetime or any other type.
        antfin.errors.InvalidTimeError: for a date outside :data:`EARLIEST_DATE` .. :data:`LATEST_DATE`.

    .. versionadded:: 0.1.0
    """
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{field} must be a date, not {type(value).__name__}")
    if not _FIRST_YEAR <= value.year <= _LAST_YEAR:
        raise InvalidTimeError(f"{field} must lie between {EARLIEST_DATE} and {LATEST_DATE}, got {value.isoformat()}")
    return value


def local_date(at: datetime) -> date:
    """The Asia/Shanghai calendar date of an aware instant.

    >>> from datetime import timezone
    >>> local_date(datetime(2024, 1, 31, 16, 30, tzinfo=timezone.utc))
    datetime.date(2024, 2, 1)

    .. versionadded:: 0.1.0
    """
    return ensure_aware(at).astimezone(SHANGHAI).date()


def shanghai(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """An aware instant in Asia/Shanghai, for examples and tests.

    >>> shanghai(2024, 6, 1, 15).isoformat()
    '2024-06-01T15:00:00+08:00'

    .. versionadded:: 0.1.0
    """
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def start_of_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in Asia/Shanghai.

    >>> start_of_day(date(2024, 6, 1)).isoformat()
    '2024-06-01T00:00:00+08:00'

    .. versionadded:: 0.1.0
    """
    return datetime.combine(ensure_date(day, "day"), time(0), tzinfo=SHANGHAI)


def add_months(day: date, months: int) -> date:
    """Add calendar months: a day past the month's end clamps to it (as :mod:`dateutil`'s ``relativedelta``).

    >>> add_months(date(2024, 1, 31), 1)
    datetime.date(2024, 2, 29)
    >>> add_months(date(2023, 1, 31), 1)
    datetime.date(2023, 2, 28)

    Raises:
        TypeError: ``day`` is not a date (a datetime is refused too) or ``months`` is not an int.
        antfin.errors.InvalidTimeError: ``day`` or the result lies outside
            :data:`EARLIEST_DATE` .. :data:`LATEST_DATE`.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 Computed directly (the same dates as ``relativedelta``, a tenth of its cost).
    """
    start = ensure_date(day, "day")
    if isinstance(months, bool) or not isinstance(months, int):
        raise TypeError(f"months must be an int, not {type(months).__name__}")
    shifted = _shift_months(start.year, start.month, start.day, months)
    result = date.max if shifted is None else date(*shifted)
    return ensure_date(result, f"add_months({start}, {months})")


def add_months_at(moment: datetime, months: int) -> datetime:
    """The same Asia/Shanghai wall-clock time ``months`` calendar months later; a missing day clamps to the month's end.

    What a refund window or a reservation's life of whole months ends on.

    >>> add_months_at(datetime(2024, 1, 31, 9, 30, tzinfo=SHANGHAI), 1).isoformat()
    '2024-02-29T09:30:00+08:00'
    >>> add_months_at(datetime(2024, 3, 31, 1, 0, tzinfo=timezone.utc), 1).isoformat()
    '2024-04-30T09:00:00+08:00'

    Raises:
        antfin.errors.InvalidTimeError: a naive ``moment``, or one or a result outside
            :data:`EARLIEST_DATE` .. :data:`LATEST_DATE`.

    .. versionadded:: 0.2.0
    """
    local = ensure_aware(moment, "moment").astimezone(SHANGHAI)
    if isinstance(months, bool) or not isinstance(months, int):
        raise TypeError(f"months must be an int, not {type(months).__name__}")
    shifted = _shift_months(local.year, local.month, local.day, months)
    if shifted is None:
        raise InvalidTimeError(f"{months} months after {local.isoformat()} lies outside the years 1 to 9999")
    year, month, day = shifted
    return ensure_aware(local.replace(year=year, month=month, day=day), f"{months} months after {local.isoformat()}")


#: Days in each month of a common year.
_MONTH_DAYS: Final = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _shift_months(year: int, month: int, day: int, months: int) -> tuple[int, int, int] | None:
    """(year, month, day) ``months`` later, the day clamped to the month's length; ``None`` outside years 1..9999."""
    new_year, month_index = divmod(year * 12 + month - 1 + months, 12)
    if not 1 <= new_year <= 9999:
        return None
    new_month = month_index + 1
    if day > 28:
        last = _MONTH_DAYS[month_index]
        if new_month == 2 and new_year % 4 == 0 and (new_year % 100 != 0 or new_year % 400 == 0):
            last = 29
        day = min(day, last)
    return new_year, new_month, day


# -- trading calendars ------------------------------------------------------------------------------------

#: The daily order cut-off of the Shanghai and Shenzhen exchanges and of money-market fund
#: subscriptions and redemptions: an order at or after 15:00 Asia/Shanghai counts on the next trading day.
TRADING_CUTOFF: Final = time(15, 0)


@runtime_checkable
class TradingCalendar(Protocol):
    """What a trading-day calendar answers; :class:`WeekdayCalendar` and :class:`ChinaExchangeCalendar` are two.

    >>> from antfin.calendar import TradingCalendar, WeekdayCalendar
    >>> isinstance(WeekdayCalendar(), TradingCalendar)
    True

    .. versionadded:: 0.1.0
    """

    def is_trading_day(self, day: date) -> bool:
        """``True`` when the exchange trades on ``day``.

        >>> WeekdayCalendar().is_trading_day(date(2024, 6, 8))
        False
        """
        ...  # pragma: no cover

    def next_trading_day(self, day: date) -> date:
        """The first trading day strictly after ``day``.

        >>> WeekdayCalendar().next_trading_day(date(2024, 6, 7))
        datetime.date(2024, 6, 10)
        """
        ...  # pragma: no cover

    def previous_trading_day(self, day: date) -> date:
        """The last trading day strictly before ``day``.

        >>> WeekdayCalendar().previous_trading_day(date(2024, 6, 10))
        datetime.date(2024, 6, 7)
        """
        ...  # pragma: no cover

    def trading_day_for(self, at: datetime) -> date:
        """The trading day an order placed at the aware instant ``at`` counts on (15:00 cut-off).

        >>> WeekdayCalendar().trading_day_for(shanghai(2024, 6, 7, 15, 0))
        datetime.date(2024, 6, 10)
        """
        ...  # pragma: no cover


class _StepCalendar:
    """Shared stepping logic: everything follows from ``is_trading_day``."""

    cutoff: time

    def is_trading_day(self, day: date) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def next_trading_day(self, day: date) -> date:
        """The first trading day strictly after ``day``.

        >>> WeekdayCalendar().next_trading_day(date(2024, 6, 7))
        datetime.date(2024, 6, 10)

        Raises:
            antfin.errors.OutsideCoverageError: when the search leaves the calendar's coverage.

        .. versionadded:: 0.1.0
        """
        candidate = ensure_date(day, "day") + _ONE_DAY
        while not self.is_trading_day(candidate):
            candidate += _ONE_DAY
        return candidate

    def previous_trading_day(self, day: date) -> date:
        """The last trading day strictly before ``day``.

        >>> WeekdayCalendar().previous_trading_day(date(2024, 6, 10))
        datetime.date(2024, 6, 7)

        Raises:
            antfin.errors.OutsideCoverageError: when the search leaves the calendar's coverage.

        .. versionadded:: 0.1.0
        """
        candidate = ensure_date(day, "day") - _ONE_DAY
        while not self.is_trading_day(candidate):
            candidate -= _ONE_DAY
        return candidate

    def trading_day_on_or_after(self, day: date) -> date:
        """``day`` itself when it trades, else the next trading day.

        >>> WeekdayCalendar().trading_day_on_or_after(date(2024, 6, 8))
        datetime.date(2024, 6, 10)

        .. versionadded:: 0.1.0
        """
        checked = ensure_date(day, "day")
        return checked if self.is_trading_day(checked) else self.next_trading_day(checked)

    def trading_day_for(self, at: datetime) -> date:
        """The trading day an order placed at ``at`` counts on.

        An order strictly before the cut-off (15:00 Asia/Shanghai) on a trading
        day counts on that day; at or after the cut-off, or on a non-trading
        day, it counts on the next trading day.

        >>> calendar = WeekdayCalendar()
        >>> calendar.trading_day_for(shanghai(2024, 6, 7, 14, 59, 59))
        datetime.date(2024, 6, 7)
        >>> calendar.trading_day_for(shanghai(2024, 6, 7, 15, 0, 0))
        datetime.date(2024, 6, 10)

        Raises:
            antfin.errors.InvalidTimeError: for a naive datetime.
            antfin.errors.OutsideCoverageError: outside the calendar's coverage.

        .. versionadded:: 0.1.0
        """
        local = ensure_aware(at).astimezone(SHANGHAI)
        day = local.date()
        if self.is_trading_day(day) and local.timetz().replace(tzinfo=None) < self.cutoff:
            return day
        return self.next_trading_day(day)

    def trading_days(self, start: date, end: date) -> tuple[date, ...]:
        """The trading days from ``start`` to ``end`` inclusive.

        >>> WeekdayCalendar().trading_days(date(2024, 6, 7), date(2024, 6, 10))
        (datetime.date(2024, 6, 7), datetime.date(2024, 6, 10))

        .. versionadded:: 0.1.0
        """
        first, last = ensure_date(start, "start"), ensure_date(end, "end")
        days: list[date] = []
        current = first
        while current <= last:
            if self.is_trading_day(current):
                days.append(current)
            current += _ONE_DAY
        return tuple(days)


_ONE_DAY: Final = timedelta(days=1)


def _check_cutoff(_instance: object, _attribute: object, value: object) -> None:
    if not isinstance(value, time) or value.tzinfo is not None:
        raise TypeError(f"cutoff must be a naive datetime.time (local Asia/Shanghai), got {value!r}")


@attrs.frozen
class WeekdayCalendar(_StepCalendar):
    """Monday to Friday trade, every week, forever: for tests and users without a holiday list.

    >>> calendar = WeekdayCalendar()
    >>> calendar.is_trading_day(date(2024, 10, 1))  # a weekday, so open here (the SSE is closed)
    True
    >>> calendar.trading_day_for(shanghai(2024, 6, 8, 10))  # Saturday
    datetime.date(2024, 6, 10)

    Args:
        cutoff: the local order cut-off, 15:00 by default (cfg).

    .. versionadded:: 0.1.0
    """

    cutoff: time = attrs.field(default=TRADING_CUTOFF, validator=_check_cutoff)

    def is_trading_day(self, day: date) -> bool:
        """``True`` from Monday to Friday.

        >>> WeekdayCalendar().is_trading_day(date(2024, 6, 9))
        False

        Raises:
            TypeError: when ``day`` is not a date.

        .. versionadded:: 0.1.0
        """
        return ensure_date(day, "day").weekday() < 5


# Weekday closures of the Shanghai Stock Exchange, from its yearly holiday notices
# (上海证券交易所《关于YYYY年部分节假日放假和休市安排的通知》, published each December after the
# State Council's holiday notice; the 2020 Spring Festival extension is SSE notice of 2020-01-31).
# Only Monday-Friday closures are listed: weekends never trade, and the make-up weekend workdays
# (调休上班日) below are also closed. Cross-checked against exchange_calendars' XSHG table.
_SSE_CLOSURES: Final[tuple[tuple[str, str], ...]] = (
    ("2020-01-01", "New Year's Day"),
    ("2020-01-24", "Spring Festival"), ("2020-01-27", "Spring Festival"), ("2020-01-28", "Spring Festival"),
    ("2020-01-29", "Spring Festival"), ("2020-01-30", "Spring Festival (extended)"),
    ("2020-01-31", "Spring Festival (extended)"),
    ("2020-04-06", "Qingming"),
    ("2020-05-01", "Labour Day"), ("2020-05-04", "Labour Day"), ("2020-05-05", "Labour Day"),
    ("2020-06-25", "Dragon Boat"), ("2020-06-26", "Dragon Boat"),
    ("2020-10-01", "National Day"), ("2020-10-02", "National Day"), ("2020-10-05", "National Day"),
    ("2020-10-06", "National Day"), ("2020-10-07", "National Day"), ("2020-10-08", "National Day"),
    ("2021-01-01", "New Year's Day"),
    ("2021-02-11", "Spring Festival"), ("2021-02-12", "Spring Festival"), ("2021-02-15", "Spring Festival"),
    ("2021-02-16", "Spring Festival"), ("2021-02-17", "Spring Festival"),
    ("2021-04-05", "Qingming"),
    ("2021-05-03", "Labour Day"), ("2021-05-04", "Labour Day"), ("2021-05-05", "Labour Day"),
    ("2021-06-14", "Dragon Boat"),
    ("2021-09-20", "Mid-Autumn"), ("2021-09-21", "Mid-Autumn"),
    ("2021-10-01", "National Day"), ("2021-10-04", "National Day"), ("2021-10-05", "National Day"),
    ("2021-10-06", "National Day"), ("2021-10-07", "National Day"),
    ("2022-01-03", "New Year's Day"),
    ("2022-01-31", "Spring Festival"), ("2022-02-01", "Spring Festival"), ("2022-02-02", "Spring Festival"),
    ("2022-02-03", "Spring Festival"), ("2022-02-04", "Spring Festival"),
    ("2022-04-04", "Qingming"), ("2022-04-05", "Qingming"),
    ("2022-05-02", "Labour Day"), ("2022-05-03", "Labour Day"), ("2022-05-04", "Labour Day"),
    ("2022-06-03", "Dragon Boat"),
    ("2022-09-12", "Mid-Autumn"),
    ("2022-10-03", "National Day"), ("2022-10-04", "National Day"), ("2022-10-05", "National Day"),
    ("2022-10-06", "National Day"), ("2022-10-07", "National Day"),
    ("2023-01-02", "New Year's Day"),
    ("2023-01-23", "Spring Festival"), ("2023-01-24", "Spring Festival"), ("2023-01-25", "Spring Festival"),
    ("2023-01-26", "Spring Festival"), ("2023-01-27", "Spring Festival"),
    ("2023-04-05", "Qingming"),
    ("2023-05-01", "Labour Day"), ("2023-05-02", "Labour Day"), ("2023-05-03", "Labour Day"),
    ("2023-06-22", "Dragon Boat"), ("2023-06-23", "Dragon Boat"),
    ("2023-09-29", "Mid-Autumn"),
    ("2023-10-02", "National Day"), ("2023-10-03", "National Day"), ("2023-10-04", "National Day"),
    ("2023-10-05", "National Day"), ("2023-10-06", "National Day"),
    ("2024-01-01", "New Year's Day"),
    ("2024-02-09", "Spring Festival"), ("2024-02-12", "Spring Festival"), ("2024-02-13", "Spring Festival"),
    ("2024-02-14", "Spring Festival"), ("2024-02-15", "Spring Festival"), ("2024-02-16", "Spring Festival"),
    ("2024-04-04", "Qingming"), ("2024-04-05", "Qingming"),
    ("2024-05-01", "Labour Day"), ("2024-05-02", "Labour Day"), ("2024-05-03", "Labour Day"),
    ("2024-06-10", "Dragon Boat"),
    ("2024-09-16", "Mid-Autumn"), ("2024-09-17", "Mid-Autumn"),
    ("2024-10-01", "National Day"), ("2024-10-02", "National Day"), ("2024-10-03", "National Day"),
    ("2024-10-04", "National Day"), ("2024-10-07", "National Day"),
    ("2025-01-01", "New Year's Day"),
    ("2025-01-28", "Spring Festival"), ("2025-01-29", "Spring Festival"), ("2025-01-30", "Spring Festival"),
    ("2025-01-31", "Spring Festival"), ("2025-02-03", "Spring Festival"), ("2025-02-04", "Spring Festival"),
    ("2025-04-04", "Qingming"),
    ("2025-05-01", "Labour Day"), ("2025-05-02", "Labour Day"), ("2025-05-05", "Labour Day"),
    ("2025-06-02", "Dragon Boat"),
    ("2025-10-01", "National Day"), ("2025-10-02", "National Day"), ("2025-10-03", "National Day"),
    ("2025-10-06", "National Day"), ("2025-10-07", "National Day"), ("2025-10-08", "National Day"),
    ("2026-01-01", "New Year's Day"), ("2026-01-02", "New Year's Day"),
    ("2026-02-16", "Spring Festival"), ("2026-02-17", "Spring Festival"), ("2026-02-18", "Spring Festival"),
    ("2026-02-19", "Spring Festival"), ("2026-02-20", "Spring Festival"), ("2026-02-23", "Spring Festival"),
    ("2026-04-06", "Qingming"),
    ("2026-05-01", "Labour Day"), ("2026-05-04", "Labour Day"), ("2026-05-05", "Labour Day"),
    ("2026-06-19", "Dragon Boat"),
    ("2026-09-25", "Mid-Autumn"),
    ("2026-10-01", "National Day"), ("2026-10-02", "National Day"), ("2026-10-05", "National Day"),
    ("2026-10-06", "National Day"), ("2026-10-07", "National Day"),
)  # fmt: skip

# Weekday closures 1999-2019, derived once from exchange_calendars' XSHG table (version 4.13.2,
# "a list of holidays covering 1999-2026", itself compiled from the SSE's yearly notices) and
# committed here as data; tests/unit/test_trading_calendar.py re-checks the whole 1999-2026 range
# against the package. The package gives dates only, so these closures carry no holiday name.
_SSE_CLOSURES_1999_2019: Final[tuple[str, ...]] = (
    "1999-01-01", "1999-02-10", "1999-02-11", "1999-02-12", "1999-02-15", "1999-02-16", "1999-02-17", "1999-02-18",
    "1999-02-19", "1999-02-22", "1999-02-23", "1999-02-24", "1999-02-25", "1999-02-26", "1999-05-03", "1999-10-01",
    "1999-10-04", "1999-10-05", "1999-10-06", "1999-10-07", "1999-12-20", "1999-12-31",
    "2000-01-03", "2000-01-31", "2000-02-01", "2000-02-02", "2000-02-03", "2000-02-04", "2000-02-07", "2000-02-08",
    "2000-02-09", "2000-02-10", "2000-02-11", "2000-05-01", "2000-05-02", "2000-05-03", "2000-05-04", "2000-05-05",
    "2000-10-02", "2000-10-03", "2000-10-04", "2000-10-05", "2000-10-06",
    "2001-01-01", "2001-01-22", "2001-01-23", "2001-01-24", "2001-01-25", "2001-01-26", "2001-01-29", "2001-01-30",
    "2001-01-31", "2001-02-01", "2001-02-02", "2001-05-01", "2001-05-02", "2001-05-03", "2001-05-04", "2001-05-07",
    "2001-10-01", "2001-10-02", "2001-10-03", "2001-10-04", "2001-10-05",
    "2002-01-01", "2002-01-02", "2002-01-03", "2002-02-11", "2002-02-12", "2002-02-13", "2002-02-14", "2002-02-15",
    "2002-02-18", "2002-02-19", "2002-02-20", "2002-02-21", "2002-02-22", "2002-05-01", "2002-05-02", "2002-05-03",
    "2002-05-06", "2002-05-07", "2002-09-30", "2002-10-01", "2002-10-02", "2002-10-03", "2002-10-04", "2002-10-07",
    "2003-01-01", "2003-01-30", "2003-01-31", "2003-02-03", "2003-02-04", "2003-02-05", "2003-02-06", "2003-02-07",
    "2003-05-01", "2003-05-02", "2003-05-05", "2003-05-06", "2003-05-07", "2003-05-08", "2003-05-09", "2003-10-01",
    "2003-10-02", "2003-10-03", "2003-10-06", "2003-10-07",
    "2004-01-01", "2004-01-19", "2004-01-20", "2004-01-21", "2004-01-22", "2004-01-23", "2004-01-26", "2004-01-27",
    "2004-01-28", "2004-05-03", "2004-05-04", "2004-05-05", "2004-05-06", "2004-05-07", "2004-10-01", "2004-10-04",
    "2004-10-05", "2004-10-06", "2004-10-07",
    "2005-01-03", "2005-02-07", "2005-02-08", "2005-02-09", "2005-02-10", "2005-02-11", "2005-02-14", "2005-02-15",
    "2005-05-02", "2005-05-03", "2005-05-04", "2005-05-05", "2005-05-06", "2005-10-03", "2005-10-04", "2005-10-05",
    "2005-10-06", "2005-10-07",
    "2006-01-02", "2006-01-03", "2006-01-26", "2006-01-27", "2006-01-30", "2006-01-31", "2006-02-01", "2006-02-02",
    "2006-02-03", "2006-05-01", "2006-05-02", "2006-05-03", "2006-05-04", "2006-05-05", "2006-10-02", "2006-10-03",
    "2006-10-04", "2006-10-05", "2006-10-06",
    "2007-01-01", "2007-01-02", "2007-01-03", "2007-02-19", "2007-02-20", "2007-02-21", "2007-02-22", "2007-02-23",
    "2007-05-01", "2007-05-02", "2007-05-03", "2007-05-04", "2007-05-07", "2007-10-01", "2007-10-02", "2007-10-03",
    "2007-10-04", "2007-10-05", "2007-12-31",
    "2008-01-01", "2008-02-06", "2008-02-07", "2008-02-08", "2008-02-11", "2008-02-12", "2008-04-04", "2008-05-01",
    "2008-05-02", "2008-06-09", "2008-09-15", "2008-09-29", "2008-09-30", "2008-10-01", "2008-10-02", "2008-10-03",
    "2009-01-01", "2009-01-02", "2009-01-26", "2009-01-27", "2009-01-28", "2009-01-29", "2009-01-30", "2009-04-06",
    "2009-05-01", "2009-05-28", "2009-05-29", "2009-10-01", "2009-10-02", "2009-10-05", "2009-10-06", "2009-10-07",
    "2009-10-08",
    "2010-01-01", "2010-02-15", "2010-02-16", "2010-02-17", "2010-02-18", "2010-02-19", "2010-04-05", "2010-05-03",
    "2010-06-14", "2010-06-15", "2010-06-16", "2010-09-22", "2010-09-23", "2010-09-24", "2010-10-01", "2010-10-04",
    "2010-10-05", "2010-10-06", "2010-10-07",
    "2011-01-03", "2011-02-02", "2011-02-03", "2011-02-04", "2011-02-07", "2011-02-08", "2011-04-04", "2011-04-05",
    "2011-05-02", "2011-06-06", "2011-09-12", "2011-10-03", "2011-10-04", "2011-10-05", "2011-10-06", "2011-10-07",
    "2012-01-02", "2012-01-03", "2012-01-23", "2012-01-24", "2012-01-25", "2012-01-26", "2012-01-27", "2012-04-02",
    "2012-04-03", "2012-04-04", "2012-04-30", "2012-05-01", "2012-06-22", "2012-10-01", "2012-10-02", "2012-10-03",
    "2012-10-04", "2012-10-05",
    "2013-01-01", "2013-01-02", "2013-01-03", "2013-02-11", "2013-02-12", "2013-02-13", "2013-02-14", "2013-02-15",
    "2013-04-04", "2013-04-05", "2013-04-29", "2013-04-30", "2013-05-01", "2013-06-10", "2013-06-11", "2013-06-12",
    "2013-09-19", "2013-09-20", "2013-10-01", "2013-10-02", "2013-10-03", "2013-10-04", "2013-10-07",
    "2014-01-01", "2014-01-31", "2014-02-03", "2014-02-04", "2014-02-05", "2014-02-06", "2014-04-07", "2014-05-01",
    "2014-05-02", "2014-06-02", "2014-09-08", "2014-10-01", "2014-10-02", "2014-10-03", "2014-10-06", "2014-10-07",
    "2015-01-01", "2015-01-02", "2015-02-18", "2015-02-19", "2015-02-20", "2015-02-23", "2015-02-24", "2015-04-06",
    "2015-05-01", "2015-06-22", "2015-09-03", "2015-09-04", "2015-10-01", "2015-10-02", "2015-10-05", "2015-10-06",
    "2015-10-07",
    "2016-01-01", "2016-02-08", "2016-02-09", "2016-02-10", "2016-02-11", "2016-02-12", "2016-04-04", "2016-05-02",
    "2016-06-09", "2016-06-10", "2016-09-15", "2016-09-16", "2016-10-03", "2016-10-04", "2016-10-05", "2016-10-06",
    "2016-10-07",
    "2017-01-02", "2017-01-27", "2017-01-30", "2017-01-31", "2017-02-01", "2017-02-02", "2017-04-03", "2017-04-04",
    "2017-05-01", "2017-05-29", "2017-05-30", "2017-10-02", "2017-10-03", "2017-10-04", "2017-10-05", "2017-10-06",
    "2018-01-01", "2018-02-15", "2018-02-16", "2018-02-19", "2018-02-20", "2018-02-21", "2018-04-05", "2018-04-06",
    "2018-04-30", "2018-05-01", "2018-06-18", "2018-09-24", "2018-10-01", "2018-10-02", "2018-10-03", "2018-10-04",
    "2018-10-05", "2018-12-31",
    "2019-01-01", "2019-02-04", "2019-02-05", "2019-02-06", "2019-02-07", "2019-02-08", "2019-04-05", "2019-05-01",
    "2019-05-02", "2019-05-03", "2019-06-07", "2019-09-13", "2019-10-01", "2019-10-02", "2019-10-03", "2019-10-04",
    "2019-10-07",
)  # fmt: skip

#: The name given to a closure whose holiday the source does not name (1999-2019).
UNNAMED_CLOSURE: Final = "market closure"

#: Make-up weekend workdays (调休上班日) from the State Council notices 2020-2026: offices work,
#: the exchanges stay closed. Listed so the rule "weekends never trade" is visibly deliberate.
SSE_MAKEUP_WORKDAYS: Final[tuple[date, ...]] = tuple(
    date.fromisoformat(text)
    for text in (
        "2020-01-19", "2020-02-01", "2020-04-26", "2020-05-09", "2020-06-28", "2020-09-27", "2020-10-10",
        "2021-02-07", "2021-02-20", "2021-04-25", "2021-05-08", "2021-09-18", "2021-09-26", "2021-10-09",
        "2022-01-29", "2022-01-30", "2022-04-02", "2022-04-24", "2022-05-07", "2022-10-08", "2022-10-09",
        "2023-01-28", "2023-01-29", "2023-04-23", "2023-05-06", "2023-06-25", "2023-10-07", "2023-10-08",
        "2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11", "2024-09-14", "2024-09-29",
        "2024-10-12",
        "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
        "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
    )
)  # fmt: skip

#: Source of :data:`SSE_HOLIDAYS`.
SSE_HOLIDAY_SOURCE: Final = (
    "Shanghai Stock Exchange yearly notices on holiday closures (关于部分节假日放假和休市安排的通知), 2020-2026; "
    "1999-2019 from exchange_calendars' XSHG table (4.13.2)"
)

#: The Shanghai Stock Exchange's weekday closures 1999-2026, with the holiday each belongs to
#: (named from 2020; earlier closures are :data:`UNNAMED_CLOSURE`).
SSE_HOLIDAYS: Final[Mapping[date, str]] = MappingProxyType(
    {date.fromisoformat(text): UNNAMED_CLOSURE for text in _SSE_CLOSURES_1999_2019}
    | {date.fromisoformat(text): name for text, name in _SSE_CLOSURES}
)


def _holiday_map(value: Mapping[date, str]) -> Mapping[date, str]:
    for day, name in value.items():
        ensure_date(day, "holiday")
        if not isinstance(name, str):
            raise TypeError(f"holiday name for {day} must be a str, not {type(name).__name__}")
    return MappingProxyType(dict(value))


@attrs.frozen
class ChinaExchangeCalendar(_StepCalendar):
    """The mainland exchanges' trading days from an explicit, documented holiday list.

    Weekends never trade (make-up weekend workdays included), the listed
    weekday closures do not trade, every other weekday inside the coverage
    does. A date outside ``first``..``last`` raises
    :class:`~antfin.errors.OutsideCoverageError` rather than guessing.

    >>> sse = ChinaExchangeCalendar.sse()
    >>> sse.is_trading_day(date(2024, 10, 8)), sse.is_trading_day(date(2024, 10, 7))
    (True, False)
    >>> sse.is_trading_day(date(2024, 10, 12))  # Saturday make-up workday: still closed
    False
    >>> sse.next_trading_day(date(2024, 9, 30))
    datetime.date(2024, 10, 8)
    >>> sse.holiday_name(date(2024, 10, 1))
    'National Day'

    Args:
        holidays: weekday closures mapped to the holiday's name.
        first: first date covered.
        last: last date covered.
        source: where the list comes from.
        cutoff: the local order cut-off, 15:00 by default (cfg).

    Raises:
        antfin.errors.InvalidTimeError: when ``first`` is after ``last`` or a holiday lies outside them.

    .. versionadded:: 0.1.0
    """

    holidays: Mapping[date, str] = attrs.field(converter=_holiday_map, eq=False)
    first: date
    last: date
    source: str = ""
    cutoff: time = attrs.field(default=TRADING_CUTOFF, validator=_check_cutoff)
    _closed: frozenset[date] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        first, last = ensure_date(self.first, "first"), ensure_date(self.last, "last")
        if first > last:
            raise InvalidTimeError(f"first ({first}) must not be after last ({last})")
        outside = sorted(day for day in self.holidays if not first <= day <= last)
        if outside:
            raise InvalidTimeError(f"holiday {outside[0]} lies outside the coverage {first}..{last}")
        object.__setattr__(self, "_closed", frozenset(self.holidays))

    @classmethod
    def sse(cls) -> ChinaExchangeCalendar:
        """The Shanghai Stock Exchange calendar, covering 1999-01-01 to 2026-12-31.

        >>> ChinaExchangeCalendar.sse().first, ChinaExchangeCalendar.sse().last
        (datetime.date(1999, 1, 1), datetime.date(2026, 12, 31))

        .. versionadded:: 0.1.0
        """
        return _SSE

    def is_trading_day(self, day: date) -> bool:
        """``True`` for a covered weekday that is not a listed closure.

        >>> ChinaExchangeCalendar.sse().is_trading_day(date(2025, 1, 27))
        True
        >>> ChinaExchangeCalendar.sse().is_trading_day(date(1998, 12, 31))
        Traceback (most recent call last):
        ...
        antfin.errors.OutsideCoverageError: day 1998-12-31 is outside the calendar's coverage 1999-01-01..2026-12-31...

        Raises:
            antfin.errors.OutsideCoverageError: outside the coverage.
            TypeError: when ``day`` is not a date.

        .. versionadded:: 0.1.0
        """
        checked = ensure_date(day, "day")
        if not self.first <= checked <= self.last:
            raise OutsideCoverageError(
                f"day {checked} is outside the calendar's coverage {self.first}..{self.last}; "
                "expected a date in it (extend the holiday list for other years)"
            )
        return checked.weekday() < 5 and checked not in self._closed

    def holiday_name(self, day: date) -> str | None:
        """The holiday a weekday closure belongs to, ``None`` for other days.

        >>> ChinaExchangeCalendar.sse().holiday_name(date(2025, 1, 28))
        'Spring Festival'

        .. versionadded:: 0.1.0
        """
        self.is_trading_day(day)  # coverage check
        return self.holidays.get(day)


_SSE: Final = ChinaExchangeCalendar(SSE_HOLIDAYS, date(1999, 1, 1), date(2026, 12, 31), source=SSE_HOLIDAY_SOURCE)
