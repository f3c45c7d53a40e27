"""Asia/Shanghai clock rules: aware instants, local dates and month arithmetic.

No function here reads the system clock; every operation is given its instant.

>>> from datetime import datetime
>>> from antfin.calendar import SHANGHAI, local_date
>>> local_date(datetime(2024, 1, 31, 17, 0, tzinfo=SHANGHAI))
datetime.date(2024, 1, 31)

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from dateutil.relativedelta import relativedelta

from antfin.errors import InvalidTimeError

__all__ = [
    "SHANGHAI",
    "add_months",
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


def ensure_aware(value: object, field: str = "at") -> datetime:
    """Return ``value`` if it is an aware :class:`~datetime.datetime`, else raise.

    >>> ensure_aware(datetime(2024, 5, 1, 9, 30, tzinfo=SHANGHAI)).hour
    9

    Raises:
        antfin.errors.InvalidTimeError: for a naive datetime.
        TypeError: for anything that is not a datetime.

    .. versionadded:: 0.1.0
    """
    if not isinstance(value, datetime):
        raise TypeError(f"{field} must be an aware datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise InvalidTimeError(f"{field} must be an aware datetime (with tzinfo), got naive {value}")
    return value


def ensure_date(value: object, field: str = "date") -> date:
    """Return ``value`` if it is a plain :class:`~datetime.date` (not a datetime).

    >>> ensure_date(date(2024, 2, 29))
    datetime.date(2024, 2, 29)

    Raises:
        TypeError: for a datetime or any other type.

    .. versionadded:: 0.1.0
    """
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{field} must be a date, not {type(value).__name__}")
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
    """Add calendar months with :mod:`dateutil`: a day past the month's end clamps to it.

    >>> add_months(date(2024, 1, 31), 1)
    datetime.date(2024, 2, 29)
    >>> add_months(date(2023, 1, 31), 1)
    datetime.date(2023, 2, 28)

    .. versionadded:: 0.1.0
    """
    result: date = day + relativedelta(months=months)
    return result
