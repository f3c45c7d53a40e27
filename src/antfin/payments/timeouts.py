"""Alipay payment timeouts (``timeout_express``): ``15m``, ``2h``, ``3d`` and ``1c``.

>>> from antfin.calendar import shanghai
>>> from antfin.payments.timeouts import PaymentTimeout
>>> PaymentTimeout.parse("2h").deadline(shanghai(2024, 5, 1, 10)).isoformat()
'2024-05-01T12:00:00+08:00'
>>> PaymentTimeout.parse("1c").deadline(shanghai(2024, 5, 1, 23, 59)).isoformat()
'2024-05-02T00:00:00+08:00'

A timeout is a positive whole number and a unit: ``m`` minutes, ``h`` hours,
``d`` days, or ``1c`` (until midnight of the day the trade was created,
Asia/Shanghai, whatever the hour). The allowed range is 1 minute to 15 days,
as in Alipay's trade APIs.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Final

import attrs

from antfin.calendar import SHANGHAI, ensure_aware, local_date, start_of_day
from antfin.errors import InvalidTimeError

__all__ = ["MAX_TIMEOUT", "MIN_TIMEOUT", "PaymentTimeout"]

#: Shortest timeout Alipay accepts.
MIN_TIMEOUT: Final = timedelta(minutes=1)
#: Longest timeout Alipay accepts.
MAX_TIMEOUT: Final = timedelta(days=15)

_PATTERN: Final = re.compile(r"([1-9][0-9]*)([mhdc])")
_UNITS: Final = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}


def _validate(text: object) -> None:
    if not isinstance(text, str):
        raise TypeError(f"timeout must be a str such as '15m', not {type(text).__name__}")
    match = _PATTERN.fullmatch(text)
    if match is None:
        raise InvalidTimeError(
            f"timeout {text!r} is malformed; expected a positive number and a unit m, h or d, or '1c'"
        )
    count, unit = int(match[1]), match[2]
    if unit == "c":
        if count != 1:
            raise InvalidTimeError(f"timeout {text!r} is not allowed; the only 'c' timeout is '1c'")
        return
    if _UNITS[unit] * count > MAX_TIMEOUT:
        raise InvalidTimeError(f"timeout {text!r} is longer than 15 days; expected 1m to 15d")


@attrs.frozen
class PaymentTimeout:
    """A validated payment timeout; build it with :meth:`parse`.

    >>> PaymentTimeout.parse("15m")
    PaymentTimeout(text='15m')
    >>> PaymentTimeout.parse("16d")
    Traceback (most recent call last):
    ...
    antfin.errors.InvalidTimeError: timeout '16d' is longer than 15 days; expected 1m to 15d

    .. versionadded:: 0.1.0
    """

    text: str = attrs.field()

    @text.validator
    def _check(self, _attribute: attrs.Attribute[str], text: str) -> None:
        _validate(text)

    @classmethod
    def parse(cls, text: str | PaymentTimeout) -> PaymentTimeout:
        """Parse and validate a timeout string.

        >>> PaymentTimeout.parse("3d").duration
        datetime.timedelta(days=3)

        Raises:
            TypeError: for a value that is not a string.
            antfin.errors.InvalidTimeError: for a malformed timeout, a ``c`` other than
                ``1c``, or a duration outside 1 minute .. 15 days.
        """
        if isinstance(text, PaymentTimeout):
            return text
        return cls(text)

    @property
    def until_midnight(self) -> bool:
        """``True`` for ``1c``, which closes at the end of the creation day.

        >>> PaymentTimeout.parse("1c").until_midnight
        True
        """
        return self.text == "1c"

    @property
    def duration(self) -> timedelta | None:
        """The fixed duration, or ``None`` for ``1c``.

        >>> PaymentTimeout.parse("90m").duration
        datetime.timedelta(seconds=5400)
        """
        if self.until_midnight:
            return None
        return _UNITS[self.text[-1]] * int(self.text[:-1])

    def deadline(self, created_at: datetime) -> datetime:
        """The instant an unpaid trade created at ``created_at`` closes (the instant itself is late).

        >>> from antfin.calendar import shanghai
        >>> PaymentTimeout.parse("15m").deadline(shanghai(2024, 1, 1, 9)).isoformat()
        '2024-01-01T09:15:00+08:00'

        Raises:
            antfin.errors.InvalidTimeError: for a naive ``created_at``.
        """
        at = ensure_aware(created_at, "created_at")
        duration = self.duration
        if duration is None:
            return start_of_day(local_date(at) + timedelta(days=1))
        return at.astimezone(SHANGHAI) + duration

    def __str__(self) -> str:
        return self.text
